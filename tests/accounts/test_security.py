"""SECURITY.md rows for accounts: password storage and policy, sessions, cookies, redirects,
mass assignment, headers, secrets, enumeration."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import pytest
from argon2 import extract_parameters
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from werkzeug.security import generate_password_hash

from portal import create_app
from portal.accounts.models import User
from portal.accounts.passwords import hash_password, needs_rehash, verify_password
from portal.core.security import CSP
from tests import factories
from tests.accounts.helpers import login_form, sign_up, without_csrf
from tests.conftest import log_in
from tests.conftest import test_config as make_config


def _data(**overrides) -> dict:
    return {"email": "new.member@example.com", "display_name": "New Member", "phone": "",
            "locale": "en", "password": "a long private passphrase",
            "confirm": "a long private passphrase", **overrides}


def _register(client, caplog, **overrides):
    """Register through the form and the mailed link."""
    return sign_up(client, caplog, _data(**overrides), "?lang=en")


def _user(db, email) -> User | None:
    return db.session.query(User).filter_by(email=email).one_or_none()


# --- password storage and policy --------------------------------------------------

def test_stored_hash_is_argon2id_with_strong_parameters(client, db, caplog):
    assert _register(client, caplog).status_code == 302
    stored = _user(db, "new.member@example.com").password_hash
    params = extract_parameters(stored)
    assert stored.startswith("$argon2id$v=19$")
    # OWASP: argon2id with at least m=19 MiB, t=2, p=1 (we use RFC 9106's low-memory profile).
    assert params.memory_cost >= 19 * 1024 and params.time_cost >= 2 and params.parallelism >= 1
    assert params.salt_len >= 16 and params.hash_len >= 32
    assert "a long private passphrase" not in stored


def test_same_password_twice_gives_different_salts():
    first, second = hash_password("same secret words"), hash_password("same secret words")
    assert first != second
    assert first.split("$")[4] != second.split("$")[4]


@pytest.mark.parametrize("method", ["scrypt", "pbkdf2:sha256:600000"])
def test_legacy_werkzeug_hash_is_accepted_then_rehashed(client, db, method):
    legacy = generate_password_hash("an old but long password", method=method)
    user = factories.make_member(email="old@example.com", password_hash=legacy)
    db.session.commit()
    assert needs_rehash(legacy)
    assert login_form(client, "old@example.com", "wrong password!").status_code == 400
    assert db.session.get(User, user.id).password_hash == legacy
    assert login_form(client, "old@example.com", "an old but long password").status_code == 302
    upgraded = db.session.get(User, user.id).password_hash
    assert upgraded.startswith("$argon2id$") and not needs_rehash(upgraded)
    assert verify_password(upgraded, "an old but long password")


def test_garbage_hash_never_verifies():
    assert not verify_password("not-a-hash", "anything at all")
    assert not verify_password(None, "anything at all")
    assert needs_rehash("not-a-hash")


@pytest.mark.parametrize("password", [
    "x" * 64 + "y",  # long: no truncation
    "我的家在翠湖花園八樓，門牌801號",
    "🏠🔑🌳🏠🔑🌳🏠🔑🌳🏠🔑🌳🏠🔑🌳🏠🔑🌳🏠🔑🌳🏠🔑🌳🏠",  # 100 bytes of emoji
    "a b c d e f g h",
])
def test_long_and_unicode_passwords_work_without_truncation(client, db, caplog, password):
    assert len(password.encode()) >= 15
    assert _register(client, caplog, password=password, confirm=password).status_code == 302
    client.post("/auth/logout")
    assert login_form(client, "new.member@example.com", password[:-1]).status_code == 400
    assert login_form(client, "new.member@example.com", password).status_code == 302


@pytest.mark.parametrize(("password", "message"), [
    ("short-1", "Use between 10 and 256 characters."),
    ("123456789", "Use between 10 and 256 characters."),
    ("password123", "This password is too common."),
    ("PASSWORD123", "This password is too common."),
    ("qwertyuiop", "This password is too common."),
    ("x" * 257, "Use between 10 and 256 characters."),
])
def test_short_long_and_common_passwords_are_refused(client, db, password, message):
    response = client.post("/auth/register?lang=en", data=_data(password=password, confirm=password))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _user(db, "new.member@example.com") is None


def test_password_change_needs_the_current_password(client, db, login):
    user = login("member")
    before = user.password_hash
    response = client.post("/account/password?lang=en", data={
        "pw-current_password": "not my password", "pw-new_password": "brand new secret words",
        "pw-confirm": "brand new secret words"})
    assert response.status_code == 400
    assert "The current password is wrong." in response.get_data(as_text=True)
    assert db.session.get(User, user.id).password_hash == before


# --- sessions --------------------------------------------------------------------

def _cookie(client, name):
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None


def test_session_cookie_rotates_at_login_and_old_keys_are_cleared(client, db):
    factories.make_member(email="fix@example.com")
    db.session.commit()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session["lang"] = "en"
    before = _cookie(client, "session")
    assert login_form(client, "fix@example.com", factories.PASSWORD).status_code == 302
    after = _cookie(client, "session")
    assert after and after != before
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["lang"] == "en"  # the visitor's language survives


def test_logout_makes_copied_session_and_remember_cookies_worthless(app, client, db):
    factories.make_member(email="leave@example.com")
    db.session.commit()
    response = client.post("/auth/login", data={
        "email": "leave@example.com", "password": factories.PASSWORD, "remember": "y"})
    assert response.status_code == 302
    stolen = {name: _cookie(client, name) for name in ("session", "remember_token")}
    assert all(stolen.values())
    assert client.post("/auth/logout").status_code == 302
    assert client.get("/account/").status_code == 302

    thief = app.test_client()
    for name, value in stolen.items():
        thief.set_cookie(name, value)
    assert thief.get("/account/").status_code == 302
    only_remember = app.test_client()
    only_remember.set_cookie("remember_token", stolen["remember_token"])
    assert only_remember.get("/account/").status_code == 302


def test_password_change_logs_out_the_other_devices(app, client, db):
    factories.make_member(email="two@example.com")
    db.session.commit()
    phone = app.test_client()
    for device in (client, phone):
        assert device.post("/auth/login", data={"email": "two@example.com",
                                                "password": factories.PASSWORD,
                                                "remember": "y"}).status_code == 302
    phone_cookies = {name: _cookie(phone, name) for name in ("session", "remember_token")}
    response = client.post("/account/password", data={
        "pw-current_password": factories.PASSWORD, "pw-new_password": "brand new secret words",
        "pw-confirm": "brand new secret words"})
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200  # this device stays in
    assert phone.get("/account/").status_code == 302
    replay = app.test_client()
    for name, value in phone_cookies.items():
        replay.set_cookie(name, value)
    assert replay.get("/account/").status_code == 302


def test_remember_cookie_alone_is_not_enough_to_change_the_password(app, client, db):
    user = factories.make_member(email="remember@example.com")
    db.session.commit()
    client.post("/auth/login", data={"email": user.email, "password": factories.PASSWORD,
                                     "remember": "y"})
    later = app.test_client()  # the browser was closed: only the remember cookie is left
    later.set_cookie("remember_token", _cookie(client, "remember_token"))
    assert later.get("/account/").status_code == 200
    response = later.post("/account/password", data={
        "pw-current_password": factories.PASSWORD, "pw-new_password": "brand new secret words",
        "pw-confirm": "brand new secret words"})
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert db.session.get(User, user.id).password_hash == user.password_hash
    # Logging in again (the form is shown, not skipped) makes the session fresh.
    assert later.get("/auth/login").status_code == 200
    assert login_form(later, user.email, factories.PASSWORD).status_code == 302
    assert later.post("/account/password", data={
        "pw-current_password": factories.PASSWORD, "pw-new_password": "brand new secret words",
        "pw-confirm": "brand new secret words"}).status_code == 302


def test_a_deactivated_account_cannot_log_in_or_stay_in(client, db):
    user = factories.make_member(email="off@example.com")
    db.session.commit()
    log_in(client, user)
    user.is_active_account = False
    db.session.commit()
    assert client.get("/account/").status_code == 302
    assert login_form(client, "off@example.com", factories.PASSWORD).status_code == 400


def test_forged_cookie_signed_with_another_key_is_rejected(app, client, db):
    user = factories.make_member()
    db.session.commit()
    forger = Flask("forger")
    forger.secret_key = "dev"
    serializer = SecureCookieSessionInterface().get_signing_serializer(forger)
    client.set_cookie("session", serializer.dumps({"_user_id": user.get_id(), "_fresh": True}))
    assert client.get("/account/").status_code == 302


def test_session_ids_with_a_stale_token_or_junk_are_anonymous(client, db):
    user = factories.make_member()
    db.session.commit()
    for value in (f"{user.id}:wrong-token", f"{user.id}", "abc:def", ""):
        with client.session_transaction() as session:
            session["_user_id"] = value
            session["_fresh"] = True
        assert client.get("/account/").status_code == 302


# --- cookies -----------------------------------------------------------------------

def test_cookie_flags_for_https(tmp_path, monkeypatch):
    monkeypatch.setenv("COOKIE_SECURE", "1")
    app = create_app(make_config(tmp_path))
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
    with app.app_context():
        from portal.extensions import db as app_db

        app_db.create_all()
        factories.make_member(email="https@example.com")
        app_db.session.commit()
        client = app.test_client()
        response = client.post("https://localhost/auth/login", data={
            "email": "https@example.com", "password": factories.PASSWORD, "remember": "y"})
        app_db.session.remove()
        app_db.engine.dispose()
    cookies = {}
    for header in response.headers.getlist("Set-Cookie"):
        parsed = SimpleCookie()
        parsed.load(header)
        for name, morsel in parsed.items():
            cookies[name] = morsel
    assert set(cookies) == {"__Host-session", "__Host-remember"}
    for morsel in cookies.values():
        assert morsel["secure"] and morsel["httponly"] and morsel["samesite"] == "Lax"
        assert morsel["path"] == "/" and not morsel["domain"]
    expires = datetime.strptime(cookies["__Host-remember"]["expires"], "%a, %d %b %Y %H:%M:%S GMT")
    days = (expires.replace(tzinfo=UTC) - datetime.now(UTC)).days
    assert 29 <= days <= 30
    assert "max-age=31536000; includeSubDomains" in response.headers["Strict-Transport-Security"]


def test_default_cookie_flags_and_session_protection(app, client, db):
    from portal.extensions import login_manager

    assert login_manager.session_protection == "basic"
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    assert app.config["REMEMBER_COOKIE_DURATION"].days <= 30


# --- open redirects ---------------------------------------------------------------

OPEN_REDIRECTS = [
    "//evil.com", "///evil.com", "\\\\evil.com", "/\\evil.com", "https:evil.com",
    "//%09/evil.com", "//\t/evil.com", "\x08//evil.com", "http://portal@evil.com",
    "javascript:alert(1)", "https://evil.com/", "/%2F%2Fevil.com", " //evil.com", "/\t/evil.com",
]


def _stays_here(location: str) -> bool:
    parts = urlsplit(location)
    return (not parts.scheme and not parts.netloc and location.startswith("/")
            and not location.startswith("//") and "\\" not in location and "evil" not in parts.path[:6])


@pytest.mark.parametrize("payload", OPEN_REDIRECTS)
def test_login_next_never_leaves_the_site(client, db, payload):
    factories.make_member(email="next@example.com")
    db.session.commit()
    response = client.post("/auth/login", query_string={"next": payload}, data={
        "email": "next@example.com", "password": factories.PASSWORD})
    assert response.status_code == 302
    assert _stays_here(response.headers["Location"]), response.headers["Location"]
    again = client.get("/auth/login", query_string={"next": payload})  # already signed in
    assert _stays_here(again.headers["Location"])


@pytest.mark.parametrize("payload", OPEN_REDIRECTS)
def test_language_switch_next_never_leaves_the_site(client, payload):
    response = client.post("/auth/lang/en", data={"next": payload})
    assert response.status_code == 302
    assert _stays_here(response.headers["Location"]), response.headers["Location"]


def test_login_and_language_switch_keep_a_safe_next(client, db):
    factories.make_member(email="back@example.com")
    db.session.commit()
    response = client.post("/auth/login?next=/account/homes", data={
        "email": "back@example.com", "password": factories.PASSWORD})
    assert response.headers["Location"] == "/account/homes"
    switched = client.post("/auth/lang/en", data={"next": "/account/homes?lang=zh_Hans&page=2"})
    assert switched.headers["Location"] == "/account/homes?page=2"


# --- mass assignment --------------------------------------------------------------

PRIVILEGED = {"role": "admin", "is_staff": "1", "points_balance": "999999",
              "points_lifetime": "999999", "email_verified": "1", "is_active_account": "0",
              "session_token": "chosen", "id": "1", "user_id": "1", "status": "verified"}


def test_register_ignores_privileged_fields(client, db, caplog):
    assert _register(client, caplog, **PRIVILEGED).status_code == 302
    user = _user(db, "new.member@example.com")
    assert (user.role, user.points_balance, user.points_lifetime) == ("member", 0, 0)
    assert user.is_active_account and user.session_token != "chosen"


def test_profile_ignores_privileged_fields(client, db, login):
    user = login("member", points_balance=10)
    response = client.post("/account/", data={
        "display_name": "Renamed", "phone": "", "locale": "en", "timezone": "Asia/Taipei",
        "email": "other@example.com", **PRIVILEGED})
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.display_name, user.timezone) == ("Renamed", "Asia/Taipei")
    assert (user.role, user.points_balance, user.email) == ("member", 10, user.email)
    assert user.email != "other@example.com" and user.is_active_account


# --- headers ----------------------------------------------------------------------

@pytest.fixture
def crash_app(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/__crash")
    def crash():
        raise RuntimeError("boom: secret details")

    return app


def _check_headers(response):
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert csp == CSP
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'",
                      "frame-ancestors 'none'", "script-src 'self'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin", "no-referrer")
    assert "Strict-Transport-Security" not in headers  # only when served over HTTPS (COOKIE_SECURE)


@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.own_app
def test_security_headers_on_every_kind_of_response(crash_app, client, db, signed_in):
    if signed_in:
        log_in(client, factories.make_member())
    responses = {
        "200": client.get("/"),
        "302": client.get("/auth/register"),
        "404": client.get("/no-such-page"),
        "500": client.get("/__crash"),
        "static": client.get("/static/css/portal.css"),
    }
    assert [r.status_code for r in responses.values()] == [200, 302 if signed_in else 200, 404, 500,
                                                           200]
    for response in responses.values():
        _check_headers(response)
        if signed_in and response is not responses["static"]:
            assert response.headers["Cache-Control"] == "no-store"
            assert "Cookie" in response.headers.get_all("Vary") or "Cookie" in response.headers["Vary"]
        response.close()
    page = responses["500"].get_data(as_text=True)
    assert "boom" not in page and "Traceback" not in page


def test_authenticated_pages_are_not_cached(client, db, login):
    login("admin")
    for path in ("/account/", "/account/homes", "/admin/members", "/admin/homes"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
        assert "Cookie" in response.headers["Vary"]


# --- secret key --------------------------------------------------------------------

def test_refuses_to_start_without_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("ALLOW_DEV_SECRET", raising=False)
    config = make_config(tmp_path, SECRET_KEY="", TESTING=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config)
    assert create_app({**config, "ALLOW_DEV_SECRET": True}).secret_key
    assert create_app({**config, "TESTING": True}).secret_key
    assert create_app({**config, "SECRET_KEY": "a real secret"}).secret_key == "a real secret"


# --- enumeration --------------------------------------------------------------------

def test_login_answers_the_same_for_known_and_unknown_emails(client, db):
    factories.make_member(email="known@example.com")
    db.session.commit()
    english = {"Accept-Language": "en"}
    known = login_form(client, "known@example.com", "wrong password here", headers=english)
    unknown = login_form(client, "unknown@example.com", "wrong password here", headers=english)
    assert known.status_code == unknown.status_code == 400

    def normalised(response):
        text = response.get_data(as_text=True)
        return without_csrf(text.replace("unknown@example.com", "EMAIL")
                            .replace("known@example.com", "EMAIL"))

    assert normalised(known) == normalised(unknown)
    assert "Wrong email or password." in known.get_data(as_text=True)


def test_login_takes_as_long_for_unknown_emails(client, db):
    factories.make_member(email="timed@example.com")
    db.session.commit()

    def timed(email):
        start = time.perf_counter()
        login_form(client, email, "wrong password here")
        return time.perf_counter() - start

    # Interleaved, so that load from elsewhere on the machine hits both alike.
    samples = [(timed("timed@example.com"), timed("nobody@example.com")) for _ in range(6)]
    known = statistics.median(k for k, _ in samples)
    unknown = statistics.median(u for _, u in samples)
    # Both verify one argon2 hash (a dummy one for unknown emails): within a factor of two.
    assert 0.5 < known / unknown < 2, (known, unknown)
