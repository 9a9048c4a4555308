"""The perk status the service computes for one member — the templates only display it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.core.errors import DomainError
from portal.core.timeutil import utcnow
from portal.perks import catalog
from portal.perks.errors import NonceReused, PerkError, VoucherError
from portal.perks.services import PerkError as ReexportedPerkError
from tests.factories import make_member, make_perk, make_redemption


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context("/?lang=en"):
        yield


def _member(balance: int, lifetime: int = 0):
    return make_member(points_balance=balance, points_lifetime=lifetime)


def test_perk_errors_derive_from_the_one_domain_error():
    assert ReexportedPerkError is PerkError
    for error in (PerkError, VoucherError, NonceReused):
        assert issubclass(error, DomainError)


@pytest.mark.parametrize(("balance", "cost", "affordable", "short", "after"), [
    (500, 300, True, 0, 200), (300, 300, True, 0, 0), (299, 300, False, 1, -1), (0, 300, False, 300, -300),
])
def test_affordability_and_points_short(app, balance, cost, affordable, short, after):
    [status] = catalog.statuses(_member(balance), [make_perk(cost=cost)])
    assert (status.is_affordable, status.points_short, status.balance_after) == (affordable, short, after)


@pytest.mark.parametrize(("lifetime", "min_tier", "locked", "needs_tier"), [
    (0, "member", False, False), (0, "silver", True, True), (5_000, "silver", False, True),
    (19_999, "gold", True, True), (20_000, "gold", False, True), (0, "diamond", False, False),
])
def test_tier_lock_and_tier_badge(app, lifetime, min_tier, locked, needs_tier):
    [status] = catalog.statuses(_member(0, lifetime), [make_perk(min_tier=min_tier)])
    assert (status.tier_locked, status.needs_tier) == (locked, needs_tier)


def test_tier_label_is_the_tiers_name(app):
    [status] = catalog.statuses(_member(0), [make_perk(min_tier="gold")])
    assert str(status.min_tier_label) == "Gold"


def test_upcoming_and_stock(app):
    now = utcnow()
    perks = [make_perk(starts_at=now + timedelta(days=2), stock=0), make_perk(stock=3),
             make_perk(starts_at=now - timedelta(days=1))]
    upcoming, in_stock, started = catalog.statuses(_member(0), perks, now)
    assert (upcoming.is_upcoming, upcoming.is_out_of_stock) == (True, True)
    assert (in_stock.is_upcoming, in_stock.is_out_of_stock) == (False, False)
    assert started.is_upcoming is False


def test_the_catalog_knows_no_held_count_or_blocker(app):
    [status] = catalog.statuses(_member(0), [make_perk(cost=100)])
    assert status.held is None and status.blocker is None


def test_a_perks_own_page_adds_held_vouchers_and_the_blocker(app):
    member = _member(1000)
    perk = make_perk(cost=100, per_member_limit=2)
    make_redemption(member, perk)
    make_redemption(member, perk, status="cancelled")  # does not count
    status = catalog.perk_status(member, perk)
    assert status.held == 1 and status.blocker is None and status.can_redeem
    make_redemption(member, perk)
    status = catalog.perk_status(member, perk)
    assert status.held == 2 and not status.can_redeem
    assert str(status.blocker) == "You have reached the limit of 2 per member for this perk."


@pytest.mark.parametrize(("category", "expected"), [
    ("community_events", "community_events"), ("", ""), (None, ""), ("' OR 1=1--", ""),
    ("x" * 5000, ""), ("HOME_SERVICES", ""),
])
def test_catalog_page_keeps_only_known_categories(app, category, expected):
    view = catalog.catalog_page(_member(0), category=category, affordable=False)
    assert view.category == expected
    assert set(view.categories) == {"home_services", "community_events", "partner_discounts",
                                    "property_fee_offsets"}


def test_catalog_page_affordable_keeps_what_the_balance_covers(app):
    cheap, dear = make_perk(cost=100), make_perk(cost=900)
    view = catalog.catalog_page(_member(500), category=None, affordable=True)
    assert [s.perk.id for s in view.perks] == [cheap.id]
    view = catalog.catalog_page(_member(500), category=None, affordable=False)
    assert {s.perk.id for s in view.perks} == {cheap.id, dear.id}
    assert [s.is_affordable for s in view.perks if s.perk.id == dear.id] == [False]


def test_the_catalog_page_shows_what_the_status_says(client, login):
    member = login("member")
    member.points_balance, member.points_lifetime = 250, 0
    make_perk(title_en="Gold only", min_tier="gold", cost=100)
    make_perk(title_en="Too dear", cost=400)
    make_perk(title_en="Cheap", cost=200)
    page = client.get("/perks/").get_data(as_text=True)
    assert page.count("For Gold members and above") == 1
    assert "150 points short" in page and page.count("You can afford it") == 1
    assert page.count("Gold and above") == 1


def test_base_tier_badge_is_never_shown_and_the_tier_name_is_translated(client, login):
    login("member", locale="zh_Hant")
    make_perk(title_zh_hant="門檻", min_tier="silver")
    base = make_perk(title_zh_hant="普通", min_tier="member")
    page = client.get("/perks/").get_data(as_text=True)
    assert "銀卡" in page
    assert "普通會員" not in page  # the base tier gets no badge at all
    detail = client.get(f"/perks/{base.id}").get_data(as_text=True)
    assert '<dd class="col-7">普通會員</dd>' in detail
