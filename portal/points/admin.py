"""Staff pages: points overview and member look-up, a member's points (adjust), tier thresholds."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.models import User
from portal.accounts.permissions import P, require_permission
from portal.accounts.services import find_user_by_email
from portal.core.loaders import get_or_404
from portal.core.security import client_ip
from portal.core.uow import form_errors
from portal.points import services
from portal.points.forms import AdjustForm, MemberLookupForm, TierSettingsForm
from portal.points.tiers import set_thresholds, thresholds, tiers

bp = Blueprint("points_admin", __name__, url_prefix="/admin")


@bp.get("/points")
@require_permission(P.ADJUST_POINTS)
def overview():
    """Find a member by email to see and adjust their points; the tier table."""
    form = MemberLookupForm(request.args)
    not_found = False
    if request.args.get("email") is not None and form.validate():
        member = find_user_by_email(form.email.data)
        if member is not None:
            return redirect(url_for("points_admin.member_points", member_id=member.id))
        not_found = True
    return render_template("points/admin/overview.html", form=form, not_found=not_found,
                           tiers=tiers())


@bp.route("/members/<int:member_id>/points", methods=["GET", "POST"])
@require_permission(P.ADJUST_POINTS)
def member_points(member_id: int):
    member = get_or_404(User, member_id)
    form = AdjustForm()
    if form.validate_on_submit():
        with form_errors(form):
            entry = services.adjust(member, form.amount.data, note=form.reason.data,
                                    actor=current_user, nonce=form.nonce.data, ip=client_ip()).entry
            flash(_("Adjusted %(name)s's points by %(points)s.", name=member.display_name,
                    points=f"{entry.amount:+,}"), "success")
            return redirect(url_for("points_admin.member_points", member_id=member.id))
    form.ensure_nonce()
    return render_template("points/admin/member.html", member=member, form=form,
                           points=services.member_points(member)), 400 if form.errors else 200


@bp.route("/points/settings", methods=["GET", "POST"])
@require_permission(P.MANAGE_SETTINGS)
def settings():
    form = TierSettingsForm(data=thresholds() if request.method == "GET" else None)
    if form.validate_on_submit():
        with form_errors(form):
            set_thresholds({"silver": form.silver.data, "gold": form.gold.data,
                            "platinum": form.platinum.data}, actor=current_user, ip=client_ip())
            flash(_("Tier thresholds saved."), "success")
            return redirect(url_for("points_admin.settings"))
    return render_template("points/admin/settings.html", form=form,
                           tiers=tiers()), 400 if form.errors else 200
