"""`/` and `/healthz`."""

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from portal.accounts.models import Development
from portal.core.hooks import hooks
from portal.extensions import db

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        selling = db.session.scalars(
            select(Development).where(Development.is_selling).order_by(Development.name)
        ).all()
        return render_template("home/landing.html", developments=selling)
    panels = [
        (panel.template, panel.context(current_user))
        for panel in sorted(hooks().home_panels, key=lambda p: p.order)
    ]
    return render_template("home/index.html", panels=panels)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return {"status": "unavailable"}, 503
    return {"status": "ok"}
