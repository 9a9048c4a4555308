"""Accounts on PostgreSQL: the migrations, the main pages, and the races that SQLite cannot
show (threads with their own connections, released together by a Barrier)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from portal.accounts import services
from portal.accounts.models import Ownership, Unit, User
from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.notifications.models import Notification
from tests import factories
from tests.accounts.helpers import login_form, mails_to, reset_path, sign_up
from tests.conftest import log_in
from tests.support.race import migrated_postgres_app, race

pytestmark = pytest.mark.postgres

WORKERS = 12


@pytest.fixture
def pg_app(tmp_path, postgres_server):
    with migrated_postgres_app(tmp_path, postgres_server, "accounts") as app:
        yield app


def run_together(app, work: Callable[[int], str]) -> Counter:
    """How many of WORKERS simultaneous `work(i)` ended with each outcome."""
    outcome = race(app, WORKERS, work, refusal=services.AccountError,
                   describe=lambda _error: "refused")
    return Counter(outcome.results)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_concurrent_registrations_of_one_email_make_one_account(pg_app):
    def register(i: int) -> str:
        email = "Race@Example.com".upper() if i % 2 else "race@example.com"
        services.register_user(email=email, password_hash="argon2-skipped-for-speed",
                               display_name=f"Racer {i}")
        return "created"

    outcomes = run_together(pg_app, register)
    assert outcomes == Counter({"created": 1, "refused": WORKERS - 1})
    assert count(User, User.email == "race@example.com") == 1


def test_concurrent_requests_for_one_unit_make_one_request(pg_app):
    member = factories.make_member()
    unit = factories.make_unit()
    db.session.commit()
    member_id, unit_id = member.id, unit.id

    def ask(i: int) -> str:
        services.request_verification(db.session.get(User, member_id), db.session.get(Unit, unit_id),
                                      f"C-{i}", None)
        return "asked"

    outcomes = run_together(pg_app, ask)
    assert outcomes == Counter({"asked": 1, "refused": WORKERS - 1})
    assert count(Ownership, Ownership.user_id == member_id) == 1


def test_staff_deciding_the_same_request_at_once_decide_it_once(pg_app):
    ownership = factories.make_ownership(factories.make_member(), verified=False)
    staff_ids = [factories.make_user("service").id for _ in range(WORKERS)]
    db.session.commit()
    ownership_id, member_id = ownership.id, ownership.user_id

    def decide(i: int) -> str:
        target = db.session.get(Ownership, ownership_id)
        approve = i % 2 == 0
        services.decide_verification(target, db.session.get(User, staff_ids[i]), approve=approve,
                                     reason="" if approve else "no contract")
        return "approved" if approve else "rejected"

    outcomes = run_together(pg_app, decide)
    assert sum(outcomes[k] for k in ("approved", "rejected")) == 1
    assert outcomes["refused"] == WORKERS - 1
    decided = db.session.get(Ownership, ownership_id)
    assert decided.status in ("verified", "rejected")
    assert count(AuditEntry, AuditEntry.target_id == ownership_id) == 1
    assert count(Notification, Notification.user_id == member_id) == 1


def test_accounts_pages_on_postgres(pg_app, caplog):
    client = pg_app.test_client()
    response = sign_up(client, caplog, {
        "email": "PG.User@Example.com", "display_name": "陳 PG", "phone": "", "locale": "en",
        "password": "a long private passphrase", "confirm": "a long private passphrase"})
    assert response.status_code == 302
    client.post("/auth/logout")
    duplicate = client.post("/auth/register?lang=en", data={
        "email": "pg.user@example.com", "display_name": "Again", "phone": "", "locale": "en",
        "password": "a long private passphrase", "confirm": "a long private passphrase"})
    assert (duplicate.status_code, duplicate.location) == (302, "/auth/register/sent")
    assert "Someone tried to sign up" in mails_to(caplog, "pg.user@example.com")[-1]
    assert login_form(client, "pg.user@EXAMPLE.com", "a long private passphrase").status_code == 302

    unit = factories.make_unit("濱江一號", "T1", "1203")
    factories.make_member(display_name="Percent 100%", email="under_score@example.com")
    db.session.commit()
    asked = client.post(f"/account/homes?development={unit.building.development_id}"
                        f"&building={unit.building_id}", data={
        "unit": str(unit.id), "contract_number": "RO-1", "purchased_on": "2024-01-31"})
    assert asked.status_code == 302

    staff = pg_app.test_client()
    log_in(staff, factories.make_user("admin"))
    db.session.commit()
    assert "濱江一號 · T1 · 1203" in staff.get("/admin/homes").get_data(as_text=True)
    pending = db.session.scalars(select(Ownership)).one()
    assert staff.post(f"/admin/homes/{pending.id}/approve").status_code == 302
    for query, expected in (("100%", "Percent 100%"), ("_", "Percent 100%"), ("陳", "陳 PG"),
                            ("PG.USER", "陳 PG")):
        page = staff.get("/admin/members", query_string={"q": query}).get_data(as_text=True)
        assert f">{expected}</a>" in page, query
    assert ">陳 PG</a>" not in staff.get("/admin/members?q=%25%25x").get_data(as_text=True)

    user = db.session.scalar(select(User).where(User.email == "pg.user@example.com"))
    with pg_app.test_request_context():
        path = reset_path(user)
    assert client.post(path, data={"password": "another fine passphrase",
                                   "confirm": "another fine passphrase"}).status_code == 302
    assert client.get(path).status_code == 400
