"""Fraud rules at registration: who may be referred, by whom, and only once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.core.timeutil import utcnow
from portal.referrals import services
from portal.referrals.models import Referral, ReferralStatus
from tests import factories

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def referrer(db):
    return factories.make_member(email="wang@example.com", phone="+86 138-0013-8000",
                                 display_name="王小明")


@pytest.fixture
def code(referrer):
    return services.ensure_code(referrer).code


def _count(db) -> int:
    return db.session.query(Referral).count()


def test_a_new_member_is_attached_to_the_referrer(db, referrer, code):
    invitee = factories.make_member()
    referral = services.attach_referral(invitee, code.lower())
    assert referral.referrer_id == referrer.id and referral.invitee_id == invitee.id
    assert referral.status == ReferralStatus.REGISTERED
    assert referral.code == code


def test_no_code_is_no_referral(db):
    assert services.attach_referral(factories.make_member(), "  ") is None
    assert services.attach_referral(factories.make_member(), None) is None
    assert _count(db) == 0


@pytest.mark.parametrize("bad", ["ZZZZZZZZ", "not a code", "<script>", "1' OR '1'='1"])
def test_unknown_or_malformed_code_is_refused(db, referrer, code, bad):
    with pytest.raises(services.ReferralError, match="does not exist"):
        services.attach_referral(factories.make_member(), bad)
    assert _count(db) == 0


def test_own_code_is_refused(db, referrer, code):
    with pytest.raises(services.ReferralError, match="own referral code"):
        services.attach_referral(referrer, code)
    assert _count(db) == 0


@pytest.mark.parametrize("email", ["wang+second@example.com", "WANG+x@Example.com"])
def test_same_email_with_a_tag_is_self_referral(db, referrer, code, email):
    with pytest.raises(services.ReferralError, match="own referral code"):
        services.attach_referral(factories.make_member(email=email), code)
    assert _count(db) == 0


def test_gmail_dots_are_the_same_address(db):
    referrer = factories.make_member(email="wang.xiao@gmail.com")
    code = services.ensure_code(referrer).code
    with pytest.raises(services.ReferralError, match="own referral code"):
        services.attach_referral(factories.make_member(email="wangxiao+2@googlemail.com"), code)


@pytest.mark.parametrize("phone", ["13800138000", "+86 (138) 0013 8000", "8613800138000"])
def test_same_phone_is_self_referral(db, referrer, code, phone):
    with pytest.raises(services.ReferralError, match="own referral code"):
        services.attach_referral(factories.make_member(phone=phone), code)
    assert _count(db) == 0


def test_phone_of_another_existing_member_is_not_new(db, referrer, code):
    factories.make_member(phone="139-0000-1111")
    with pytest.raises(services.ReferralError, match="new members only"):
        services.attach_referral(factories.make_member(phone="13900001111"), code)
    assert _count(db) == 0


def test_a_member_registered_earlier_cannot_be_referred(db, referrer, code):
    old = factories.make_member(created_at=utcnow() - timedelta(days=3))
    with pytest.raises(services.ReferralError, match="new members only"):
        services.attach_referral(old, code)
    assert _count(db) == 0


def test_an_owner_cannot_be_referred(db, referrer, code):
    owner = factories.make_member()
    factories.make_ownership(owner, verified=False)  # even a pending claim
    with pytest.raises(services.ReferralError, match="new members only"):
        services.attach_referral(owner, code)
    assert _count(db) == 0


def test_first_valid_code_wins(db, referrer, code):
    invitee = factories.make_member()
    services.attach_referral(invitee, code)
    other_code = services.ensure_code(factories.make_member()).code
    with pytest.raises(services.ReferralError, match="already referred"):
        services.attach_referral(invitee, other_code)
    referrals = db.session.query(Referral).all()
    assert [(r.referrer_id, r.invitee_id) for r in referrals] == [(referrer.id, invitee.id)]


def test_unique_invitee_holds_even_when_the_check_is_raced(db, referrer, code, monkeypatch):
    """Two registrations racing past the read: UNIQUE(invitee_id) turns the second into an error."""
    invitee = factories.make_member()
    services.attach_referral(invitee, code)
    real_scalar = db.session.scalar
    calls = {"n": 0}

    def blind_count(statement, *args, **kwargs):
        calls["n"] += 1
        result = real_scalar(statement, *args, **kwargs)
        return 0 if "referrals" in str(statement) and "count" in str(statement).lower() else result

    other = services.ensure_code(factories.make_member()).code
    monkeypatch.setattr(db.session, "scalar", blind_count)
    with pytest.raises(services.ReferralError, match="already referred"):
        services.attach_referral(invitee, other)
    monkeypatch.undo()
    assert db.session.query(Referral).count() == 1
