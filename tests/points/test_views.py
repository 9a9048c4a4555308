"""/points and /points/gift as a member uses them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.core.timeutil import utcnow
from portal.notifications.models import Notification
from portal.points.models import LedgerEntry, LedgerKind
from portal.points.services import credit, debit, find_differences
from tests.factories import make_member
from tests.points.helpers import BAD_AMOUNTS, earn, ledger_count, nonce_from


def test_points_page_shows_balance_tier_expiring_points_and_history(client, login, db, app):
    member = login()
    credit(member, 1000, kind=LedgerKind.EARN, reason="Welcome bonus",
                  idempotency_key="a", earned_at=utcnow() - timedelta(days=700))
    earn(member, 5500, "b", reason="Home purchase reward (%(contract)s)",
         reason_params={"contract": "JL-1"})
    debit(member, 200, kind=LedgerKind.REDEEM, reason="Gift from %(name)s",
          reason_params={"name": "Amy"}, idempotency_key="c")
    page = client.get("/points").get_data(as_text=True)
    assert '<p class="display-6 mb-0" id="points-balance">6,300</p>' in page
    assert "Silver" in page and "13,500 more points to Gold." in page
    assert '<progress class="w-100" value="1500" max="15000"' in page
    assert "Points expiring in the next 90 days" in page and ">800<" in page
    history = page.split('id="points-history"')[1]
    assert history.index("Gift from Amy") < history.index("Home purchase reward (JL-1)") \
        < history.index("Welcome bonus")
    assert "−200" in history and "+5,500" in history


def test_history_is_in_the_members_language_and_paginated(client, login):
    member = login(locale="zh_Hant")
    for index in range(25):
        earn(member, 10 + index, f"k{index}", reason="Gift from %(name)s",
             reason_params={"name": f"N{index}"})
    page = client.get("/points").get_data(as_text=True)
    assert "N24贈送" in page and "N5贈送" in page and "N4贈送" not in page
    assert "積分餘額" in page or "餘額" in page
    second = client.get("/points?page=2").get_data(as_text=True)
    assert "N4贈送" in second and "N0贈送" in second and "N5贈送" not in second


def test_top_tier_and_nothing_expiring(client, login):
    member = login()
    earn(member, 60_000, "k")
    page = client.get("/points").get_data(as_text=True)
    assert "Platinum" in page and "You have reached the highest tier." in page
    assert "None of your points expire in the next 90 days." in page


def test_home_panel_and_nav_for_members_only(client, login):
    member = login()
    earn(member, 5000, "k")
    home = client.get("/").get_data(as_text=True)
    assert 'id="points-panel"' in home and "5,000" in home and "Silver" in home
    assert 'href="/points"' in home


def test_no_points_panel_or_nav_for_service_staff(client, login):
    login("service")
    home = client.get("/").get_data(as_text=True)
    assert 'id="points-panel"' not in home and 'href="/points"' not in home


# --- gifts -------------------------------------------------------------------------------------


def gift_form(client, email, amount, nonce=None, confirmed="1"):
    """Post the gift form; `confirmed="1"` is the second step (from the confirmation page),
    "" the first (which shows the confirmation page)."""
    nonce = nonce or nonce_from(client.get("/points/gift"))
    data = {"email": email, "nonce": nonce, "confirmed": confirmed}
    if amount is not None:
        data["amount"] = amount
    return client.post("/points/gift", data=data)


def test_gift_to_a_family_member_shows_in_both_histories(client, login, db):
    sender = login(display_name="Ann")
    recipient = make_member(email="bob@example.com", display_name="Bob")
    earn(sender, 1000, "k")
    page = client.get("/points/gift").get_data(as_text=True)
    assert "you can still gift 5,000" in page
    response = gift_form(client, " Bob@Example.com ", "300")
    assert response.status_code == 302 and response.headers["Location"] == "/points"
    page = client.get("/points").get_data(as_text=True)
    assert "You gave 300 points to Bob." in page and "Gift to Bob" in page and "−300" in page
    assert (sender.points_balance, recipient.points_balance) == (700, 300)
    note = db.session.scalar(select(Notification).where(Notification.user_id == recipient.id))
    assert note.kind == "points_gift" and note.link == "/points"
    from tests.conftest import log_in
    log_in(client, recipient)
    page = client.get("/points").get_data(as_text=True)
    assert "Gift from Ann" in page and "+300" in page
    assert find_differences() == []


def test_double_submitted_gift_form_gifts_once(client, login, db):
    sender = login()
    recipient = make_member(email="bob@example.com")
    earn(sender, 1000, "k")
    nonce = nonce_from(client.get("/points/gift"))
    assert gift_form(client, "bob@example.com", "300", nonce).status_code == 302
    assert gift_form(client, "bob@example.com", "300", nonce).status_code == 302
    assert (sender.points_balance, recipient.points_balance) == (700, 300)
    assert ledger_count(db) == 3


@pytest.mark.parametrize("amount", BAD_AMOUNTS)
def test_gift_refuses_bad_amounts(client, login, db, amount):
    sender = login()
    make_member(email="bob@example.com")
    earn(sender, 1000, "k")
    response = gift_form(client, "bob@example.com", amount)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Please correct the errors below." in page
    assert any(message in page for message in (
        "Enter a whole number.", "Enter between 100 and 10000000 points.", "Enter a number of points."))
    assert ledger_count(db) == 1 and sender.points_balance == 1000


@pytest.mark.parametrize(("email", "amount", "message"), [
    ("nobody@example.com", "100", "There is no member with this email."),
    ("not an email", "100", "There is no member with this email."),
    ("partner@example.com", "100", "There is no member with this email."),
    ("me@example.com", "100", "You cannot gift points to yourself."),
    ("bob@example.com", "5000", "Not enough points: this needs 5,000."),
    ("bob@example.com", "99", "Enter between 100 and 10000000 points."),
    ("", "100", "Enter the email of the member you want to gift points to."),
])
def test_gift_refusals_say_why(client, login, db, email, amount, message):
    sender = login(email="me@example.com")
    make_member(email="bob@example.com")
    from tests.factories import make_user
    make_user("partner", email="partner@example.com")
    earn(sender, 1000, "k")
    response = gift_form(client, email, amount)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    preview = gift_form(client, email, amount, confirmed="")  # refused before confirming too
    assert preview.status_code == 400 and message in preview.get_data(as_text=True)
    assert "Confirm gift" not in preview.get_data(as_text=True)
    assert ledger_count(db) == 1


def test_gift_shows_the_recipients_name_before_confirming(client, login, db):
    sender = login(display_name="Ann")
    recipient = make_member(email="bob@example.com", display_name='Bob "><b>Chan</b>')
    earn(sender, 1000, "k")
    nonce = nonce_from(client.get("/points/gift"))
    preview = gift_form(client, " Bob@Example.com ", "300", nonce, confirmed="")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Confirm your gift" in page
    assert "Bob &#34;&gt;&lt;b&gt;Chan&lt;/b&gt;" in page and "<b>Chan</b>" not in page
    assert "bob@example.com" in page and ">700<" in page  # balance afterwards
    assert 'name="confirmed" type="hidden" value="1"' in page or 'value="1"' in page
    assert ledger_count(db) == 1 and recipient.points_balance == 0  # nothing moved yet
    assert nonce_from(preview) == nonce  # confirming uses the same once-only token
    done = gift_form(client, "bob@example.com", "300", nonce)
    assert done.status_code == 302 and recipient.points_balance == 300
    assert gift_form(client, "bob@example.com", "300", nonce).status_code == 302  # replay
    assert recipient.points_balance == 300


def test_gift_confirmation_in_chinese(client, login, db):
    sender = login(locale="zh_Hant")
    make_member(email="bob@example.com", display_name="陳大文")
    earn(sender, 1000, "k")
    page = gift_form(client, "bob@example.com", "300", confirmed="").get_data(as_text=True)
    assert "確認贈送" in page and "陳大文" in page


def test_gift_daily_cap(client, login, app):
    app.config["POINTS_GIFT_DAILY_CAP"] = 500
    sender = login()
    make_member(email="bob@example.com")
    earn(sender, 5000, "k")
    assert gift_form(client, "bob@example.com", "400").status_code == 302
    response = gift_form(client, "bob@example.com", "200")
    assert response.status_code == 400
    assert "You can gift at most 500 points in 24 hours; 100 left." in response.get_data(as_text=True)
    assert "you can still gift 100" in client.get("/points/gift").get_data(as_text=True)


@pytest.mark.parametrize("nonce", ["", "short", "x" * 65, "bad nonce with spaces!!"])
def test_gift_needs_a_fresh_form(client, login, db, nonce):
    sender = login()
    make_member(email="bob@example.com")
    earn(sender, 1000, "k")
    response = client.post("/points/gift", data={"email": "bob@example.com", "amount": "100",
                                                 "nonce": nonce})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This form has expired. Please submit it again." in page
    assert nonce_from(response) != nonce  # a new one to submit with
    assert ledger_count(db) == 1


def test_gift_form_in_chinese(client, login):
    login(locale="zh_Hans")
    response = client.post("/points/gift", data={"email": "x@example.com", "amount": "abc",
                                                 "nonce": "n" * 20})
    assert response.status_code == 400
    assert "赠送积分" in response.get_data(as_text=True)


def test_ledger_rows_of_a_gift(client, login, db):
    sender = login()
    recipient = make_member(email="bob@example.com")
    earn(sender, 1000, "k")
    gift_form(client, "bob@example.com", "100")
    rows = db.session.execute(select(LedgerEntry.member_id, LedgerEntry.amount, LedgerEntry.kind)
                              .where(LedgerEntry.kind == "gift").order_by(LedgerEntry.id)).all()
    assert rows == [(sender.id, -100, "gift"), (recipient.id, 100, "gift")]


@pytest.mark.parametrize(("email", "amount", "field", "message"), [
    ("nobody@example.com", "100", "email", "There is no member with this email."),
    ("bob@example.com", "5000", "amount", "Not enough points: this needs 5,000."),
])
def test_a_refused_gift_puts_the_reason_at_its_field_and_writes_nothing(
        client, login, db, email, amount, field, message):
    sender = login()
    make_member(email="bob@example.com")
    earn(sender, 1000, "k")
    response = gift_form(client, email, amount)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    field_block = page.split(f'id="{field}"', 1)[1].split("<label", 1)[0]
    assert f'<div class="invalid-feedback d-block">{message}</div>' in field_block
    assert ledger_count(db) == 1
    assert db.session.scalar(select(Notification)) is None
