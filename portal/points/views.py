"""Member pages: `/points` (balance, tier, expiring points, history) and `/points/gift`."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.permissions import P, require_permission
from portal.accounts.services import find_user_by_email
from portal.extensions import db, limiter
from portal.points import services
from portal.points.expiry import SOON_DAYS, expiring_soon
from portal.points.forms import GiftForm
from portal.points.tiers import tier_progress

bp = Blueprint("points", __name__, url_prefix="/points")

HISTORY_PER_PAGE = 20


@bp.get("")
@require_permission(P.EARN_POINTS)
def overview():
    page = db.paginate(services.history_query(current_user.id), per_page=HISTORY_PER_PAGE,
                       error_out=False)
    return render_template(
        "points/overview.html", page=page, progress=tier_progress(current_user),
        expiring=expiring_soon(current_user.id), soon_days=SOON_DAYS)


def _gift_key() -> str:
    return f"gift:{current_user.id}"


@bp.route("/gift", methods=["GET", "POST"])
@require_permission(P.EARN_POINTS)
@limiter.limit("30 per hour", methods=["POST"], key_func=_gift_key)
def gift_points():
    form = GiftForm()
    if form.validate_on_submit():
        recipient = find_user_by_email(form.email.data)
        try:
            entry = services.gift(current_user, recipient, form.amount.data, nonce=form.nonce.data)
        except services.RecipientError as error:
            form.email.errors.append(str(error))
        except services.PointsError as error:
            form.amount.errors.append(str(error))
        else:
            db.session.commit()
            # From the entry: a repeated submit reports the gift that was made.
            flash(_("You gave %(points)s points to %(name)s.", points=f"{-entry.amount:,}",
                    name=entry.reason_params["name"]), "success")
            return redirect(url_for("points.overview"))
    form.ensure_nonce()
    cap = services.gift_cap()
    left = max(cap - services.gifted_in_last_day(current_user.id), 0)
    return render_template("points/gift.html", form=form, cap=cap, left=left,
                           minimum=services.GIFT_MINIMUM), 400 if form.errors else 200
