"""The member catalog, a perk's page, its images and the home panel."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from portal.core.timeutil import utcnow
from portal.perks.models import PerkCategory
from portal.perks.services import save_perk_image
from tests.factories import make_perk
from tests.perks.helpers import count_queries, png_bytes


def _set_points(user, balance: int, lifetime: int | None = None) -> None:
    # Tests only: the cached figures belong to the points service.
    user.points_balance = balance
    user.points_lifetime = balance if lifetime is None else lifetime


def test_catalog_lists_active_perks_with_cost_stock_and_affordability(client, login, db):
    member = login("member")
    _set_points(member, 500)
    make_perk(title_en="Air-con cleaning", cost=300, stock=7)
    make_perk(title_en="Fee offset", cost=2000, stock=None)
    make_perk(title_en="Hidden perk", is_active=False)
    make_perk(title_en="Finished perk", ends_at=utcnow() - timedelta(days=1))

    page = client.get("/perks/").get_data(as_text=True)

    assert "Air-con cleaning" in page and "Fee offset" in page
    assert "Hidden perk" not in page and "Finished perk" not in page
    assert "7 left" in page and "Unlimited" in page
    assert "You can afford it" in page
    assert "1,500 points short" in page
    assert "Your balance: 500 points" in page


def test_catalog_filters_by_category_and_affordable_now(client, login):
    member = login("member")
    _set_points(member, 400)
    make_perk(title_en="Cleaning", category=PerkCategory.HOME_SERVICES.value, cost=300)
    make_perk(title_en="Workshop", category=PerkCategory.COMMUNITY_EVENTS.value, cost=200)
    make_perk(title_en="Dinner", category=PerkCategory.COMMUNITY_EVENTS.value, cost=900)

    events = client.get("/perks/?category=community_events").get_data(as_text=True)
    assert "Workshop" in events and "Dinner" in events and "Cleaning" not in events

    affordable = client.get("/perks/?category=community_events&affordable=1").get_data(as_text=True)
    assert "Workshop" in affordable and "Dinner" not in affordable

    everything = client.get("/perks/?category=' OR 1=1--").get_data(as_text=True)
    assert all(title in everything for title in ("Cleaning", "Workshop", "Dinner"))


def test_catalog_is_paginated_newest_first(client, login, db):
    login("member")
    now = utcnow()
    for i in range(14):
        make_perk(title_en=f"Perk number {i:02d}", created_at=now - timedelta(minutes=i))

    first = client.get("/perks/").get_data(as_text=True)
    second = client.get("/perks/?page=2").get_data(as_text=True)

    assert "Perk number 00" in first and "Perk number 11" in first
    assert "Perk number 12" not in first
    assert "Perk number 12" in second and "Perk number 13" in second
    assert first.index("Perk number 00") < first.index("Perk number 01")


def test_catalog_runs_a_constant_number_of_queries(client, login):
    login("member")
    make_perk()
    with count_queries() as few:
        assert client.get("/perks/").status_code == 200
    for _ in range(11):
        make_perk(image_name="0" * 32 + ".png", image_thumb_name="0" * 32 + "_t.png")
    with count_queries() as many:
        assert client.get("/perks/").status_code == 200
    assert len(many) == len(few) <= 6


def test_catalog_shows_tier_and_upcoming_badges(client, login):
    member = login("member")
    _set_points(member, 900, 6000)  # Silver
    make_perk(title_en="Gold thing", min_tier="gold", cost=100)
    make_perk(title_en="Silver thing", min_tier="silver", cost=100)
    make_perk(title_en="Soon thing", starts_at=utcnow() + timedelta(days=3))
    page = client.get("/perks/").get_data(as_text=True)
    assert "Gold and above" in page and "Silver and above" in page
    assert page.count("For Gold members and above") == 1
    assert "For Silver members and above" not in page
    assert "From " in page and "Soon thing" in page


def test_catalog_is_translated_and_falls_back_to_a_filled_language(client, login):
    login("member", locale="zh_Hans")
    make_perk(title_en="", title_zh_hant="免費冷氣清洗", cost=300)
    make_perk(title_en="Furniture deal", title_zh_hans="合作家具折扣", cost=300)
    page = client.get("/perks/").get_data(as_text=True)
    assert "免费冷气清洗" in page  # only Traditional filled: read in Simplified
    assert "合作家具折扣" in page and "Furniture deal" not in page
    assert "积分" in page


def test_detail_shows_the_perk_and_a_redeem_link(client, login):
    member = login("member")
    _set_points(member, 1000)
    perk = make_perk(title_en="Workshop", description_en="Line one\nLine two", cost=300,
                     stock=3, per_member_limit=2)
    page = client.get(f"/perks/{perk.id}").get_data(as_text=True)
    assert "Workshop" in page and "Line one\nLine two" in page
    assert "3 left" in page and "0 of 2 redeemed" in page
    assert 'id="redeem-blocker"' not in page


@pytest.mark.parametrize("fields, balance, lifetime, reason", [
    ({"stock": 0}, 1000, 0, "Sorry, this perk is out of stock."),
    ({"min_tier": "gold"}, 1000, 19_999, "This perk is for Gold members and above."),
    ({"cost": 1500}, 1000, 0, "You need 500 more points for this perk."),
    ({"starts_at_days": 2}, 1000, 0, "This perk is not available yet."),
    ({"ends_at_days": -1}, 1000, 0, "This perk is no longer available."),
])
def test_detail_explains_why_a_perk_cannot_be_redeemed(client, login, fields, balance, lifetime,
                                                      reason):
    member = login("member")
    _set_points(member, balance, lifetime)
    now = utcnow()
    if "starts_at_days" in fields:
        fields = {"starts_at": now + timedelta(days=fields["starts_at_days"])}
    if "ends_at_days" in fields:
        fields = {"ends_at": now + timedelta(days=fields["ends_at_days"])}
    perk = make_perk(**fields)
    page = client.get(f"/perks/{perk.id}").get_data(as_text=True)
    assert reason in page
    assert 'id="redeem-link"' not in page


def test_gold_member_meets_a_gold_perk(client, login):
    member = login("member")
    _set_points(member, 1000, 20_000)
    perk = make_perk(min_tier="gold")
    page = client.get(f"/perks/{perk.id}").get_data(as_text=True)
    assert 'id="redeem-blocker"' not in page


def test_unknown_or_inactive_perk_is_404(client, login):
    login("member")
    hidden = make_perk(is_active=False)
    assert client.get(f"/perks/{hidden.id}").status_code == 404
    assert client.get("/perks/999999").status_code == 404


def _stored(app):
    return save_perk_image(io.BytesIO(png_bytes((800, 600))))


def test_images_are_served_to_members_with_safe_headers(client, login, app):
    login("member")
    stored = _stored(app)
    perk = make_perk(image_name=stored.name, image_thumb_name=stored.thumb_name)
    response = client.get(f"/perks/{perk.id}/image/full")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    full_size = len(response.data)
    response.close()
    thumb = client.get(f"/perks/{perk.id}/image/thumb")
    assert thumb.status_code == 200 and len(thumb.data) < full_size
    thumb.close()
    assert client.get(f"/perks/{perk.id}/image/other").status_code == 404


def test_images_of_hidden_perks_only_for_marketing(client, login, app, db):
    from tests.conftest import log_in
    from tests.factories import make_user

    login("member")
    stored = _stored(app)
    perk = make_perk(image_name=stored.name, image_thumb_name=stored.thumb_name, is_active=False)
    assert client.get(f"/perks/{perk.id}/image/full").status_code == 404
    marketing = make_user("marketing")
    db.session.commit()
    log_in(client, marketing)
    response = client.get(f"/perks/{perk.id}/image/full")
    assert response.status_code == 200
    response.close()


def test_perk_without_image_or_unknown_perk_image_is_404(client, login):
    login("member")
    perk = make_perk()
    assert client.get(f"/perks/{perk.id}/image/full").status_code == 404
    assert client.get("/perks/424242/image/full").status_code == 404


def test_home_panel_shows_the_three_newest_available_perks(client, login):
    login("member")
    now = utcnow()
    make_perk(title_en="Oldest", created_at=now - timedelta(days=5))
    make_perk(title_en="Newer", created_at=now - timedelta(days=3))
    make_perk(title_en="Newest", created_at=now - timedelta(days=1))
    make_perk(title_en="Sold out", stock=0, created_at=now)
    make_perk(title_en="Upcoming", starts_at=now + timedelta(days=1), created_at=now)
    make_perk(title_en="Middle", created_at=now - timedelta(days=2))
    page = client.get("/").get_data(as_text=True)
    assert "New perks" in page
    assert "Newest" in page and "Middle" in page and "Newer" in page
    assert "Oldest" not in page and "Sold out" not in page and "Upcoming" not in page


def test_home_panel_hidden_for_staff_without_perks(client, login):
    login("service")
    make_perk(title_en="Cleaning")
    page = client.get("/").get_data(as_text=True)
    assert "New perks" not in page


def test_nav_shows_perks_to_members_only(client, login):
    login("member")
    assert 'href="/perks/"' in client.get("/").get_data(as_text=True)
    login("partner")
    assert 'href="/perks/"' not in client.get("/").get_data(as_text=True)
