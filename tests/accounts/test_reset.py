"""Password reset: generic answers, token rules, bad input, throttling."""

from __future__ import annotations

import time

import itsdangerous.timed
import pytest

from portal.accounts.models import User
from tests import factories
from tests.accounts.helpers import login_form, reset_path, without_csrf
from tests.conftest import log_in

NEW = "a fresh passphrase"


def _reset(client, path, password=NEW, confirm=None):
    return client.post(path, data={"password": password, "confirm": confirm or password})


def test_request_page_and_link_from_login(client):
    assert "/auth/reset" in client.get("/auth/login?lang=en").get_data(as_text=True)
    page = client.get("/auth/reset?lang=en")
    assert page.status_code == 200
    assert b'id="reset-request-form"' in page.data


def test_known_and_unknown_email_get_the_same_answer(client, db, caplog):
    factories.make_member(email="known@example.com")
    db.session.commit()
    caplog.set_level("INFO", logger="portal.notifications.services")
    known = client.post("/auth/reset?lang=en", data={"email": "known@example.com"})
    unknown = client.post("/auth/reset?lang=en", data={"email": "unknown@example.com"})
    assert known.status_code == unknown.status_code == 200
    assert without_csrf(known.get_data(as_text=True)) == without_csrf(unknown.get_data(as_text=True))
    assert "we have sent it a link" in known.get_data(as_text=True)
    # Only the real account got a mail (written to the log without a mail server).
    mails = [r.getMessage() for r in caplog.records if r.getMessage().startswith("e-mail to")]
    assert len(mails) == 1 and "known@example.com" in mails[0]
    assert "http://portal.test/auth/reset/" in mails[0]


def test_deactivated_account_gets_no_mail(client, db, caplog):
    factories.make_member(email="gone@example.com", is_active_account=False)
    db.session.commit()
    caplog.set_level("INFO", logger="portal.notifications.services")
    assert client.post("/auth/reset", data={"email": "gone@example.com"}).status_code == 200
    assert not [r for r in caplog.records if r.getMessage().startswith("e-mail to")]


@pytest.mark.parametrize("email", ["", "x" * 300 + "@example.com"])
def test_request_bad_input_is_refused(client, email):
    response = client.post("/auth/reset?lang=en", data={"email": email})
    assert response.status_code == 400
    assert b"is-invalid" in response.data


def test_reset_then_the_token_is_dead(client, db):
    user = factories.make_member()
    db.session.commit()
    path = reset_path(user)
    assert client.get(path).status_code == 200
    response = _reset(client, path)
    assert response.status_code == 302
    assert login_form(client, user.email, NEW).status_code == 302
    assert client.get(path).status_code == 400
    assert _reset(client, path, "another passphrase").status_code == 400


def test_token_dies_after_a_password_change(client, db):
    user = factories.make_member()
    db.session.commit()
    path = reset_path(user)
    log_in(client, user)
    changed = client.post("/account/password", data={
        "pw-current_password": factories.PASSWORD, "pw-new_password": NEW, "pw-confirm": NEW})
    assert changed.status_code == 302
    assert client.get(path).status_code == 400


def test_expired_token_fails(client, db, monkeypatch):
    user = factories.make_member()
    db.session.commit()
    path = reset_path(user)
    before = db.session.get(User, user.id).password_hash
    later = int(time.time()) + 3600 + 5
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: later)
    page = client.get(path + "?lang=en")
    assert page.status_code == 400
    assert b"has expired" in page.data
    assert _reset(client, path).status_code == 400
    assert db.session.get(User, user.id).password_hash == before


@pytest.mark.parametrize("token", ["nonsense", "eyJ1IjoxfQ.AAAAAA.forged", "a" * 500])
def test_forged_token_fails(client, db, token):
    assert client.get(f"/auth/reset/{token}").status_code == 400


def test_token_of_another_secret_or_for_a_missing_user_fails(client, db, app):
    from portal.accounts.services import ResetTokens

    user = factories.make_member()
    db.session.commit()
    foreign = ResetTokens("another-secret", 3600).make(user)
    assert client.get(f"/auth/reset/{foreign}").status_code == 400
    serializer = ResetTokens(app.config["SECRET_KEY"], 3600)._serializer()
    for payload in ({"u": 999999, "p": "x"}, ["not", "a", "dict"], {"u": "1", "p": "x"}):
        assert client.get(f"/auth/reset/{serializer.dumps(payload)}").status_code == 400


@pytest.mark.parametrize(("password", "confirm", "message"), [
    ("", "", "Enter a password."),
    ("short1", "short1", "Use between 10 and 256 characters."),
    ("password123", "password123", "This password is too common."),
    ("a fresh passphrase", "another passphrase", "The passwords do not match."),
    ("x" * 257, "x" * 257, "Use between 10 and 256 characters."),
])
def test_new_password_bad_input(client, db, password, confirm, message):
    user = factories.make_member()
    db.session.commit()
    before = user.password_hash
    response = _reset(client, reset_path(user) + "?lang=en", password, confirm)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.get(User, user.id).password_hash == before


def test_reset_logs_out_every_device(client, app, db):
    user = factories.make_member()
    db.session.commit()
    other_device = app.test_client()
    log_in(other_device, user)
    assert other_device.get("/account/").status_code == 200
    assert _reset(client, reset_path(user)).status_code == 302
    assert other_device.get("/account/").status_code == 302


def test_signed_in_user_following_a_link_is_logged_out(client, db):
    user = factories.make_member()
    db.session.commit()
    log_in(client, user)
    assert _reset(client, reset_path(user)).status_code == 302
    assert client.get("/account/").status_code == 302
