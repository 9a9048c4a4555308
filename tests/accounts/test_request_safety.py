"""App-wide request rules (SECURITY.md "CSRF" and "Mutating GET"), walking `app.url_map`:
every POST without a valid CSRF token is refused with 400 and writes nothing; every GET
writes nothing, whoever asks."""

from __future__ import annotations

import re
import time

import itsdangerous.timed
import pytest
from flask import url_for
from sqlalchemy import event
from werkzeug.routing import AnyConverter, IntegerConverter

from portal.extensions import csrf
from tests import factories
from tests.conftest import log_in
from tests.conftest import test_config as make_config

IGNORED = {"static", "bootstrap.static"}
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


@pytest.fixture
def app_config(tmp_path):
    return make_config(tmp_path, WTF_CSRF_ENABLED=True)


@pytest.fixture
def writes(db):
    """Every INSERT/UPDATE/DELETE the app sends to the database while the test runs."""
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        if WRITE.match(statement):
            seen.append(statement.split("\n")[0][:120])

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


def _sample(converter):
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    return "x"


def _paths(app, method: str) -> list[tuple[str, str]]:
    """(endpoint, path) for every rule answering `method`, with sample arguments."""
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if method not in rule.methods or rule.endpoint in IGNORED:
                continue
            values = {name: _sample(conv) for name, conv in rule._converters.items()}
            found.append((rule.endpoint, url_for(rule.endpoint, **values)))
    return found


def _csrf_token(client, path="/auth/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_no_view_is_exempt_from_csrf():
    assert csrf._exempt_views == set()


@pytest.mark.parametrize("actor", ["anonymous", "member", "admin"])
def test_every_post_without_a_token_is_refused_and_writes_nothing(app, db, writes, actor):
    user = None if actor == "anonymous" else factories.make_user(actor)
    db.session.commit()
    writes.clear()
    posts = _paths(app, "POST")
    assert len(posts) >= 10
    failures = []
    for endpoint, path in posts:
        client = app.test_client()
        if user is not None:
            log_in(client, user)
        response = client.post(path, data={"email": "someone@example.com", "password": "x" * 12,
                                           "next": "/", "role": "admin", "reason": "r"})
        if response.status_code != 400:
            failures.append(f"{endpoint} {path}: {response.status_code}")
    assert not failures
    assert writes == []


def test_a_token_from_another_session_or_too_old_is_refused(app, client, db, writes, monkeypatch):
    factories.make_member(email="csrf@example.com")
    db.session.commit()
    writes.clear()
    other = app.test_client()
    foreign = _csrf_token(other)
    _csrf_token(client)  # this client has a session and a token of its own
    data = {"email": "csrf@example.com", "password": factories.PASSWORD}
    assert client.post("/auth/login", data={**data, "csrf_token": foreign}).status_code == 400
    assert client.post("/auth/login", data={**data, "csrf_token": "garbage"}).status_code == 400

    own = _csrf_token(client)
    later = int(time.time()) + app.config["WTF_CSRF_TIME_LIMIT"] + 60
    with monkeypatch.context() as patched:
        patched.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: later)
        assert client.post("/auth/login", data={**data, "csrf_token": own}).status_code == 400
    assert writes == []
    # A valid token of this session works (the control).
    assert client.post("/auth/login", data={**data, "csrf_token": own}).status_code == 302


def test_cross_site_login_post_is_refused(client, db):
    factories.make_member(email="xsite@example.com")
    db.session.commit()
    response = client.post("/auth/login", data={"email": "xsite@example.com",
                                                "password": factories.PASSWORD},
                           headers={"Origin": "https://evil.example", "Referer": "https://evil.example/"})
    assert response.status_code == 400
    assert client.get("/account/").status_code == 302


def test_the_language_switch_needs_a_token(client, db, login):
    user = login("member", locale="en")
    assert client.post("/auth/lang/zh_Hans", data={"next": "/"}).status_code == 400
    db.session.refresh(user)
    assert user.locale == "en"
    token = _csrf_token(client, "/account/")
    response = client.post("/auth/lang/zh_Hans", data={"next": "/", "csrf_token": token})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.locale == "zh_Hans"
    assert client.get("/auth/lang/zh_Hans").status_code == 405  # no GET that writes


@pytest.mark.parametrize("actor", ["anonymous", "member@demo.club", "admin@demo.club"])
def test_no_get_writes_anything(app, db, runner, writes, actor):
    """Every GET (and HEAD) route of every feature, on the demo data, as each kind of user."""
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert writes  # the listener sees writes (the seeding made some)
    writes.clear()
    client = app.test_client()
    if actor != "anonymous":
        from portal.accounts.demo import demo_user

        log_in(client, demo_user(actor))
    gets = _paths(app, "GET")
    assert len(gets) >= 10
    statuses = {}
    for endpoint, path in gets:
        response = client.get(path)
        statuses[endpoint] = response.status_code
        response.close()
        client.head(path).close()
    assert writes == [], writes
    assert all(code < 500 for code in statuses.values()), statuses
