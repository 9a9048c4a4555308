"""Fixtures: an app on a temporary SQLite file per test, a client, and log-in helpers.

PostgreSQL (`postgres` marker) and browser (`e2e` marker) fixtures live in
tests/support/ and tests/e2e/; they skip with a reason when the binaries are
missing, and fail instead when REQUIRE_POSTGRES=1 / REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from flask_login.utils import _create_identifier

from portal import create_app
from portal.accounts.permissions import Role
from portal.core import jobs
from portal.core.hooks import hooks
from portal.extensions import db as _db
from portal.extensions import limiter
from tests import factories
from tests.support.postgres import postgres_server  # noqa: F401  (session fixture)
from tests.support.sqlite_file import put_database

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
        # Balances start where each test puts them; tests/points/test_rewards.py turns these on.
        "POINTS_MONTHLY_LOGIN": 0,
        "POINTS_COMPLAINT_RATED": 0,
        # Figures computed on every request; tests/core/test_cache.py turns the cache on.
        "DASHBOARD_CACHE_SECONDS": 0,
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


# Settings that name the test's own folder: they differ per test and never select an app.
_PER_TEST_KEYS = ("SQLALCHEMY_DATABASE_URI", "UPLOAD_FOLDER")


class _AppPool:
    """One app per distinct configuration for the whole session, each with a template
    database built once; every test gets a fresh copy of the template (issue 8: the suite
    built an app and created every table for each of its 1,300 tests).

    A copied SQLite file, not an outer transaction, so the code under test commits for
    real and after-commit work runs as in production.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.apps: dict[str, tuple] = {}

    def get(self, config: dict):
        key = repr(sorted((k, repr(v)) for k, v in config.items() if k not in _PER_TEST_KEYS))
        if key not in self.apps:
            folder = self.root / f"app{len(self.apps)}"
            folder.mkdir()
            database, template = folder / "test.db", folder / "template.db"
            app = create_app({**config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})
            app.test_client_class = RequestClient
            with app.app_context():
                _db.create_all()
                _db.session.remove()
                _db.engine.dispose()  # the last connection checkpoints the WAL into the file
            shutil.copyfile(database, template)
            # Flask-Limiter keeps its settings and storage on the one global `limiter`,
            # rewritten by every init_app: remember this app's, restore them on each use.
            self.apps[key] = (app, database, template, dict(app.config), dict(vars(limiter)))
        return self.apps[key]


@pytest.fixture(scope="session")
def _app_pool():
    root = Path(tempfile.mkdtemp(prefix="portal-tests.", dir=_fast_tmp()))
    yield _AppPool(root)
    shutil.rmtree(root, ignore_errors=True)


def _fast_tmp() -> str | None:
    """/dev/shm when it is roomy, else the default temporary folder.

    A container's /dev/shm is often 64 MB, shared with Chromium and PostgreSQL; once
    full, SQLite cannot grow a WAL index there and every later connection fails with
    "disk I/O error" (CI saw five tests fail so at the end of a run).
    """
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        return None
    return str(shm) if shutil.disk_usage(shm).free >= 2 * 1024**3 else None


@pytest.fixture
def app(request, app_config, _app_pool):
    """The session's app for this configuration, on a fresh copy of the template database.

    Tests marked `own_app` (they add routes, which an app that has served requests
    refuses) get a new app of their own, as every test once did.
    """
    if request.node.get_closest_marker("own_app"):
        app = create_app(app_config)
        app.test_client_class = RequestClient
        with app.app_context():
            _db.create_all()
            yield app
            _db.session.remove()
            _db.engine.dispose()
        return
    app, database, template, config, limiter_state = _app_pool.get(app_config)
    with app.app_context():
        _db.engine.dispose()
    put_database(database, Path(template))
    app.config.clear()
    app.config.update(config)
    app.config["UPLOAD_FOLDER"] = app_config["UPLOAD_FOLDER"]
    # Registries a test may add to (hooks, reward modifiers) go back as they were after it.
    registries = {name: _copy_registry(value) for name, value in vars(hooks(app)).items()}
    extension_lists = {name: list(value) for name, value in app.extensions.items()
                       if isinstance(value, list)}
    vars(limiter).update(limiter_state)
    if limiter.enabled:
        limiter.reset()
    jobs.queue(app).huey.flush()
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()
    vars(hooks(app)).update(registries)
    for name in [name for name, value in app.extensions.items()
                 if isinstance(value, list) and name not in extension_lists]:
        del app.extensions[name]  # a list the test created: not there for the next test
    app.extensions.update(extension_lists)


def _copy_registry(value):
    """A list, or a dataclass of dicts (the audit vocabulary), copied one level deep."""
    if isinstance(value, list):
        return list(value)
    return dataclasses.replace(value, **{f.name: dict(getattr(value, f.name))
                                         for f in dataclasses.fields(value)})


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def demo(app, runner):
    """The test's database and upload folder as `flask seed-demo` leaves them, for tests that
    start from the demo data (tests/test_demo.py tests the command itself).

    Seeded once per app configuration and worker, then copied for each test like the empty
    template (issue 8: seeding took 1.4 s a test, several under coverage). The data is
    relative to the clock in hours and days, so a copy made minutes later reads the same.
    """
    database = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    snapshot, uploads = database.with_name("demo.db"), database.with_name("demo-uploads")
    upload_folder = Path(app.config["UPLOAD_FOLDER"])
    if not snapshot.exists():
        result = runner.invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
        _db.session.remove()
        _db.engine.dispose()  # the last connection checkpoints the WAL into the file
        shutil.copyfile(database, snapshot)
        if upload_folder.exists():
            shutil.copytree(upload_folder, uploads)
        return
    _db.session.remove()
    _db.engine.dispose()
    put_database(database, snapshot)
    if uploads.exists():
        shutil.copytree(uploads, upload_folder, dirs_exist_ok=True)


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
def english(app):
    """A request context in English, so translated domain errors and labels read as text."""
    with app.test_request_context("/?lang=en"):
        yield


@pytest.fixture
def login(client, db):
    """`login("service")` makes a user of that role, commits, logs in and returns it."""

    def _login(role: str | Role = Role.MEMBER, **fields):
        user = factories.make_user(role, **fields)
        db.session.commit()
        log_in(client, user)
        return user

    return _login
