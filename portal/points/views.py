"""Member pages: `/points` (balance, tier, expiring points, history) and `/points/gift`."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.permissions import P, require_permission
from portal.core.uow import form_errors
from portal.extensions import limiter
from portal.points import services
from portal.points.forms import GiftForm

bp = Blueprint("points", __name__, url_prefix="/points")


@bp.get("")
@require_permission(P.EARN_POINTS)
def overview():
    return render_template("points/overview.html", overview=services.points_overview(current_user))


def _gift_key() -> str:
    return f"gift:{current_user.id}"


@bp.route("/gift", methods=["GET", "POST"])
@require_permission(P.EARN_POINTS)
@limiter.limit("30 per hour", methods=["POST"], key_func=_gift_key)
def gift_points():
    """The gift form; its first submit shows the confirmation page with the recipient's
    name, the second (from that page) moves the points."""
    form = GiftForm()
    if form.validate_on_submit() and form.confirmed.data != "1":
        with form_errors(form):
            preview = services.preview_gift(current_user, form.email.data, form.amount.data)
            form.confirmed.data = "1"
            return render_template("points/gift_confirm.html", form=form, preview=preview)
    elif form.validate_on_submit():  # confirmed
        with form_errors(form):
            entry = services.gift_to_email(current_user, form.email.data, form.amount.data,
                                           nonce=form.nonce.data)
            # From the entry: a repeated submit reports the gift that was made.
            flash(_("You gave %(points)s points to %(name)s.", points=f"{-entry.amount:,}",
                    name=entry.reason_params["name"]), "success")
            return redirect(url_for("points.overview"))
    form.ensure_nonce()
    return render_template("points/gift.html", form=form,
                           allowance=services.gift_allowance(current_user)), \
        400 if form.errors else 200
