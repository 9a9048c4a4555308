"""The points lists answer hostile ?page= values with a real page; the base tier's name."""

from __future__ import annotations

import pytest

from tests.factories import make_member
from tests.points.helpers import earn

HOSTILE_PAGES = ["99999999999999999999", "-1", "0", "abc", "1e3", "%ff%fe", "9" * 5000]


def _history(member, count: int) -> None:
    for index in range(count):
        earn(member, 10 + index, f"h{index}", reason="Gift from %(name)s",
             reason_params={"name": f"N{index:02d}"})


@pytest.mark.parametrize("page", HOSTILE_PAGES)
def test_member_history_survives_hostile_pages(client, login, page):
    member = login()
    _history(member, 25)
    response = client.get(f"/points?page={page}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'id="points-history"' in body and "Gift from N" in body


def test_an_absurd_page_is_the_first_and_one_past_the_end_the_last(client, login):
    member = login()
    _history(member, 25)
    body = client.get("/points?page=99999999999999999999").get_data(as_text=True)
    assert "Gift from N24" in body and "Gift from N00" not in body
    body = client.get("/points?page=5").get_data(as_text=True)
    assert "Gift from N00" in body and "Gift from N24" not in body


@pytest.mark.parametrize("page", HOSTILE_PAGES)
def test_staff_history_survives_hostile_pages(client, login, page):
    login("admin")
    member = make_member()
    _history(member, 35)
    response = client.get(f"/admin/members/{member.id}/points?page={page}")
    assert response.status_code == 200
    assert "Gift from N" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/admin/members/99999999999999999999/points",
                                  "/admin/members/0/points", "/admin/members/-1/points"])
def test_hostile_member_ids_are_404(client, login, path):
    login("admin")
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("email", ["x" * 5000, "a@b.c" * 100, "%ff%fe"])
def test_member_lookup_survives_hostile_emails(client, login, email):
    login("admin")
    assert client.get(f"/admin/points?email={email}").status_code == 200


@pytest.mark.parametrize(("locale", "name"), [("zh_Hant", "普通會員"), ("zh_Hans", "普通会员"),
                                              ("en", "Member")])
def test_the_base_tier_reads_as_the_tier_not_the_role(client, login, locale, name):
    login(locale=locale)
    body = client.get("/points").get_data(as_text=True)
    assert f'<strong class="tier-member">{name}</strong>' in body


def test_tier_settings_link_only_for_who_may_edit_them(client, login):
    login("admin")
    assert "/admin/points/settings" in client.get("/admin/points").get_data(as_text=True)
