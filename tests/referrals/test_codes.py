"""Codes: alphabet, normalisation of typed codes, uniqueness; masking of names."""

from __future__ import annotations

import pytest

from portal.referrals import services
from portal.referrals.models import ReferralCode
from tests import factories

pytestmark = pytest.mark.usefixtures("english")


def test_generated_codes_are_short_unambiguous_and_varied(app):
    codes = {services.generate_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert len(code) == 8
        assert not set(code) & set("ILOU")
        assert services.normalise_code(code) == code


@pytest.mark.parametrize("typed, expected", [
    ("abcd2345", "ABCD2345"),
    (" ab-cd 2345 ", "ABCD2345"),
    ("O1IL2345", "01112345"),  # look-alikes read as digits
    ("https://club.example/join/abcd2345", "ABCD2345"),
])
def test_typed_codes_are_normalised(typed, expected):
    assert services.normalise_code(typed) == expected


@pytest.mark.parametrize("typed", [
    "", None, "ABC", "ABCD23456", "ABCD234U", "ABCD234!", "ＡＢＣＤ２３４５", "' OR 1=1--", "A" * 5000,
])
def test_malformed_codes_are_refused(typed):
    assert services.normalise_code(typed) is None


def test_ensure_code_is_stable_per_member(db):
    member = factories.make_member()
    first = services.ensure_code(member)
    assert services.ensure_code(member).code == first.code
    assert db.session.query(ReferralCode).filter_by(user_id=member.id).count() == 1


def test_ensure_code_retries_a_collision(db, monkeypatch):
    taken = services.ensure_code(factories.make_member()).code
    fresh = iter([taken, taken, "ZZZZ2345"])
    monkeypatch.setattr(services, "generate_code", lambda: next(fresh))
    code = services.ensure_code(factories.make_member())
    assert code.code == "ZZZZ2345"
    assert db.session.query(ReferralCode).count() == 2


def test_ensure_code_gives_up_after_repeated_collisions(db, monkeypatch):
    taken = services.ensure_code(factories.make_member()).code
    monkeypatch.setattr(services, "generate_code", lambda: taken)
    with pytest.raises(services.ReferralError):
        services.ensure_code(factories.make_member())
    assert db.session.query(ReferralCode).count() == 1


def test_find_referrer_ignores_unknown_inactive_and_staff(db):
    member = factories.make_member()
    code = services.ensure_code(member).code
    assert services.find_referrer(code.lower()) == member
    assert services.find_referrer("ZZZZZZZZ") is None
    member.is_active_account = False
    assert services.find_referrer(code) is None
    staff = factories.make_user("service")
    assert services.find_referrer(services.ensure_code(staff).code) is None


@pytest.mark.parametrize("name, masked", [
    ("王小明", "王**"),
    ("王五", "王**"),
    ("John Smith", "J. S."),
    ("john ronald reuel tolkien", "J. R."),
    ("Amy", "A."),
    ("  ", "***"),
    (None, "***"),
    ("123 456", "***"),
    ("陳 大文", "陳**"),
])
def test_names_are_masked(name, masked):
    assert services.mask_name(name) == masked
