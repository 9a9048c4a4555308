"""Points for things a member does once: the first login of each month and rating a
resolved complaint — once per event, through campaign bonus rules, never for staff."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from portal.campaigns import services as campaigns
from portal.campaigns.models import Campaign
from portal.extensions import db as _db
from portal.forum import complaints
from portal.points.models import LedgerEntry
from portal.points.services import find_differences, reward_first_login_of_month
from tests import factories
from tests.accounts.helpers import login_form
from tests.campaigns.helpers import bonus_input, marketing
from tests.conftest import test_config
from tests.forum.helpers import make_category, make_complaint


@pytest.fixture
def app_config(tmp_path):
    return test_config(tmp_path, POINTS_MONTHLY_LOGIN=10, POINTS_COMPLAINT_RATED=50)


def _entries(member) -> list[LedgerEntry]:
    return list(_db.session.scalars(select(LedgerEntry).where(LedgerEntry.member_id == member.id)
                                   .order_by(LedgerEntry.id)))


def test_first_login_of_each_month_pays_once(client, db):
    member = factories.make_member()
    db.session.commit()
    assert login_form(client, member.email, factories.PASSWORD).status_code == 302
    client.post("/auth/logout")
    # The same month: nothing more.
    assert login_form(client, member.email, factories.PASSWORD).status_code == 302
    db.session.expire_all()
    assert [e.amount for e in _entries(member)] == [10]
    assert member.points_balance == 10
    # Months are the member's own: 2027-01-31 20:00 UTC is already February in Shanghai.
    member.timezone = "Asia/Shanghai"
    reward_first_login_of_month(member, now=datetime(2027, 1, 31, 20, 0))
    reward_first_login_of_month(member, now=datetime(2027, 2, 10, 9, 0))
    assert [e.idempotency_key for e in _entries(member)][1:] == [f"login:{member.id}:2027-02"]
    assert find_differences() == []


def test_staff_earn_no_login_points(client, db):
    staff = factories.make_user("service")
    db.session.commit()
    assert login_form(client, staff.email, factories.PASSWORD).status_code == 302
    assert _entries(staff) == []


def test_a_bonus_rule_doubles_the_login_reward_within_its_budget(db):
    staff = marketing()
    first, second = factories.make_member(), factories.make_member()
    rule = campaigns.save_draft(None, bonus_input(trigger="first_login_of_month", budget=10), actor=staff)
    campaigns.launch(rule, actor=staff)
    db.session.commit()
    reward_first_login_of_month(first)
    reward_first_login_of_month(second)  # the budget (10) is spent: the plain reward
    reward_first_login_of_month(first)  # a replay books nothing
    assert [e.amount for e in _entries(first)] == [20] and [e.amount for e in _entries(second)] == [10]
    db.session.expire_all()
    assert db.session.get(Campaign, rule.id).spent == 10


def test_rating_a_complaint_pays_once(db):
    complaint = make_complaint(category=make_category("complaint"))
    author = complaint.thread.author
    complaints.change_status(complaint, factories.make_user("service"), "resolved")
    complaints.rate(complaint, author, 2, "slow")  # the reward does not depend on the rating
    assert [(e.amount, e.idempotency_key) for e in _entries(author)] == [
        (50, f"complaint-rated:{complaint.thread_id}")]
    assert find_differences() == []
