"""Codes: alphabet, normalisation of typed codes (through portal.core.codes), uniqueness;
masking of names."""

from __future__ import annotations

import re

import pytest

from portal.core import codes as core_codes
from portal.referrals import services
from portal.referrals.models import ReferralCode
from tests import factories

pytestmark = pytest.mark.usefixtures("english")

# The format stored since referrals began: existing codes must keep matching.
STORED_FORMAT = re.compile(r"[0-9ABCDEFGHJKMNPQRSTVWXYZ]{8}")


def test_generated_codes_are_short_unambiguous_and_varied(app):
    codes = {core_codes.random_code(services.CODE_LENGTH) for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert STORED_FORMAT.fullmatch(code)
        assert not set(code) & set("ILOU")
        assert services.normalise_code(code) == code


def test_ensure_code_stores_a_core_code_in_the_old_format(db, monkeypatch):
    asked = []

    def spy(length: int) -> str:
        asked.append(length)
        return "K7M2P9QR"

    monkeypatch.setattr(core_codes, "random_code", spy)
    assert services.ensure_code(factories.make_member()).code == "K7M2P9QR"
    assert asked == [8]
    monkeypatch.undo()
    assert STORED_FORMAT.fullmatch(services.ensure_code(factories.make_member()).code)


def test_a_code_stored_before_the_core_codes_still_matches(db):
    """Rows written by the old generator are found by what members type today."""
    member = factories.make_member()
    db.session.add(ReferralCode(user_id=member.id, code="ABCD2345"))
    db.session.flush()
    for typed in ("ABCD2345", "abcd2345", " abcd-2345 ", "ab_cd 2345", "https://x.example/join/abcd2345"):
        assert services.find_referrer(typed) == member, typed


@pytest.mark.parametrize("typed", [
    "abcd2345", " ab-cd 2345 ", "O1IL2345", "abcd_2345", "ABCD234U", "ABC", "ＡＢＣＤ２３４５", "",
])
def test_normalisation_is_the_core_one(typed):
    assert services.normalise_code(typed) == core_codes.normalise_code(typed.strip(), 8)


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
    monkeypatch.setattr(core_codes, "random_code", lambda length: next(fresh))
    code = services.ensure_code(factories.make_member())
    assert code.code == "ZZZZ2345"
    assert db.session.query(ReferralCode).count() == 2


def test_ensure_code_gives_up_after_repeated_collisions(db, monkeypatch):
    taken = services.ensure_code(factories.make_member()).code
    monkeypatch.setattr(core_codes, "random_code", lambda length: taken)
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
