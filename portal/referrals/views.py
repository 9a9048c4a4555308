"""Member pages: my referral link and the friends I referred; the invitee's landing page."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    url_for,
)
from flask_babel import format_number
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.accounts.models import Development
from portal.accounts.permissions import P, require_permission
from portal.core.forms import EmptyForm
from portal.core.qr import qr_svg
from portal.extensions import db, limiter
from portal.referrals import services
from portal.referrals.forms import MEMBER_STATUS_LABELS
from portal.referrals.models import Referral

bp = Blueprint("referrals", __name__)


def share_link(code: str) -> str:
    """The absolute link to share: the configured base URL, never the request's Host."""
    base = current_app.config["SERVER_NAME_FOR_LINKS"].rstrip("/")
    return base + url_for("referrals.join", code=code)


def share_text(link: str, invitee_points: int) -> str:
    if invitee_points:
        return _("I am a member of the Homeowner Club and recommend it. Join with my link; when you "
                 "buy a home you get %(points)s points: %(link)s",
                 points=format_number(invitee_points), link=link)
    return _("I am a member of the Homeowner Club and recommend it. Join with my link: %(link)s",
             link=link)


@bp.get("/referrals")
@require_permission(P.EARN_POINTS)
def my_referrals():
    code = services.code_of(current_user)
    link = share_link(code.code) if code else None
    rule = services.current_rule()
    query = services.referrals_of(current_user).options(selectinload(Referral.invitee))
    page = db.paginate(query, per_page=20, error_out=False)
    return render_template(
        "referrals/my_referrals.html", code=code, link=link, rule=rule, page=page,
        qr=Markup(qr_svg(link)) if link else None,  # our own SVG: no user text inside
        text=share_text(link, rule.invitee_points) if link else None,
        summary=services.summary_of(current_user), mask=services.mask_name,
        labels=MEMBER_STATUS_LABELS, form=EmptyForm(),
    )


@bp.post("/referrals/code")
@require_permission(P.EARN_POINTS)
def create_code():
    services.ensure_code(current_user)
    db.session.commit()
    flash(_("Your referral link is ready. Share it with friends!"), "success")
    return redirect(url_for("referrals.my_referrals"))


@bp.get("/referrals/qr.svg")
@require_permission(P.EARN_POINTS)
def qr_download():
    code = services.code_of(current_user)
    if code is None:
        abort(404)
    response = Response(qr_svg(share_link(code.code)), mimetype="image/svg+xml")
    response.headers["Content-Disposition"] = f'attachment; filename="club-referral-{code.code}.svg"'
    return response


@bp.get("/join/<code>")
@limiter.limit(lambda: current_app.config["REFERRAL_LOOKUP_LIMIT"])
def join(code: str):
    """The invitee's landing page; remembers a valid code for registration (signed cookie)."""
    referrer = services.find_referrer(code)
    normalised = services.normalise_code(code) if referrer else None
    developments = db.session.scalars(
        select(Development).where(Development.is_selling).order_by(Development.name)
    ).all()
    response = make_response(render_template(
        "referrals/join.html", referrer_name=services.mask_name(referrer.display_name) if referrer else None,
        code=normalised, developments=developments, rule=services.current_rule(),
    ), 200 if referrer else 404)
    if normalised and not current_user.is_authenticated:
        response.set_cookie(
            services.COOKIE_NAME, services.sign_code(normalised), max_age=services.cookie_max_age(),
            path="/auth", httponly=True, samesite="Lax",
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        )
    return response
