"""Small but seen: the perk title in the reader's language in the points history, and
times in CSV exports in the club's time zone."""

from __future__ import annotations

from datetime import datetime

from portal.core.csvexport import csv_time, safe_cell
from portal.perks import vouchers
from tests.factories import make_member, make_perk
from tests.points.helpers import earn


def test_history_shows_the_perk_title_in_the_readers_language(client, login, db):
    member = login(locale="en")
    earn(member, 1000, "k")
    perk = make_perk(title_zh_hant="免費洗車", title_zh_hans="免费洗车", title_en="Free car wash",
                     cost=300)
    redemption, _created = vouchers.redeem_perk(member, perk, nonce="n" * 20)
    vouchers.cancel_redemption(member, redemption)
    db.session.commit()
    page = client.get("/points").get_data(as_text=True)
    assert "Redeemed: Free car wash" in page and "Free car wash" in page
    member.locale = "zh_Hans"
    db.session.commit()
    page = client.get("/points").get_data(as_text=True)
    assert "免费洗车" in page and "Free car wash" not in page
    member.locale = "zh_Hant"
    db.session.commit()
    assert "免費洗車" in client.get("/points").get_data(as_text=True)


def test_an_old_entry_with_a_plain_title_still_reads(client, login, db):
    from portal.points.models import LedgerKind
    from portal.points.services import credit

    member = login(locale="en")
    credit(member, 5, kind=LedgerKind.REFUND, reason="Voucher cancelled: %(perk)s",
           reason_params={"perk": "舊禮遇"}, idempotency_key="old")
    db.session.commit()
    assert "Voucher cancelled: 舊禮遇" in client.get("/points").get_data(as_text=True)


def test_csv_times_are_in_the_clubs_time_zone(app):
    with app.app_context():
        assert csv_time(datetime(2026, 3, 2, 9, 30)) == "2026-03-02 17:30"  # UTC+8
        assert safe_cell(datetime(2026, 12, 31, 17, 5)) == "2027-01-01 01:05"
        assert csv_time(None) == "" and safe_cell(None) == ""
        app.config["BABEL_DEFAULT_TIMEZONE"] = "Europe/London"
        assert csv_time(datetime(2026, 7, 1, 9, 0)) == "2026-07-01 10:00"


def test_redemption_export_uses_the_clubs_zone_whoever_downloads(client, login, db):
    manager = login("marketing", timezone="America/New_York")
    member = make_member()
    earn(member, 1000, "k")
    perk = make_perk(title_en="Spa day", cost=100)
    redemption, _created = vouchers.redeem_perk(member, perk, nonce="m" * 20)
    redemption.created_at = datetime(2026, 3, 2, 9, 30)
    db.session.commit()
    body = client.post("/admin/redemptions/export").get_data(as_text=True)
    assert "2026-03-02 17:30" in body and "2026-03-02 04:30" not in body
    assert manager.timezone == "America/New_York"
