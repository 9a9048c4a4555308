"""Members redeem perks (confirmation + one-time nonce), hold vouchers and cancel them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.core.timeutil import utcnow
from portal.perks.models import Perk, Redemption
from portal.perks.vouchers import CODE_ALPHABET, CODE_LENGTH
from portal.points.models import LedgerEntry
from portal.points.services import find_differences
from tests.conftest import log_in
from tests.factories import make_member, make_perk, make_redemption, make_user
from tests.perks.helpers import confirm_form, fund


def _ledger(db, member_id: int) -> list[LedgerEntry]:
    return list(db.session.scalars(select(LedgerEntry).where(LedgerEntry.member_id == member_id)
                                   .order_by(LedgerEntry.id)))


def _redemptions(db) -> list[Redemption]:
    return list(db.session.scalars(select(Redemption).order_by(Redemption.id)))


@pytest.fixture
def member(login):
    member = login("member")
    fund(member, 1000)
    return member


def test_confirmation_page_shows_cost_and_balance_after(client, member):
    perk = make_perk(title_en="Air-con cleaning", cost=300)
    page = client.get(f"/perks/{perk.id}/redeem").get_data(as_text=True)
    assert "Redeem Air-con cleaning?" in page
    assert "300 points" in page and "700 points" in page
    assert 'id="redeem-form"' in page


def test_redeem_takes_stock_and_points_and_issues_a_voucher(client, member, db):
    perk = make_perk(title_en="Workshop", cost=300, stock=5)
    form = confirm_form(client, perk.id)
    response = client.post(f"/perks/{perk.id}/redeem", data=form)

    [redemption] = _redemptions(db)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/perks/redemptions/{redemption.id}"
    assert redemption.member_id == member.id and redemption.status == "issued"
    assert redemption.cost == 300 and redemption.nonce == form["nonce"]
    assert len(redemption.voucher_code) == CODE_LENGTH
    assert set(redemption.voucher_code) <= set(CODE_ALPHABET)
    assert redemption.expires_at - redemption.created_at == timedelta(days=90)
    assert db.session.get(Perk, perk.id).stock == 4
    db.session.refresh(member)
    assert member.points_balance == 700
    debit = _ledger(db, member.id)[-1]
    assert (debit.amount, debit.kind) == (-300, "redeem")
    assert debit.idempotency_key == f"perk-redeem:{form['nonce']}"
    assert (debit.source_type, debit.source_id) == ("perk_redemptions", redemption.id)
    # Every language's title: the history shows the reader's one.
    assert debit.reason_params == {"perk": {"zh_Hant": "", "zh_Hans": "", "en": "Workshop"}}
    assert find_differences() == []

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Redeemed! Show this voucher to claim your perk." in page
    assert redemption.grouped_code in page
    assert f"/perks/redemptions/{redemption.id}/qr.svg" in page


def test_replayed_post_redeems_once_and_shows_the_same_voucher(client, member, db):
    perk = make_perk(cost=300, stock=5)
    form = confirm_form(client, perk.id)
    first = client.post(f"/perks/{perk.id}/redeem", data=form)
    second = client.post(f"/perks/{perk.id}/redeem", data=form)
    assert first.headers["Location"] == second.headers["Location"]
    assert len(_redemptions(db)) == 1
    assert db.session.get(Perk, perk.id).stock == 4
    assert [e.amount for e in _ledger(db, member.id)] == [1000, -300]
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "You already redeemed this; here is your voucher." in page


def test_a_new_confirmation_redeems_again(client, member, db):
    perk = make_perk(cost=100)
    client.post(f"/perks/{perk.id}/redeem", data=confirm_form(client, perk.id))
    client.post(f"/perks/{perk.id}/redeem", data=confirm_form(client, perk.id))
    assert len(_redemptions(db)) == 2
    assert db.session.get(Perk, perk.id).stock is None  # unlimited stays unlimited


def test_another_members_nonce_is_refused(client, member, db):
    perk = make_perk(cost=100)
    other = make_member()
    fund(other, 500)
    theirs = make_redemption(other, perk, nonce="x" * 32)
    response = client.post(f"/perks/{perk.id}/redeem", data={"nonce": theirs.nonce, "cost": "100"})
    assert response.status_code == 409
    assert "This confirmation was already used." in response.get_data(as_text=True)
    assert len(_redemptions(db)) == 1


def _assert_nothing_changed(db, member, perk, stock, redemptions=0):
    assert len(_redemptions(db)) == redemptions
    assert db.session.get(Perk, perk.id).stock == stock
    db.session.refresh(member)
    assert member.points_balance == 1000
    assert [e.amount for e in _ledger(db, member.id)] == [1000]


@pytest.mark.parametrize("fields, reason", [
    ({"stock": 0}, "Sorry, this perk is out of stock."),
    ({"min_tier": "silver"}, "This perk is for Silver members and above."),
    ({"cost": 1001}, "You need 1 more points for this perk."),
    ({"starts_at": "future"}, "This perk is not available yet."),
    ({"ends_at": "past"}, "This perk is no longer available."),
])
def test_refusals_show_the_page_again_and_change_nothing(client, member, db, fields, reason):
    now = utcnow()
    fields = {k: (now + timedelta(days=1) if v == "future" else now - timedelta(minutes=1)
                  if v == "past" else v) for k, v in fields.items()}
    perk = make_perk(cost=fields.pop("cost", 300), **fields)
    response = client.post(f"/perks/{perk.id}/redeem", data={"nonce": "n" * 32,
                                                             "cost": str(perk.cost)})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert reason in page
    _assert_nothing_changed(db, member, perk, perk.stock)


def test_confirmation_page_explains_a_refusal_without_a_form(client, member):
    perk = make_perk(stock=0)
    page = client.get(f"/perks/{perk.id}/redeem").get_data(as_text=True)
    assert "Sorry, this perk is out of stock." in page
    assert 'id="redeem-form"' not in page


def test_per_member_limit(client, member, db):
    perk = make_perk(cost=100, stock=10, per_member_limit=2)
    for _ in range(2):
        assert client.post(f"/perks/{perk.id}/redeem",
                           data=confirm_form(client, perk.id)).status_code == 302
    response = client.post(f"/perks/{perk.id}/redeem", data={"nonce": "m" * 32, "cost": "100"})
    assert response.status_code == 409
    assert "You have reached the limit of 2 per member for this perk." in response.get_data(
        as_text=True)
    assert len(_redemptions(db)) == 2 and db.session.get(Perk, perk.id).stock == 8


def test_cancelled_vouchers_do_not_count_towards_the_limit(client, member, db):
    perk = make_perk(cost=100, per_member_limit=1)
    client.post(f"/perks/{perk.id}/redeem", data=confirm_form(client, perk.id))
    [redemption] = _redemptions(db)
    client.post(f"/perks/redemptions/{redemption.id}/cancel")
    assert client.post(f"/perks/{perk.id}/redeem",
                       data=confirm_form(client, perk.id)).status_code == 302


def test_a_changed_cost_asks_to_confirm_again(client, member, db):
    perk = make_perk(cost=100, stock=3)
    form = confirm_form(client, perk.id)
    perk.cost = 150
    response = client.post(f"/perks/{perk.id}/redeem", data=form)
    assert response.status_code == 409
    assert "The cost of this perk is now 150 points. Please confirm again." in response.get_data(
        as_text=True)
    _assert_nothing_changed(db, member, perk, 3)


@pytest.mark.parametrize("data", [
    {}, {"nonce": "", "cost": "100"}, {"nonce": "short", "cost": "100"},
    {"nonce": "<script>alert(1)</script>-----", "cost": "100"},
    {"nonce": "a" * 32}, {"nonce": "a" * 32, "cost": "-100"}, {"nonce": "a" * 32, "cost": "1e2"},
])
def test_bad_confirmations_are_refused(client, member, db, data):
    perk = make_perk(cost=100, stock=3)
    response = client.post(f"/perks/{perk.id}/redeem", data=data)
    assert response.status_code == 400
    assert "This confirmation has expired. Please confirm again." in response.get_data(as_text=True)
    _assert_nothing_changed(db, member, perk, 3)


def test_unknown_or_inactive_perk_cannot_be_redeemed(client, member, db):
    hidden = make_perk(is_active=False)
    assert client.post(f"/perks/{hidden.id}/redeem", data={"nonce": "a" * 32, "cost": "100"}
                       ).status_code == 404
    assert client.get(f"/perks/{hidden.id}/redeem").status_code == 404
    assert client.post("/perks/4242/redeem", data={"nonce": "a" * 32}).status_code == 404
    assert _redemptions(db) == []


def test_a_failure_after_the_debit_rolls_everything_back(client, member, db, app, monkeypatch):
    import portal.perks.vouchers as vouchers

    real_debit = vouchers.debit

    def debit_then_fail(*args, **kwargs):
        real_debit(*args, **kwargs)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(vouchers, "debit", debit_then_fail)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    perk = make_perk(cost=300, stock=2)
    response = client.post(f"/perks/{perk.id}/redeem", data=confirm_form(client, perk.id))
    assert response.status_code == 500
    assert "disk on fire" not in response.get_data(as_text=True)
    _assert_nothing_changed(db, member, perk, 2)


# --- my vouchers --------------------------------------------------------------------------

def test_my_vouchers_show_status_qr_and_cancel_buttons(client, member, db):
    now = utcnow()
    issued = make_redemption(member, make_perk(title_en="Issued perk"))
    used = make_redemption(member, make_perk(title_en="Used perk"), status="used", used_at=now)
    cancelled = make_redemption(member, make_perk(title_en="Cancelled perk"), status="cancelled")
    expired = make_redemption(member, make_perk(title_en="Expired perk"),
                              created_at=now - timedelta(days=100),
                              expires_at=now - timedelta(days=10))
    old = make_redemption(member, make_perk(title_en="Old perk"),
                          created_at=now - timedelta(days=8))
    other = make_redemption(make_member(), make_perk(title_en="Someone else's"))

    page = client.get("/perks/redemptions").get_data(as_text=True)

    for label in ("Issued", "Used", "Cancelled", "Expired"):
        assert f">{label}</span>" in page
    assert "Someone else" not in page and other.grouped_code not in page
    assert f"/perks/redemptions/{issued.id}/qr.svg" in page
    assert f"/perks/redemptions/{old.id}/qr.svg" in page
    for r in (used, cancelled, expired):
        assert f"/perks/redemptions/{r.id}/qr.svg" not in page
    assert f"/perks/redemptions/{issued.id}/cancel" in page
    for r in (used, cancelled, expired, old):
        assert f"/perks/redemptions/{r.id}/cancel" not in page
    assert page.index("Issued perk") < page.index("Old perk") < page.index("Expired perk")


def test_qr_code_is_an_svg_of_the_voucher_code(client, member, db):
    redemption = make_redemption(member)
    response = client.get(f"/perks/redemptions/{redemption.id}/qr.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    body = response.get_data(as_text=True)
    assert body.startswith("<svg") and "<path" in body
    assert "script" not in body.lower() and "href" not in body.lower()


def test_qr_of_a_used_voucher_is_gone(client, member):
    used = make_redemption(member, status="used", used_at=utcnow())
    assert client.get(f"/perks/redemptions/{used.id}/qr.svg").status_code == 404


def test_another_members_voucher_is_404_everywhere(client, member, db):
    other = make_member()
    fund(other, 100)
    theirs = make_redemption(other, make_perk(stock=1))
    for path in (f"/perks/redemptions/{theirs.id}", f"/perks/redemptions/{theirs.id}/qr.svg"):
        assert client.get(path).status_code == 404
    assert client.post(f"/perks/redemptions/{theirs.id}/cancel").status_code == 404
    assert db.session.get(Redemption, theirs.id).status == "issued"
    assert client.get("/perks/redemptions/999999").status_code == 404


def test_cancel_refunds_points_and_returns_stock(client, member, db):
    perk = make_perk(cost=300, stock=5)
    client.post(f"/perks/{perk.id}/redeem", data=confirm_form(client, perk.id))
    [redemption] = _redemptions(db)

    response = client.post(f"/perks/redemptions/{redemption.id}/cancel")

    assert response.status_code == 302
    redemption = db.session.get(Redemption, redemption.id)
    assert redemption.status == "cancelled" and redemption.cancelled_at is not None
    assert db.session.get(Perk, perk.id).stock == 5
    db.session.refresh(member)
    assert member.points_balance == 1000
    assert member.points_lifetime == 1000  # a refund is not earning
    refund = _ledger(db, member.id)[-1]
    assert (refund.amount, refund.kind) == (300, "refund")
    assert refund.idempotency_key == f"perk-cancel:{redemption.id}"
    assert find_differences() == []
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The voucher was cancelled and 300 points were refunded." in page

    again = client.post(f"/perks/redemptions/{redemption.id}/cancel")
    assert again.status_code == 409
    assert "This voucher was cancelled." in again.get_data(as_text=True)
    assert len(_ledger(db, member.id)) == 3


def test_cancel_of_an_unlimited_perk_keeps_it_unlimited(client, member, db):
    perk = make_perk(cost=100)
    client.post(f"/perks/{perk.id}/redeem", data=confirm_form(client, perk.id))
    [redemption] = _redemptions(db)
    assert client.post(f"/perks/redemptions/{redemption.id}/cancel").status_code == 302
    assert db.session.get(Perk, perk.id).stock is None


@pytest.mark.parametrize("fields, reason", [
    ({"status": "used"}, "This voucher has already been used."),
    ({"created_days": 8}, "Vouchers can be cancelled only within 7 days of redeeming."),
    ({"expired": True}, "This voucher has expired."),
])
def test_cancel_refused(client, member, db, fields, reason):
    now = utcnow()
    values = {}
    if "status" in fields:
        values = {"status": fields["status"], "used_at": now}
    if "created_days" in fields:
        values = {"created_at": now - timedelta(days=fields["created_days"])}
    if "expired" in fields:
        values = {"created_at": now - timedelta(days=2), "expires_at": now - timedelta(days=1)}
    perk = make_perk(stock=3)
    redemption = make_redemption(member, perk, **values)
    response = client.post(f"/perks/redemptions/{redemption.id}/cancel")
    assert response.status_code == 409
    assert reason in response.get_data(as_text=True)
    assert db.session.get(Redemption, redemption.id).status == values.get("status", "issued")
    assert db.session.get(Perk, perk.id).stock == 3
    assert [e.amount for e in _ledger(db, member.id)] == [1000]


def test_pages_in_chinese(client, login, db):
    member = login("member", locale="zh_Hant")
    fund(member, 1000)
    perk = make_perk(title_zh_hant="親子手工工作坊", cost=300, stock=2)
    page = client.get(f"/perks/{perk.id}/redeem").get_data(as_text=True)
    assert "確認兌換" in page
    client.post(f"/perks/{perk.id}/redeem", data=confirm_form(client, perk.id))
    page = client.get("/perks/redemptions").get_data(as_text=True)
    assert "我的兌換券" in page and "已發出" in page
    assert "尚餘 1 份" in client.get("/perks/").get_data(as_text=True)
    client.post(f"/perks/{perk.id}/redeem", data=confirm_form(client, perk.id))
    response = client.post(f"/perks/{perk.id}/redeem", data={"nonce": "z" * 32, "cost": "300"})
    assert response.status_code == 409
    assert "抱歉，此禮遇已換完。" in response.get_data(as_text=True)


def test_redeem_with_csrf_enabled_needs_the_token(app, client, member, db):
    app.config["WTF_CSRF_ENABLED"] = True
    perk = make_perk(cost=100, stock=2)
    response = client.post(f"/perks/{perk.id}/redeem", data={"nonce": "q" * 32, "cost": "100"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Redemption)) == 0
    page = client.get(f"/perks/{perk.id}/redeem").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = confirm_form(client, perk.id)
    assert client.post(f"/perks/{perk.id}/redeem",
                       data={**form, "csrf_token": token}).status_code == 302


def test_member_without_redeem_permission_cannot_redeem(client, db):
    partner = make_user("partner")
    db.session.commit()
    log_in(client, partner)
    perk = make_perk()
    assert client.post(f"/perks/{perk.id}/redeem", data={"nonce": "a" * 32}).status_code == 403
