"""Bonus rules through referrals' reward modifier: ×multiplier or +points, within the
window and the budget, stopping exactly when the budget is spent."""

from __future__ import annotations

from datetime import date, timedelta

from portal.accounts.permissions import Role
from portal.campaigns import services
from portal.campaigns.models import Campaign
from portal.core.timeutil import utcnow
from portal.referrals import lifecycle
from portal.referrals.services import reward_for
from tests import factories
from tests.campaigns.helpers import bonus_input, marketing
from tests.referrals.helpers import make_referral, selling_unit


def _running(**changes) -> Campaign:
    staff = marketing()
    factories.make_ownership(factories.make_member())  # someone in every segment below
    campaign = services.save_draft(None, bonus_input(**changes), actor=staff)
    services.launch(campaign, actor=staff)
    return campaign


def test_multiplier_doubles_the_referrer_reward_and_spends_budget(app, db):
    campaign = _running(multiplier_pct=200, budget=20_000)
    assert reward_for(make_referral()) == (10_000, 1000)  # default rule: 5,000 + 1,000
    db.session.refresh(campaign)
    assert campaign.spent == 5000 and campaign.reached == 1


def test_add_points_and_the_budget_stops_exactly(app, db):
    campaign = _running(bonus_mode="add", points=300, multiplier_pct=None, budget=700)
    assert reward_for(make_referral())[0] == 5300
    assert reward_for(make_referral())[0] == 5300
    assert reward_for(make_referral())[0] == 5000  # 600 + 300 > 700: not paid
    db.session.refresh(campaign)
    assert campaign.spent == 600


def test_no_bonus_outside_the_window_or_the_segment_or_when_cancelled(app, db):
    later = _running(starts_at=utcnow() + timedelta(days=1), ends_at=utcnow() + timedelta(days=2))
    assert later.status == "scheduled"
    verified_only = _running(segment={"verified": "yes"})
    assert reward_for(make_referral())[0] == 5000
    services.cancel(verified_only, actor=marketing())
    assert reward_for(make_referral())[0] == 5000


def test_record_purchase_credits_the_boosted_reward(app, db):
    _running(multiplier_pct=150)
    referral = make_referral()
    staff = marketing()
    service = factories.make_user(Role.SERVICE)
    lifecycle.record_purchase(referral, service, unit=selling_unit(), purchased_on=date.today(),
                              contract_number="C-9")
    db.session.refresh(referral.referrer)
    assert referral.referrer_points == 7500
    assert referral.referrer.points_balance == 7500
    assert staff.id
