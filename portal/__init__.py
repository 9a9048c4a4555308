"""The homeowner club portal: `create_app` wires extensions, features and errors."""

from __future__ import annotations

import logging
from importlib import import_module
from pathlib import Path

from flask_bootstrap import Bootstrap5
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.config import Config
from portal.core import errors, i18n, jobs, requests, security, templating
from portal.core.i18n import select_locale, select_timezone
from portal.extensions import babel, csrf, db, limiter, login_manager, mail, migrate

# Each feature package has `init_app(app)`: blueprints, navigation, CLI, demo data.
FEATURES = [
    "portal.audit",
    "portal.notifications",
    "portal.accounts",
    "portal.points",
    "portal.perks",
    "portal.forum",
    "portal.home",
    "portal.referrals",
    "portal.campaigns",
    "portal.feedback",
    "portal.dashboard",
    "portal.sales",
    "portal.partners",
]

INSECURE_DEFAULT_KEY = "dev-only-insecure-key"


def create_app(overrides: dict | None = None) -> requests.PortalFlask:
    app = requests.make_app(__name__, instance_relative_config=True)
    app.config.from_object(Config())
    if overrides:
        app.config.update(overrides)
    _check_secret_key(app)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config["UPLOAD_FOLDER"]:
        app.config["UPLOAD_FOLDER"] = str(Path(app.instance_path) / "uploads")
    if app.config.get("PROXY_FIX"):
        hops = app.config["PROXY_FIX"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    db.init_app(app)
    migrate.init_app(app, db)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    limiter.init_app(app)
    mail.init_app(app)
    app.config.setdefault("BOOTSTRAP_SERVE_LOCAL", True)
    app.config["BOOTSTRAP_SERVE_LOCAL"] = True
    Bootstrap5(app)

    for name in FEATURES:
        import_module(name).init_app(app)
    jobs.init_jobs(app)  # after the features: their modules declared the jobs
    requests.init_requests(app)
    errors.init_errors(app)
    security.init_security(app)
    templating.init_templating(app)
    i18n.init_i18n(app)
    from portal.cli import init_cli

    init_cli(app)
    logging.basicConfig(level=logging.INFO)
    return app


def _check_secret_key(app) -> None:
    """Refuse to start without a secret, except in debug/testing where a dev key is used."""
    if app.config.get("SECRET_KEY"):
        return
    if app.debug or app.testing or app.config.get("ALLOW_DEV_SECRET"):
        app.config["SECRET_KEY"] = INSECURE_DEFAULT_KEY
        return
    raise RuntimeError("SECRET_KEY is not set; see README.md (Settings).")


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL and foreign keys for SQLite; other databases are left alone."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
