"""Perk services without HTTP: tiers, catalog rules, stock, demo data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.core.timeutil import utcnow
from portal.perks import catalog, services
from portal.perks.models import Perk, Redemption
from portal.perks.services import PerkData, PerkError
from portal.perks.tiers import meets_tier, member_tier, tier_rank
from portal.points.services import find_differences
from tests.factories import make_member, make_perk, make_user
from tests.perks.helpers import fund


@pytest.fixture(autouse=True)
def _request(app):
    """Messages are translated when shown, which needs a request (English here)."""
    with app.test_request_context("/?lang=en"):
        yield


@pytest.mark.parametrize("lifetime, tier", [
    (0, "member"), (4_999, "member"), (5_000, "silver"), (19_999, "silver"),
    (20_000, "gold"), (50_000, "platinum"), (900_000, "platinum"),
])
def test_member_tier_from_lifetime_points(app, lifetime, tier):
    member = make_member(points_lifetime=lifetime)
    assert member_tier(member) == tier
    assert meets_tier(member, tier)
    assert meets_tier(member, "member")


def test_unknown_tier_keys_rank_lowest(app):
    assert tier_rank("diamond") == 0
    assert not meets_tier(make_member(points_lifetime=0), "platinum")


def test_redeem_blocker_order_and_none_when_all_is_well(app):
    now = utcnow()
    member = make_member(points_balance=100, points_lifetime=100)
    perk = make_perk(cost=100, stock=1, per_member_limit=1)
    assert catalog.redeem_blocker(member, perk, now=now, held=0, balance=100) is None
    assert "limit of 1" in str(catalog.redeem_blocker(member, perk, now=now, held=1, balance=100))
    perk.is_active = False
    assert "no longer available" in str(catalog.redeem_blocker(member, perk, now=now, held=0,
                                                                 balance=100))


@pytest.mark.parametrize("change, message", [
    ({"title_zh_hant": "", "title_zh_hans": "", "title_en": " "}, "title in at least one"),
    ({"category": "lottery"}, "Choose a category."),
    ({"min_tier": "diamond"}, "Choose a tier."),
    ({"cost": 0}, "at least 1 point"),
    ({"stock": -1}, "cannot be negative"),
    ({"per_member_limit": 0}, "at least 1"),
    ({"starts_at_days": 5, "ends_at_days": 1}, "end must be after the start"),
])
def test_create_perk_rules_hold_without_the_form(app, db, change, message):
    actor = make_user("marketing")
    values = {"title_en": "A perk", "cost": 10}
    now = utcnow()
    if "starts_at_days" in change:
        change = {"starts_at": now + timedelta(days=change["starts_at_days"]),
                  "ends_at": now + timedelta(days=change["ends_at_days"])}
    with pytest.raises(PerkError, match=message):
        services.create_perk(PerkData(**{**values, **change}), image=None, actor=actor)
    assert db.session.scalar(select(Perk)) is None


def test_catalog_query_hides_inactive_and_ended(app, db):
    now = utcnow()
    shown = make_perk()
    upcoming = make_perk(starts_at=now + timedelta(days=1))
    make_perk(is_active=False)
    make_perk(ends_at=now - timedelta(seconds=1))
    found = list(db.session.scalars(catalog.catalog_query(now=now)))
    assert {p.id for p in found} == {shown.id, upcoming.id}


def test_change_stock_rejects_unknown_action(app):
    perk = make_perk(stock=3)
    with pytest.raises(PerkError):
        services.change_stock(perk, "steal", 1, actor=make_user("marketing"))


def test_voucher_codes_are_grouped_for_reading():
    assert Redemption(voucher_code="ABCD2345WXYZ").grouped_code == "ABCD-2345-WXYZ"


def test_demo_perks_seed_once_with_images(app, db):
    from portal.perks.demo import DEMO_PERKS, seed_perks

    make_user("marketing", email="marketing@demo.club")
    member = make_member(email="member@demo.club")
    seed_perks()
    assert db.session.scalar(select(Redemption)) is None  # no points yet: no voucher
    fund(member, 3000)
    seed_perks()
    seed_perks()
    perks = list(db.session.scalars(select(Perk)))
    assert len(perks) == len(DEMO_PERKS) >= 8
    assert all(p.title_zh_hant and p.title_zh_hans and p.title_en for p in perks)
    with_images = [p for p in perks if p.image_name]
    assert len(with_images) >= 2
    assert all((services.image_folder() / p.image_name).exists() for p in with_images)
    assert any(p.stock is not None and p.stock <= 2 for p in perks)
    assert {p.category for p in perks} == {"home_services", "community_events",
                                           "partner_discounts", "property_fee_offsets"}
    [voucher] = db.session.scalars(select(Redemption)).all()
    assert voucher.member_id == member.id and voucher.status == "issued"
    assert find_differences() == []
