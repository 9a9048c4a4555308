"""`/` and `/healthz`."""

from flask import Blueprint, render_template
from flask_login import current_user

from portal.accounts.services import selling_developments
from portal.home.services import database_is_up, home_panels

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return render_template("home/landing.html", developments=selling_developments())
    return render_template("home/index.html", panels=home_panels(current_user))


@bp.get("/healthz")
def healthz():
    if not database_is_up():
        return {"status": "unavailable"}, 503  # the unit of work rolls the failed session back
    return {"status": "ok"}
