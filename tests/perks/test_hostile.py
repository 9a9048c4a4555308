"""Every perks list answers hostile ?page= values and filters with a real page, never a 500;
voucher codes and their QR come from the shared core pieces."""

from __future__ import annotations

import pytest

from portal.core.codes import ALPHABET
from portal.core.qr import qr_svg
from portal.perks import vouchers
from tests.factories import make_member, make_perk, make_redemption

HOSTILE = ["99999999999999999999", "-99999999999999999999", "-1", "0", "abc", "%ff%fe",
           "x" * 5000]


@pytest.mark.parametrize("value", HOSTILE)
def test_catalog_survives_hostile_pages_and_filters(client, login, value):
    login("member")
    make_perk(title_en="Shown perk")
    response = client.get(f"/perks/?page={value}&category={value}&affordable={value}")
    assert response.status_code == 200
    assert "Shown perk" in response.get_data(as_text=True)


@pytest.mark.parametrize("value", HOSTILE)
def test_my_vouchers_survive_hostile_pages(client, login, value):
    member = login("member")
    voucher = make_redemption(member, make_perk())
    response = client.get(f"/perks/redemptions?page={value}")
    assert response.status_code == 200
    assert voucher.grouped_code in response.get_data(as_text=True)


@pytest.mark.parametrize("value", HOSTILE)
def test_admin_perk_list_survives_hostile_pages(client, login, value):
    login("marketing")
    make_perk(title_en="Listed perk")
    response = client.get(f"/admin/perks/?page={value}")
    assert response.status_code == 200
    assert "Listed perk" in response.get_data(as_text=True)


@pytest.mark.parametrize("value", HOSTILE)
def test_redemption_list_survives_hostile_pages_and_filters(client, login, value):
    login("marketing")
    voucher = make_redemption(make_member(), make_perk())
    query = "&".join(f"{name}={value}" for name in ("page", "status", "perk", "date_from", "date_to"))
    response = client.get(f"/admin/redemptions/?{query}")
    assert response.status_code == 200
    assert voucher.grouped_code in response.get_data(as_text=True)  # bad filters are ignored


def test_a_20_digit_perk_filter_is_ignored_in_the_export_too(client, login):
    login("marketing")
    make_redemption(make_member(), make_perk())
    response = client.post("/admin/redemptions/export", data={"perk": "9" * 20, "status": "x" * 99})
    assert response.status_code == 200
    assert len(response.get_data(as_text=True).strip().splitlines()) == 2  # header + the row


def test_repeated_keys_take_the_first_value(client, login):
    login("marketing")
    voucher = make_redemption(make_member(), make_perk())
    response = client.get("/admin/redemptions/?status=issued&status=used&page=1&page=x")
    assert response.status_code == 200
    assert voucher.grouped_code in response.get_data(as_text=True)


def test_the_last_page_is_shown_past_the_end(client, login):
    login("marketing")
    for index in range(32):
        make_perk(title_en=f"Listed {index:02d}")
    body = client.get("/admin/perks/?page=9").get_data(as_text=True)
    assert body.count('/edit"') == 2


@pytest.mark.parametrize("path", ["/perks/99999999999999999999", "/perks/0",
                                  "/perks/redemptions/99999999999999999999",
                                  "/admin/perks/99999999999999999999/edit"])
def test_hostile_ids_in_paths_are_404(client, login, path):
    login("admin")
    assert client.get(path).status_code == 404


# --- shared pieces ---------------------------------------------------------------------------

def test_voucher_codes_use_the_shared_alphabet(app):
    codes = {vouchers.new_voucher_code() for _ in range(50)}
    assert len(codes) == 50
    assert all(len(code) == vouchers.CODE_LENGTH and set(code) <= set(ALPHABET) for code in codes)


@pytest.mark.parametrize("typed", ["", "x" * 5000, "ABCD-2345-WXY", "ABCD-2345-WXYZ-1", "ABCU2345WXYZ",
                                   "ＡＢＣＤ２３４５ＷＸＹＺ", "ABCD\x002345WXYZ"])
def test_find_voucher_refuses_what_is_not_a_code(db, typed):
    make_redemption(make_member(), voucher_code="ABCD2345WXYZ")
    assert vouchers.find_voucher(typed) is None


def test_the_voucher_qr_is_the_shared_qr(db):
    voucher = make_redemption(make_member(), voucher_code="ABCD2345WXYZ")
    assert vouchers.voucher_qr_svg(voucher) == qr_svg("ABCD2345WXYZ")
