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
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.permissions import P, public, require_permission
from portal.core.forms import EmptyForm
from portal.core.pagination import requested_page
from portal.extensions import limiter
from portal.referrals import services, sharing

bp = Blueprint("referrals", __name__)


@bp.get("/referrals")
@require_permission(P.EARN_POINTS)
def my_referrals():
    return render_template("referrals/my_referrals.html",
                           view=sharing.member_page(current_user, requested_page()), form=EmptyForm())


@bp.post("/referrals/code")
@require_permission(P.EARN_POINTS)
def create_code():
    services.ensure_code(current_user)  # a refusal is flashed by the unit of work
    flash(_("Your referral link is ready. Share it with friends!"), "success")
    return redirect(url_for("referrals.my_referrals"))


@bp.get("/referrals/qr.svg")
@require_permission(P.EARN_POINTS)
def qr_download():
    found = sharing.qr_file(current_user)
    if found is None:
        abort(404)
    filename, svg = found
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/join/<code>")
@limiter.limit(lambda: current_app.config["REFERRAL_LOOKUP_LIMIT"])
@public
def join(code: str):
    """The invitee's landing page; remembers a valid code for registration (signed cookie)."""
    page = sharing.landing(code)
    response = make_response(render_template("referrals/join.html", page=page),
                             200 if page.code else 404)
    if page.code and not current_user.is_authenticated:
        response.set_cookie(
            services.COOKIE_NAME, services.sign_code(page.code), max_age=services.cookie_max_age(),
            path="/auth", httponly=True, samesite="Lax",
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        )
    return response
