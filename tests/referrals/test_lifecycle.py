"""Staff decisions: visit, purchase + reward, reject, cancel with clawback; each rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.accounts.models import Ownership, OwnershipStatus
from portal.audit.models import AuditEntry
from portal.core.rewards import add_reward_modifier
from portal.core.timeutil import utcnow
from portal.notifications.models import Notification
from portal.points.models import LedgerEntry
from portal.points.services import debit, find_differences
from portal.referrals import lifecycle, services
from portal.referrals.models import Referral, ReferralStatus
from tests import factories
from tests.referrals.helpers import make_referral, selling_unit

pytestmark = pytest.mark.usefixtures("english")

TODAY = utcnow().date()


@pytest.fixture
def staff(db):
    return factories.make_user("service")


def _buy(referral, staff, unit=None, days_ago=1, contract="HT-001"):
    return lifecycle.record_purchase(referral, staff, unit=unit or selling_unit(),
                                     purchased_on=TODAY - timedelta(days=days_ago), contract_number=contract)


def _ledger(db) -> list[tuple[int, int, str]]:
    rows = db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.id)).all()
    return [(row.member_id, row.amount, row.idempotency_key) for row in rows]


def _audit(db, action: str) -> list[AuditEntry]:
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


# --- purchase and reward ----------------------------------------------------------------

def test_purchase_creates_the_ownership_and_rewards_both(db, staff):
    referral = make_referral()
    unit = selling_unit(number="808")
    _buy(referral, staff, unit=unit, days_ago=3, contract=" HT-808 ")
    assert referral.status == ReferralStatus.REWARDED
    assert (referral.referrer_points, referral.invitee_points) == (5000, 1000)
    assert referral.rewarded_at is not None and referral.reward_note == ""
    ownership = db.session.get(Ownership, referral.ownership_id)
    assert ownership.user_id == referral.invitee_id and ownership.unit_id == unit.id
    assert ownership.status == OwnershipStatus.VERIFIED
    assert (ownership.contract_number, ownership.purchased_on) == ("HT-808", TODAY - timedelta(days=3))
    assert referral.development_id == unit.building.development_id
    assert _ledger(db) == [(referral.referrer_id, 5000, f"referral:{referral.id}:referrer"),
                           (referral.invitee_id, 1000, f"referral:{referral.id}:invitee")]
    assert referral.referrer.points_balance == 5000 and referral.invitee.points_balance == 1000
    [entry] = _audit(db, "referral.purchase")
    assert entry.actor_id == staff.id and entry.target_id == referral.id
    assert entry.details["referrer_points"] == 5000 and entry.details["contract"] == "HT-808"
    kinds = {(n.user_id, n.kind) for n in db.session.scalars(select(Notification))}
    assert {(referral.referrer_id, "referrals"), (referral.invitee_id, "referrals")} <= kinds
    assert find_differences() == []


def test_converting_twice_rewards_once(db, staff):
    referral = make_referral()
    _buy(referral, staff)
    with pytest.raises(services.ReferralError, match="already rewarded"):
        _buy(referral, staff, unit=selling_unit())
    assert len(_ledger(db)) == 2
    assert db.session.query(Ownership).count() == 1


def test_idempotency_keys_reward_once_even_if_the_status_check_were_bypassed(db, staff, monkeypatch):
    """The second line of defence: a re-run with the same referral id credits nothing new."""
    referral = make_referral()
    _buy(referral, staff)
    monkeypatch.setattr(lifecycle, "_begin", lambda referral, staff, allowed: lifecycle.lock_referral(
        referral.id))
    _buy(referral, staff, unit=selling_unit())
    assert len(_ledger(db)) == 2
    assert referral.referrer.points_balance == 5000 and referral.invitee.points_balance == 1000
    assert find_differences() == []


def test_rejected_referral_cannot_be_converted(db, staff):
    referral = make_referral()
    lifecycle.reject_referral(referral, staff, "Knew the sales office already")
    with pytest.raises(services.ReferralError, match="rejected: Knew the sales office already"):
        _buy(referral, staff)
    assert _ledger(db) == [] and db.session.query(Ownership).count() == 0


def test_cancelled_referral_cannot_be_converted_again(db, staff):
    referral = make_referral()
    _buy(referral, staff)
    lifecycle.cancel_purchase(referral, staff, "Buyer withdrew")
    with pytest.raises(services.ReferralError, match="was cancelled"):
        _buy(referral, staff, unit=selling_unit())


@pytest.mark.parametrize("days_ago", [31, -1])
def test_purchase_date_must_be_after_the_referral_and_not_in_the_future(db, staff, days_ago):
    referral = make_referral(days_ago=30)
    with pytest.raises(services.ReferralError, match="between the referral"):
        _buy(referral, staff, days_ago=days_ago)
    assert referral.status == ReferralStatus.REGISTERED and _ledger(db) == []


def test_blank_contract_number_is_refused(db, staff):
    with pytest.raises(services.ReferralError, match="contract number"):
        _buy(make_referral(), staff, contract="   ")


def test_an_invitee_who_owned_a_home_before_the_referral_is_not_rewarded(db, staff):
    referral = make_referral(days_ago=10)
    earlier = factories.make_ownership(referral.invitee)
    earlier.purchased_on = TODAY - timedelta(days=400)
    db.session.flush()
    with pytest.raises(services.ReferralError, match="already owned a home"):
        _buy(referral, staff)
    assert _ledger(db) == []


def test_staff_cannot_decide_on_their_own_referral(db):
    admin = factories.make_user("admin")
    referral = make_referral(referrer=admin)
    with pytest.raises(services.ReferralError, match="part of"):
        _buy(referral, admin)
    invited_admin = factories.make_user("admin")
    with pytest.raises(services.ReferralError, match="part of"):
        lifecycle.reject_referral(make_referral(invitee=invited_admin), invited_admin, "x")
    assert _ledger(db) == []


def test_the_same_unit_twice_is_refused_through_accounts(db, staff):
    referral = make_referral()
    unit = selling_unit()
    factories.make_ownership(referral.invitee, unit=unit).purchased_on = TODAY
    with pytest.raises(services.ReferralError, match="already owns this unit"):
        _buy(referral, staff, unit=unit)
    assert _ledger(db) == []


# --- rule, cap, hook --------------------------------------------------------------------

def test_the_rule_in_force_decides_the_reward(db, staff, app):
    assert services.current_rule().since is None  # the configured defaults
    services.set_rule(factories.make_user("admin"), referrer_points=8000, invitee_points=0, yearly_cap=5)
    referral = make_referral()
    _buy(referral, staff)
    assert (referral.referrer_points, referral.invitee_points) == (8000, 0)
    assert [amount for _member, amount, _key in _ledger(db)] == [8000]
    [entry] = _audit(db, "referral.rule")
    assert entry.details == {"before": [5000, 1000, 10], "after": [8000, 0, 5]}


def test_set_rule_refuses_negative_values(db):
    with pytest.raises(services.ReferralError):
        services.set_rule(factories.make_user("admin"), referrer_points=-1, invitee_points=0, yearly_cap=1)


def test_yearly_cap_stops_the_referrers_reward_not_the_buyers(db, staff, app):
    app.config["REFERRAL_YEARLY_CAP"] = 2
    referrer = factories.make_member()
    for _ in range(2):
        _buy(make_referral(referrer=referrer), staff)
    third = make_referral(referrer=referrer)
    assert services.reward_for(third) == (0, 1000)
    _buy(third, staff)
    assert third.status == ReferralStatus.REWARDED
    assert (third.referrer_points, third.invitee_points) == (0, 1000)
    assert "cap" in third.reward_note
    assert referrer.points_balance == 10000
    # Last year's rewards do not count against this year.
    for referral in db.session.scalars(select(Referral).where(Referral.referrer_points > 0)):
        referral.rewarded_at = referral.rewarded_at.replace(year=referral.rewarded_at.year - 1)
    assert services.reward_for(make_referral(referrer=referrer)) == (5000, 1000)


def test_nothing_due_leaves_the_referral_purchased(db, staff):
    services.set_rule(factories.make_user("admin"), referrer_points=0, invitee_points=0, yearly_cap=10)
    referral = make_referral()
    _buy(referral, staff)
    assert referral.status == ReferralStatus.PURCHASED and referral.rewarded_at is None
    assert _ledger(db) == [] and referral.reward_note == ""
    assert db.session.query(Ownership).count() == 1


def test_campaigns_can_hook_into_the_reward(db, staff, app):
    seen = []

    def double(trigger, member_id, points):
        seen.append((trigger, member_id))
        return points * 2

    add_reward_modifier(app, double)
    referral = make_referral()
    assert services.reward_for(referral) == (10000, 1000)  # the referrer's part is boosted
    assert seen == [("referral_converted", referral.referrer_id)]
    _buy(referral, staff)
    assert referral.referrer.points_balance == 10000


# --- visit, reject, cancel ---------------------------------------------------------------

def test_visit_is_logged_and_audited(db, staff):
    referral = make_referral(days_ago=10)
    lifecycle.log_visit(referral, staff, TODAY - timedelta(days=2))
    assert referral.status == ReferralStatus.VISITED and referral.visited_on == TODAY - timedelta(days=2)
    assert len(_audit(db, "referral.visit")) == 1
    with pytest.raises(services.ReferralError, match="between the referral"):
        lifecycle.log_visit(referral, staff, TODAY - timedelta(days=20))


def test_reject_needs_a_reason_and_is_final(db, staff):
    referral = make_referral()
    with pytest.raises(services.ReferralError, match="Give a reason"):
        lifecycle.reject_referral(referral, staff, "  ")
    lifecycle.reject_referral(referral, staff, "Duplicate of an earlier lead")
    assert referral.status == ReferralStatus.REJECTED and referral.decided_by_id == staff.id
    assert _audit(db, "referral.reject")[0].details == {"reason": "Duplicate of an earlier lead"}
    with pytest.raises(services.ReferralError, match="rejected"):
        lifecycle.reject_referral(referral, staff, "again")
    assert _ledger(db) == []


def test_a_rewarded_referral_is_cancelled_not_rejected(db, staff):
    referral = make_referral()
    _buy(referral, staff)
    with pytest.raises(services.ReferralError, match="already rewarded"):
        lifecycle.reject_referral(referral, staff, "too late")


def test_cancel_takes_the_reward_back(db, staff):
    referral = make_referral()
    _buy(referral, staff)
    lifecycle.cancel_purchase(referral, staff, "Contract annulled")
    assert referral.status == ReferralStatus.CANCELLED
    assert referral.referrer.points_balance == 0 and referral.invitee.points_balance == 0
    assert referral.points_owed == 0
    keys = [key for _member, _amount, key in _ledger(db)]
    assert keys[2:] == [f"referral:{referral.id}:referrer:clawback",
                        f"referral:{referral.id}:invitee:clawback"]
    assert _audit(db, "referral.cancel")[0].details["referrer_owed"] == 0
    assert find_differences() == []


def test_cancel_after_points_were_spent_records_what_is_owed(db, staff):
    referral = make_referral()
    _buy(referral, staff)
    debit(referral.referrer, 4200, kind="redeem", reason="Perk", idempotency_key="test:spend")
    lifecycle.cancel_purchase(referral, staff, "Contract annulled")
    assert referral.referrer.points_balance == 0
    assert (referral.referrer_owed, referral.invitee_owed) == (4200, 0)
    assert _audit(db, "referral.cancel")[0].details["referrer_owed"] == 4200
    assert find_differences() == []


def test_cancel_needs_a_converted_referral(db, staff):
    with pytest.raises(services.ReferralError, match="not converted"):
        lifecycle.cancel_purchase(make_referral(), staff, "why")


def test_lock_of_a_missing_referral(db):
    with pytest.raises(services.ReferralError, match="does not exist"):
        lifecycle.lock_referral(999999)


# --- what the referral page offers (the same rules as the decisions) ------------------------

@pytest.mark.parametrize("status, convert, cancel", [
    (ReferralStatus.REGISTERED, True, False), (ReferralStatus.VISITED, True, False),
    (ReferralStatus.PURCHASED, False, True), (ReferralStatus.REWARDED, False, True),
    (ReferralStatus.REJECTED, False, False), (ReferralStatus.CANCELLED, False, False),
])
def test_decisions_offered_follow_the_status(db, staff, status, convert, cancel):
    decisions = lifecycle.decisions_for(make_referral(status=status.value), staff)
    assert (decisions.allowed, decisions.party, decisions.convert, decisions.cancel) == (
        True, False, convert, cancel)


@pytest.mark.parametrize("role", ["member", "marketing", "partner"])
def test_no_decisions_without_the_permission(db, role):
    decisions = lifecycle.decisions_for(make_referral(), factories.make_user(role))
    assert not (decisions.allowed or decisions.party or decisions.convert or decisions.cancel)


def test_a_party_to_the_referral_is_offered_no_decision(db, staff):
    for referral in (make_referral(referrer=staff), make_referral(invitee=staff)):
        decisions = lifecycle.decisions_for(referral, staff)
        assert decisions.party and not (decisions.allowed or decisions.convert or decisions.cancel)
        with pytest.raises(services.ReferralError, match="part of"):
            lifecycle.log_visit(referral, staff, TODAY)
