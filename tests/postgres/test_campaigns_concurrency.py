"""Campaigns on PostgreSQL with real concurrent connections: two launches of one grant,
two runners of one grant, and bonus rules racing for the last of a budget."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.campaigns import execution, services
from portal.campaigns.bonus import pay_from_budget
from portal.campaigns.errors import CampaignError
from portal.campaigns.models import Campaign, CampaignStatus
from portal.extensions import db
from portal.points.models import LedgerEntry
from tests import factories
from tests.campaigns.helpers import bonus_input, grant_input, marketing
from tests.support.race import assert_points_verify_clean, migrated_postgres_app, race

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(tmp_path, postgres_server):
    with migrated_postgres_app(tmp_path, postgres_server, "campaigns") as app:
        yield app


def _credited(campaign_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.source_type == "campaigns", LedgerEntry.source_id == campaign_id))


@pytest.mark.parametrize("workers", [2, 6])
def test_concurrent_launches_award_once(pg_app, monkeypatch, workers):
    monkeypatch.setattr(execution, "CHUNK_SIZE", 7)
    staff = [marketing() for _ in range(workers)]
    for _ in range(30):
        factories.make_member()
    campaign = services.save_draft(None, grant_input(points=100), actor=staff[0])
    db.session.commit()
    ids, campaign_id = [s.id for s in staff], campaign.id

    def launch(index: int) -> str:
        services.launch(db.session.get(Campaign, campaign_id), actor=db.session.get(User, ids[index]))
        return "launched"

    outcome = race(pg_app, workers, launch, refusal=CampaignError, describe=lambda e: "refused",
                   request_path="/?lang=en")
    assert not outcome.crashes, outcome.results
    assert sorted(outcome.results).count("launched") == 1
    campaign = db.session.get(Campaign, campaign_id)
    assert campaign.status == CampaignStatus.FINISHED
    assert _credited(campaign_id) == 30 and campaign.reached == 30 and campaign.spent == 3000
    assert all(m.points_balance == 100 for m in db.session.scalars(select(User).where(User.role == "member")))
    assert_points_verify_clean(pg_app)


def test_two_runners_of_one_grant_credit_each_member_once(pg_app, monkeypatch):
    monkeypatch.setattr(execution, "CHUNK_SIZE", 5)
    monkeypatch.setattr(services, "enqueue", lambda *args: None)  # the runners below do the work
    staff = marketing()
    for _ in range(40):
        factories.make_member()
    campaign = services.save_draft(None, grant_input(points=10), actor=staff)
    services.launch(campaign, actor=staff)
    db.session.commit()
    campaign_id = campaign.id
    outcome = race(pg_app, 4, lambda index: execution.run_to_end(campaign_id).status)
    assert not outcome.crashes, outcome.results
    db.session.expire_all()
    campaign = db.session.get(Campaign, campaign_id)
    assert campaign.status == CampaignStatus.FINISHED
    assert (campaign.processed, campaign.reached, campaign.spent) == (40, 40, 400)
    assert _credited(campaign_id) == 40
    assert_points_verify_clean(pg_app)


def test_bonus_budget_stops_exactly_under_concurrency(pg_app):
    staff = marketing()
    factories.make_member()
    campaign = services.save_draft(None, bonus_input(bonus_mode="add", points=100, multiplier_pct=None,
                                                     budget=500), actor=staff)
    services.launch(campaign, actor=staff)
    db.session.commit()
    campaign_id = campaign.id
    outcome = race(pg_app, 12, lambda index: pay_from_budget(campaign_id, 100))
    assert not outcome.crashes, outcome.results
    assert outcome.results.count(True) == 5
    assert db.session.get(Campaign, campaign_id).spent == 500
