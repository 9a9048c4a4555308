"""Staff pages: a member's points and adjustments, tier thresholds, member look-up."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.notifications.models import Notification
from portal.points.models import LedgerEntry, PointsSetting
from portal.points.tiers import member_tier, thresholds
from tests.factories import make_member, make_user
from tests.points.helpers import BAD_AMOUNTS, earn, ledger_count, nonce_from


def adjust_form(client, member, amount, reason="Missed purchase reward", nonce=None):
    path = f"/admin/members/{member.id}/points"
    data = {"reason": reason, "nonce": nonce or nonce_from(client.get(path))}
    if amount is not None:
        data["amount"] = amount
    return client.post(path, data=data)


def test_admin_adds_points_with_a_reason_audited_and_notified(client, login, db, caplog):
    admin = login("admin")
    member = make_member(display_name="Chan", email="chan@example.com")
    earn(member, 100, "k")
    page = client.get(f"/admin/members/{member.id}/points").get_data(as_text=True)
    assert 'id="member-balance">100<' in page and "Welcome bonus" in page
    with caplog.at_level(logging.INFO, logger="portal.notifications.services"):
        response = adjust_form(client, member, "250")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Adjusted Chan&#39;s points by +250." in page
    assert "Adjustment by the club: Missed purchase reward" in page and admin.display_name in page
    assert (member.points_balance, member.points_lifetime) == (350, 350)
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "points.adjust"))
    assert (audit.actor_id, audit.target_id, audit.details["amount"]) == (admin.id, member.id, 250)
    assert audit.ip == "127.0.0.1"
    note = db.session.scalar(select(Notification).where(Notification.user_id == member.id))
    assert note.params == {"points": 250, "note": "Missed purchase reward"}
    assert "chan@example.com" in caplog.text and "Your balance is now 350 points." in caplog.text


def test_admin_removes_points_and_a_double_submit_acts_once(client, login, db, caplog):
    login("admin")
    member = make_member()
    earn(member, 500, "k")
    nonce = nonce_from(client.get(f"/admin/members/{member.id}/points"))
    with caplog.at_level(logging.INFO, logger="portal.notifications.services"):
        assert adjust_form(client, member, "-200", "Duplicate reward", nonce).status_code == 302
        assert adjust_form(client, member, "-200", "Duplicate reward", nonce).status_code == 302
    assert member.points_balance == 300 and member.points_lifetime == 500
    assert db.session.scalar(select(LedgerEntry.amount).where(LedgerEntry.kind == "adjust")) == -200
    assert ledger_count(db) == 2
    assert len(db.session.scalars(select(AuditEntry)).all()) == 1
    assert caplog.text.count("e-mail to") == 1


@pytest.mark.parametrize("amount", BAD_AMOUNTS)
def test_adjust_refuses_bad_amounts(client, login, db, amount):
    login("admin")
    member = make_member()
    response = adjust_form(client, member, amount)
    assert response.status_code == 400
    assert "Please correct the errors below." in response.get_data(as_text=True)
    assert ledger_count(db) == 0 and db.session.scalar(select(AuditEntry)) is None


@pytest.mark.parametrize(("amount", "reason", "message"), [
    ("100", "", "Give a reason for the adjustment."),
    ("100", "x" * 301, "Field cannot be longer than 300 characters."),
    ("-600", "Too many", "Not enough points: this needs 600."),
    ("0", "Zero", "Enter a whole number of points other than zero."),
])
def test_adjust_refusals_say_why(client, login, db, amount, reason, message):
    login("admin")
    member = make_member()
    earn(member, 500, "k")
    response = adjust_form(client, member, amount, reason)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert ledger_count(db) == 1


def test_accounts_without_points_cannot_be_adjusted(client, login, db):
    login("admin")
    partner = make_user("partner")
    page = client.get(f"/admin/members/{partner.id}/points").get_data(as_text=True)
    assert "This account does not collect points." in page and 'id="adjust-form"' not in page
    response = adjust_form(client, partner, "100", nonce="n" * 20)
    assert response.status_code == 400
    assert "This account does not collect points." in response.get_data(as_text=True)
    assert ledger_count(db) == 0


def test_unknown_member_is_404(client, login):
    login("admin")
    assert client.get("/admin/members/99999/points").status_code == 404
    assert client.post("/admin/members/99999/points", data={"amount": "1"}).status_code == 404


def test_member_page_links_to_points(client, login):
    login("admin")
    member = make_member()
    page = client.get(f"/admin/members/{member.id}").get_data(as_text=True)
    assert f'href="/admin/members/{member.id}/points"' in page
    page = client.get(f"/admin/members/{member.id}/points").get_data(as_text=True)
    assert f'href="/admin/members/{member.id}"' in page


def test_look_up_a_member_by_email(client, login):
    login("admin")
    member = make_member(email="chan@example.com")
    response = client.get("/admin/points?email=Chan@Example.com")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/members/{member.id}/points"
    page = client.get("/admin/points?email=nobody@example.com").get_data(as_text=True)
    assert "There is no member with this email." in page
    page = client.get("/admin/points").get_data(as_text=True)
    assert "Platinum" in page and "50,000" in page and "There is no member" not in page


# --- tiers -------------------------------------------------------------------------------------


def test_admin_edits_tier_thresholds(client, login, db):
    admin = login("admin")
    member = make_member()
    earn(member, 3000, "k")
    page = client.get("/admin/points/settings").get_data(as_text=True)
    assert 'value="5000"' in page and 'value="20000"' in page and 'value="50000"' in page
    response = client.post("/admin/points/settings",
                           data={"silver": "2000", "gold": "10000", "platinum": "30000"})
    assert response.status_code == 302
    assert "Tier thresholds saved." in client.get(response.headers["Location"]).get_data(as_text=True)
    assert thresholds() == {"member": 0, "silver": 2000, "gold": 10000, "platinum": 30000}
    assert member_tier(member).code == "silver"
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "points.tiers"))
    assert audit.actor_id == admin.id and audit.details["before"]["silver"] == 5000
    assert client.post("/admin/points/settings",
                       data={"silver": "2500", "gold": "10000", "platinum": "30000"}).status_code == 302
    assert db.session.get(PointsSetting, "tier.silver").value == 2500


@pytest.mark.parametrize(("data", "message"), [
    ({"silver": "5000", "gold": "5000", "platinum": "9000"},
     "Each tier needs more points than the one below it, and more than 0."),
    ({"silver": "9000", "gold": "5000", "platinum": "60000"},
     "Each tier needs more points than the one below it, and more than 0."),
    ({"silver": "0", "gold": "5000", "platinum": "60000"}, "Enter between 1 and 10000000 points."),
    ({"silver": "1.5", "gold": "5000", "platinum": "60000"}, "Enter a whole number."),
    ({"gold": "5000", "platinum": "60000"}, "Enter a number of points."),
])
def test_tier_thresholds_must_rise(client, login, db, data, message):
    login("admin")
    response = client.post("/admin/points/settings", data=data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(PointsSetting)) is None


@pytest.mark.parametrize(("lifetime", "code"), [
    (0, "member"), (4999, "member"), (5000, "silver"), (19_999, "silver"), (20_000, "gold"),
    (50_000, "platinum"), (9_000_000, "platinum")])
def test_tier_from_lifetime_points(db, lifetime, code):
    member = make_member()
    if lifetime:
        earn(member, lifetime, "k")
    assert member_tier(member).code == code


def test_tier_names_are_translated(client, login):
    member = login(locale="zh_Hant")
    earn(member, 20_000, "k")
    page = client.get("/points").get_data(as_text=True)
    assert "金卡" in page and "白金卡" in page  # the catalog shares these with perks
