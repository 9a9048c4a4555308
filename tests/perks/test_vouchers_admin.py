"""/admin/redemptions: service staff use vouchers; marketing lists and exports redemptions."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.core.timeutil import utcnow
from portal.notifications.models import Notification
from portal.perks.models import Redemption
from tests.factories import make_member, make_perk, make_redemption
from tests.perks.helpers import count_queries


def _audit(db, action):
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


@pytest.fixture
def voucher(db):
    member = make_member(display_name="陳大文")
    return make_redemption(member, make_perk(title_en="Air-con cleaning", cost=800),
                           voucher_code="ABCD2345WXYZ")


def test_service_desk_shows_the_lookup_form_but_no_list(client, login, voucher):
    login("service")
    page = client.get("/admin/redemptions/").get_data(as_text=True)
    assert 'id="lookup-form"' in page
    assert 'id="redemption-list"' not in page and "ABCD-2345-WXYZ" not in page


def test_marketing_sees_the_list_but_no_desk(client, login, voucher):
    login("marketing")
    page = client.get("/admin/redemptions/").get_data(as_text=True)
    assert 'id="lookup-form"' not in page
    assert 'id="redemption-list"' in page and "ABCD-2345-WXYZ" in page and "陳大文" in page


@pytest.mark.parametrize("typed", ["ABCD-2345-WXYZ", "abcd 2345 wxyz", "ABCD2345WXYZ",
                                   " abcd-2345-wxyz\n"])
def test_lookup_finds_the_voucher_however_it_was_typed(client, login, voucher, typed):
    login("service")
    response = client.post("/admin/redemptions/lookup", data={"code": typed})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="found-voucher"' in page and "陳大文" in page and "Air-con cleaning" in page
    assert 'id="fulfil-form"' in page


def test_lookup_maps_look_alike_letters(client, login, db):
    login("service")
    make_redemption(make_member(), voucher_code="0123A1B1C1D1")
    response = client.post("/admin/redemptions/lookup", data={"code": "OI23-AIBL-CLDI"})
    assert 'id="found-voucher"' in response.get_data(as_text=True)


@pytest.mark.parametrize("code, status", [("ZZZZ-ZZZZ-ZZZZ", 404), ("ABC", 404), ("", 400),
                                          ("x" * 41, 400)])
def test_lookup_of_unknown_or_bad_codes(client, login, voucher, code, status):
    login("service")
    response = client.post("/admin/redemptions/lookup", data={"code": code})
    assert response.status_code == status
    assert 'id="found-voucher"' not in response.get_data(as_text=True)


def test_fulfil_marks_used_audits_and_notifies(client, login, db, voucher):
    staff = login("service")
    response = client.post("/admin/redemptions/fulfil", data={"code": "abcd-2345-wxyz"})
    assert response.status_code == 302

    redemption = db.session.get(Redemption, voucher.id)
    assert redemption.status == "used" and redemption.used_by_id == staff.id
    assert redemption.used_at is not None
    [entry] = _audit(db, "perk.voucher_used")
    assert entry.actor_id == staff.id and entry.target_id == voucher.id
    assert entry.details["code"] == "ABCD2345WXYZ"
    note = db.session.scalar(select(Notification).where(Notification.user_id == voucher.member_id))
    assert note.message == "Your voucher for %(perk)s was used."
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Voucher ABCD-2345-WXYZ is used" in page and "陳大文" in page

    again = client.post("/admin/redemptions/fulfil", data={"code": "ABCD2345WXYZ"})
    assert again.status_code == 409
    assert "This voucher has already been used." in again.get_data(as_text=True)
    assert len(_audit(db, "perk.voucher_used")) == 1


@pytest.mark.parametrize("fields, reason", [
    ({"status": "cancelled"}, "This voucher was cancelled."),
    ({"expires_at": "past"}, "This voucher has expired."),
])
def test_cancelled_or_expired_vouchers_cannot_be_used(client, login, db, fields, reason):
    login("service")
    now = utcnow()
    if fields.get("expires_at") == "past":
        fields = {"created_at": now - timedelta(days=91), "expires_at": now - timedelta(days=1)}
    redemption = make_redemption(make_member(), **fields)
    response = client.post("/admin/redemptions/fulfil", data={"code": redemption.voucher_code})
    assert response.status_code == 409
    assert reason in response.get_data(as_text=True)
    assert db.session.get(Redemption, redemption.id).used_at is None
    assert _audit(db, "perk.voucher_used") == []


def test_fulfil_of_an_unknown_code(client, login, db):
    login("service")
    response = client.post("/admin/redemptions/fulfil", data={"code": "ZZZZZZZZZZZZ"})
    assert response.status_code == 409
    assert "No voucher has this code." in response.get_data(as_text=True)


def test_a_used_voucher_can_no_longer_be_cancelled_by_the_member(client, login, db, voucher):
    from tests.conftest import log_in

    login("service")
    client.post("/admin/redemptions/fulfil", data={"code": voucher.voucher_code})
    log_in(client, voucher.member)
    response = client.post(f"/perks/redemptions/{voucher.id}/cancel")
    assert response.status_code == 409
    assert db.session.get(Redemption, voucher.id).status == "used"


def _listing(db):
    now = utcnow()
    cleaning = make_perk(title_en="Cleaning")
    dinner = make_perk(title_en="Dinner")
    member = make_member(display_name="Ann")
    rows = {
        "issued": make_redemption(member, cleaning, created_at=now - timedelta(days=1)),
        "used": make_redemption(member, dinner, status="used", used_at=now,
                                created_at=now - timedelta(days=2)),
        "cancelled": make_redemption(member, cleaning, status="cancelled",
                                     created_at=now - timedelta(days=3)),
        "expired": make_redemption(member, dinner, created_at=now - timedelta(days=120),
                                   expires_at=now - timedelta(days=30)),
    }
    return cleaning, dinner, rows


@pytest.mark.parametrize("status", ["issued", "used", "cancelled", "expired"])
def test_list_filters_by_status(client, login, db, status):
    login("marketing")
    _cleaning, _dinner, rows = _listing(db)
    page = client.get(f"/admin/redemptions/?status={status}").get_data(as_text=True)
    for name, redemption in rows.items():
        assert (redemption.grouped_code in page) == (name == status)


def test_list_filters_by_perk_and_dates(client, login, db):
    login("marketing", timezone="UTC")
    cleaning, _dinner, rows = _listing(db)
    page = client.get(f"/admin/redemptions/?perk={cleaning.id}").get_data(as_text=True)
    assert rows["issued"].grouped_code in page and rows["cancelled"].grouped_code in page
    assert rows["used"].grouped_code not in page

    day = (utcnow() - timedelta(days=2)).date().isoformat()
    page = client.get(f"/admin/redemptions/?date_from={day}&date_to={day}").get_data(as_text=True)
    assert rows["used"].grouped_code in page
    assert rows["issued"].grouped_code not in page and rows["cancelled"].grouped_code not in page


def test_bad_filters_are_ignored_not_errors(client, login, db):
    login("marketing")
    _listing(db)
    response = client.get("/admin/redemptions/?status=' OR 1=1--&perk=abc&date_from=yesterday")
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("<code>") == 4


def test_list_runs_a_constant_number_of_queries(client, login, db):
    login("marketing")
    make_redemption(make_member())
    with count_queries() as few:
        client.get("/admin/redemptions/")
    for _ in range(15):
        make_redemption(make_member(), make_perk())
    with count_queries() as many:
        client.get("/admin/redemptions/")
    assert len(many) == len(few)


def _read_csv(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_export_with_bom_filters_and_no_formulas(client, login, db):
    staff = login("marketing", timezone="UTC")
    perk = make_perk(title_en="Cleaning", title_zh_hant="冷氣清洗")
    evil = make_member(display_name="=HYPERLINK(\"http://evil\",\"x\")", email="evil@example.com")
    make_redemption(evil, perk, voucher_code="ABCD2345WXYZ",
                    created_at=datetime(2026, 3, 1, 8, 30), expires_at=datetime(2099, 5, 30, 8, 30))
    make_redemption(make_member(display_name="-1+2"), perk, status="cancelled")
    response = client.post("/admin/redemptions/export", data={"status": "issued"})

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _read_csv(response)
    assert rows[0][:3] == ["Voucher code", "Status", "Perk"]
    assert len(rows) == 2  # the cancelled one is filtered out
    row = rows[1]
    assert row[0] == "ABCD-2345-WXYZ" and row[1] == "Issued"
    assert row[3] == "'=HYPERLINK(\"http://evil\",\"x\")"
    # Times in the club's time zone (UTC+8), whatever the downloading staff member's zone.
    assert row[4] == "evil@example.com" and row[6] == "2026-03-01 16:30"
    [entry] = _audit(db, "perk.redemptions_export")
    assert entry.actor_id == staff.id and entry.details["status"] == "issued"


def test_csv_export_in_chinese(client, login, db):
    login("marketing", locale="zh_Hant")
    perk = make_perk(title_en="Cleaning", title_zh_hant="冷氣清洗")
    make_redemption(make_member(display_name="陳大文"), perk)
    rows = _read_csv(client.post("/admin/redemptions/export", data={}))
    assert rows[0][0] == "兌換券編號"
    assert rows[1][2] == "冷氣清洗" and rows[1][3] == "陳大文" and rows[1][1] == "已發出"
