"""`/`, `/healthz` and `/favicon.ico`."""

from flask import Blueprint, current_app, render_template, send_from_directory
from flask_login import current_user

from portal.accounts.permissions import public
from portal.accounts.services import selling_developments
from portal.home.services import database_is_up, home_panels

bp = Blueprint("home", __name__)


@bp.get("/")
@public
def index():
    if not current_user.is_authenticated:
        return render_template("home/landing.html", developments=selling_developments())
    return render_template("home/index.html", panels=home_panels(current_user))


@bp.get("/healthz")
@public
def healthz():
    if not database_is_up():
        return {"status": "unavailable"}, 503  # the unit of work rolls the failed session back
    return {"status": "ok"}


@bp.get("/favicon.ico")
@public
def favicon():
    """Browsers and bookmark tools ask for /favicon.ico whatever the page's <link> says."""
    return send_from_directory(current_app.static_folder, "img/favicon.ico",
                               mimetype="image/vnd.microsoft.icon", max_age=7 * 24 * 3600)
