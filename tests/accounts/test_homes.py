"""My homes: ask for verification; staff approve, reject or link units."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select

from portal.accounts.models import Ownership, OwnershipStatus, User
from portal.audit.models import AuditEntry
from portal.core.timeutil import utcnow
from portal.notifications.models import Notification
from tests import factories


@pytest.fixture
def unit(db):
    unit = factories.make_unit("Jade Lake", "1棟", "801")
    db.session.commit()
    return unit


def _ask(client, target, **overrides):
    """The last step of the picker: the unit chosen from its building's list."""
    data = {"unit": str(target.id), "contract_number": "JL-2019-0801",
            "purchased_on": "2019-06-18"}
    data.update(overrides)
    return client.post("/account/homes", data=data, query_string={
        "development": target.building.development_id, "building": target.building_id,
        "lang": "en"})


def _ownerships(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Ownership))


def test_member_asks_for_verification(client, db, login, unit):
    member = login("member")
    page = client.get("/account/homes?lang=en")
    assert page.status_code == 200
    assert "You have no homes with us yet." in page.get_data(as_text=True)
    assert "Jade Lake (Shenzhen)" in page.get_data(as_text=True)

    response = _ask(client, unit)
    assert response.status_code == 302
    ownership = db.session.scalars(select(Ownership)).one()
    assert (ownership.user_id, ownership.unit_id, ownership.status) == (member.id, unit.id, "pending")
    assert ownership.contract_number == "JL-2019-0801"
    assert ownership.purchased_on == date(2019, 6, 18)

    page = client.get("/account/homes?lang=en").get_data(as_text=True)
    assert "Jade Lake · 1棟 · 801" in page and "Waiting for verification" in page
    assert "Verified homeowner" not in page


@pytest.mark.parametrize(("field", "value", "message"), [
    ("unit", "9999", "Not a valid choice."),
    ("unit", "", "Choose your unit."),
    ("unit", "abc", "Enter a whole number."),
    ("unit", "9" * 20, "Enter a whole number."),
    ("unit", "0", "Not a valid choice."),
    ("contract_number", "", "Enter the contract number."),
    ("contract_number", "C" * 65, "Field cannot be longer than 64 characters."),
    ("purchased_on", "18/06/2019", "Not a valid date value."),
    ("purchased_on", "2019-02-30", "Not a valid date value."),
])
def test_bad_requests_save_nothing(client, db, login, unit, field, value, message):
    login("member")
    response = _ask(client, unit, **{field: value})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _ownerships(db) == 0


def test_messages_are_translated(client, db, login, unit):
    login("member", locale="zh_Hant")
    response = _ask(client, unit, unit="")
    assert response.status_code == 400
    assert "請選擇你的單位。" in response.get_data(as_text=True)
    response = _ask(client, unit, purchased_on="nope", contract_number="")
    page = response.get_data(as_text=True)
    assert "請輸入合約編號。" in page
    assert "不是有效的日期值" in page


def test_duplicate_request_is_refused(client, db, login, unit):
    login("member")
    assert _ask(client, unit).status_code == 302
    again = _ask(client, unit, contract_number="OTHER")
    assert again.status_code == 400
    assert "You have already asked for this unit." in again.get_data(as_text=True)
    assert _ownerships(db) == 1
    assert db.session.scalars(select(Ownership)).one().contract_number == "JL-2019-0801"


def test_a_declined_request_can_be_asked_again(client, db, login, unit):
    member = login("member")
    ownership = factories.make_ownership(member, unit, verified=False)
    ownership.status = OwnershipStatus.REJECTED.value
    ownership.reject_reason = "Contract number does not match"
    db.session.commit()
    page = client.get("/account/homes?lang=en").get_data(as_text=True)
    assert "Declined" in page and "Reason: Contract number does not match" in page
    assert _ask(client, unit, contract_number="JL-NEW").status_code == 302
    db.session.refresh(ownership)
    assert (ownership.status, ownership.reject_reason, ownership.contract_number) == (
        "pending", "", "JL-NEW")


# --- staff queue ------------------------------------------------------------------

def _pending(n: int, start=None) -> list[Ownership]:
    start = start or utcnow() - timedelta(days=30)
    rows = []
    for i in range(n):
        ownership = factories.make_ownership(factories.make_member(), verified=False)
        ownership.requested_at = start + timedelta(hours=i)
        rows.append(ownership)
    return rows


def test_queue_lists_pending_requests_oldest_first(client, db, login):
    rows = _pending(3)
    rows[0].requested_at, rows[2].requested_at = rows[2].requested_at, rows[0].requested_at
    done = factories.make_ownership(factories.make_member(), verified=True)
    login("service")
    page = client.get("/admin/homes?lang=en").get_data(as_text=True)
    order = [page.index(f'id="request-{o.id}"') for o in (rows[2], rows[1], rows[0])]
    assert order == sorted(order)
    assert f'id="request-{done.id}"' not in page
    assert "oldest first: 3" in page


def test_queue_is_paginated_with_a_constant_number_of_queries(client, db, login, app):
    _pending(25)
    login("service")
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        first = client.get("/admin/homes?lang=en").get_data(as_text=True)
        first_count = len(statements)
        statements.clear()
        second = client.get("/admin/homes?page=2&lang=en").get_data(as_text=True)
        second_count = len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert first.count('class="list-group-item" id="request-') == 20
    assert second.count('class="list-group-item" id="request-') == 5
    assert first_count == second_count <= 8


def test_staff_approves_a_request(client, db, login, caplog):
    member = factories.make_member(locale="en")
    ownership = factories.make_ownership(member, verified=False)
    staff = login("service")
    caplog.set_level("INFO", logger="portal.notifications.services")
    response = client.post(f"/admin/homes/{ownership.id}/approve?lang=en")
    assert response.status_code == 302
    db.session.refresh(ownership)
    assert ownership.status == "verified" and ownership.decided_by_id == staff.id
    assert ownership.decided_at is not None
    note = db.session.scalars(select(Notification).where(Notification.user_id == member.id)).one()
    assert note.params == {"unit": ownership.unit.label}
    audit = db.session.scalars(select(AuditEntry)).one()
    assert (audit.action, audit.actor_id, audit.target_id) == ("ownership.approve", staff.id,
                                                                ownership.id)
    assert any(f"e-mail to {member.email}" in r.getMessage() for r in caplog.records)
    # The member now shows as a verified homeowner in the header.
    from tests.conftest import log_in

    log_in(client, member)
    assert "Verified homeowner" in client.get("/?lang=en").get_data(as_text=True)


def test_staff_rejects_with_a_reason(client, db, login):
    member = factories.make_member(locale="en")
    ownership = factories.make_ownership(member, verified=False)
    login("admin")
    field = f"r{ownership.id}-reason"
    empty = client.post(f"/admin/homes/{ownership.id}/reject?lang=en", data={field: "  "})
    assert empty.status_code == 400
    assert "Give a reason for the rejection." in empty.get_data(as_text=True)
    too_long = client.post(f"/admin/homes/{ownership.id}/reject?lang=en", data={field: "x" * 501})
    assert too_long.status_code == 400
    db.session.refresh(ownership)
    assert ownership.status == "pending"

    response = client.post(f"/admin/homes/{ownership.id}/reject", data={field: "Not on the contract"})
    assert response.status_code == 302
    db.session.refresh(ownership)
    assert (ownership.status, ownership.reject_reason) == ("rejected", "Not on the contract")
    note = db.session.scalars(select(Notification).where(Notification.user_id == member.id)).one()
    assert note.params["reason"] == "Not on the contract"


def test_a_decided_request_cannot_be_decided_again(client, db, login):
    ownership = factories.make_ownership(factories.make_member(), verified=False)
    login("service")
    assert client.post(f"/admin/homes/{ownership.id}/approve").status_code == 302
    again = client.post(f"/admin/homes/{ownership.id}/reject?lang=en",
                        data={f"r{ownership.id}-reason": "changed my mind"})
    assert again.status_code == 409
    assert "This request has already been decided." in again.get_data(as_text=True)
    twice = client.post(f"/admin/homes/{ownership.id}/approve?lang=en")
    assert twice.status_code == 409
    db.session.refresh(ownership)
    assert ownership.status == "verified"
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 1


def test_unknown_request_is_404(client, db, login):
    login("service")
    assert client.post("/admin/homes/999999/approve").status_code == 404
    assert client.post("/admin/homes/999999/reject", data={"r999999-reason": "x"}).status_code == 404


def test_member_cannot_use_the_queue(client, db, login):
    ownership = factories.make_ownership(factories.make_member(), verified=False)
    login("member")
    assert client.post(f"/admin/homes/{ownership.id}/approve").status_code == 403
    db.session.refresh(ownership)
    assert ownership.status == "pending"
    assert db.session.get(User, ownership.user_id).is_verified_homeowner is False


def test_wtforms_messages_follow_the_script(client, db, login, unit):
    login("member", locale="zh_Hant")
    traditional = _ask(client, unit, unit="999999").get_data(as_text=True)
    assert "不是有效的選項" in traditional
    login("member", locale="zh_Hans")
    simplified = _ask(client, unit, unit="999999").get_data(as_text=True)
    assert "不是有效的选项" in simplified
