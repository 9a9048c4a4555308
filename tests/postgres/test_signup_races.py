"""Sign-up by e-mail on PostgreSQL: confirmations and requests for one address at once make
one account and one pending row, and nobody sees a 500 (SQLite is serial and proves nothing
here, SECURITY.md)."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from portal.accounts import services, signup
from portal.accounts.models import PendingSignup, User
from portal.extensions import db
from tests.accounts.helpers import confirm_path, confirm_paths
from tests.support.race import migrated_postgres_app, race

pytestmark = pytest.mark.postgres

WORKERS = 8
DATA = {"email": "Twice@Example.com", "display_name": "Twice", "phone": "", "locale": "en",
        "password": "a long private passphrase", "confirm": "a long private passphrase"}


@pytest.fixture
def pg_app(tmp_path, postgres_server):
    with migrated_postgres_app(tmp_path, postgres_server, "signup") as app:
        yield app


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_one_link_confirmed_from_many_tabs_at_once_makes_one_account(pg_app, caplog):
    caplog.set_level("INFO", logger="portal.notifications.services")
    client = pg_app.test_client()
    sent = client.post("/auth/register?lang=en", data={**DATA, "email": "race@example.com"})
    assert sent.status_code == 302
    path = confirm_path(caplog, "race@example.com") + "?lang=en"

    def confirm(_i: int) -> int:
        return pg_app.test_client().post(path).status_code

    outcome = race(pg_app, WORKERS, confirm)
    statuses = Counter(outcome.results)
    assert not outcome.crashes
    # One account; the others are told the link was used (400) or find it gone (404).
    assert statuses[302] == 1 and statuses[302] + statuses[400] + statuses[404] == WORKERS, statuses
    assert _count(User, User.email == "race@example.com") == 1
    assert _count(PendingSignup) == 0


def test_requests_for_one_new_address_at_once_leave_one_pending_sign_up(pg_app, caplog):
    caplog.set_level("INFO", logger="portal.notifications.services")

    def request(i: int) -> str:
        signup.request_sign_up(email="Burst@Example.com" if i % 2 else "burst@example.com",
                               password="a long private passphrase", display_name=f"Burst {i}",
                               phone=None, locale="en", extra={}, max_age=3600)
        return "sent"

    outcome = race(pg_app, WORKERS, request, request_path="/?lang=en")
    assert outcome.results == ["sent"] * WORKERS
    assert _count(PendingSignup, PendingSignup.email == "burst@example.com") == 1
    # Every request mailed a link; the one row holds the token of the last, the only link
    # that still works.
    links = confirm_paths(caplog, "burst@example.com")
    assert len(set(links)) == WORKERS
    client = pg_app.test_client()
    assert Counter(client.get(link).status_code for link in links) == {200: 1, 404: WORKERS - 1}


def test_an_account_made_meanwhile_refuses_the_confirmation_cleanly(pg_app, caplog):
    client = pg_app.test_client()
    caplog.set_level("INFO", logger="portal.notifications.services")
    assert client.post("/auth/register?lang=en", data=DATA).status_code == 302
    path = confirm_path(caplog, "twice@example.com") + "?lang=en"
    pending_id = db.session.scalar(select(PendingSignup.id))

    def both(i: int) -> str:
        if i == 0:
            services.register_user(email="twice@example.com", password_hash="argon2-skipped",
                                   display_name="Other way in")
            return "made"
        return str(pg_app.test_client().post(path).status_code)

    outcome = race(pg_app, 2, both, refusal=services.AccountError,
                   describe=lambda _error: "refused")
    assert not outcome.crashes
    assert _count(User, User.email == "twice@example.com") == 1
    # Whichever came first made the account; the other was refused without a 500.
    assert sorted(outcome.results) in (["400", "made"], ["302", "refused"]), outcome.results
    if "400" in outcome.results:
        assert db.session.get(PendingSignup, pending_id) is not None  # the refusal undid the claim
