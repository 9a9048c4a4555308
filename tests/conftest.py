"""Fixtures: an app on a temporary SQLite file per test, a client, and log-in helpers.

PostgreSQL (`postgres` marker) and browser (`e2e` marker) fixtures live in
tests/support/ and tests/e2e/; they skip with a reason when the binaries are
missing, and fail instead when REQUIRE_POSTGRES=1 / REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from flask_login.utils import _create_identifier

from portal import create_app
from portal.accounts.permissions import Role
from portal.extensions import db as _db
from tests import factories
from tests.support.postgres import postgres_server  # noqa: F401  (session fixture)

ACTORS = ["anonymous", *[role.value for role in Role]]


def test_config(tmp_path, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.db'}",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "MAIL_SUPPRESS_SEND": True,
        # Jobs run at once, in the test's thread, still only after the commit.
        "JOBS_URL": "memory://",
        "JOBS_IMMEDIATE": True,
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "SERVER_NAME_FOR_LINKS": "http://portal.test",
    }
    config.update(overrides)
    return config


test_config.__test__ = False  # a helper, not a test, wherever it is imported


class RequestClient(FlaskClient):
    """Each request runs in its own app context and database session, as in production.

    Flask reuses an already pushed app context for requests, so `g` (and
    Flask-Login's cached user) would leak between requests of one test. The
    test's own session is committed before each request, so the request sees
    what the test made, and expired after it, so the test reads fresh rows.
    A client used from a worker thread (race tests) has no test session to sync.
    """

    def open(self, *args, **kwargs):
        test_session = has_app_context()
        if test_session:
            _db.session.commit()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if test_session:
            _db.session.expire_all()
        return response


@pytest.fixture
def app_config(tmp_path) -> dict:
    """Override in a test module to change settings (e.g. enable CSRF)."""
    return test_config(tmp_path)


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    app.test_client_class = RequestClient
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def log_in(client, user) -> None:
    """Put `user` in the client's session (the login form itself is tested in accounts)."""
    # Flask-Login's session protection compares `_id` (a hash of IP and User-Agent) with
    # the request; without it the session would be non-fresh, as if restored from a cookie.
    with client.application.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session["_id"] = identifier


@pytest.fixture
def login(client, db):
    """`login("service")` makes a user of that role, commits, logs in and returns it."""

    def _login(role: str | Role = Role.MEMBER, **fields):
        user = factories.make_user(role, **fields)
        db.session.commit()
        log_in(client, user)
        return user

    return _login
