"""Member pages: the catalog, a perk, and the perk images."""

from __future__ import annotations

import secrets

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.accounts.permissions import P, require_permission
from portal.core.forms import EmptyForm
from portal.core.images import send_stored_image
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.perks import services, vouchers
from portal.perks.forms import RedeemForm
from portal.perks.models import CATEGORY_LABELS, Perk, Redemption
from portal.perks.tiers import member_tier, tier_label, tier_rank

bp = Blueprint("perks", __name__, url_prefix="/perks")
PER_PAGE = 12


def load_perk(perk_id: int) -> Perk:
    """The perk as members see it, or 404 (unknown and inactive alike)."""
    perk = services.get_active_perk(perk_id)
    if perk is None:
        abort(404)
    return perk


@bp.get("/")
@require_permission(P.REDEEM_PERKS)
def catalog():
    category = request.args.get("category", "")
    if category not in CATEGORY_LABELS:
        category = ""
    affordable = request.args.get("affordable") == "1"
    query = services.catalog_query(
        now=utcnow(), category=category or None,
        max_cost=current_user.points_balance if affordable else None)
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    return render_template(
        "perks/catalog.html", page=page, category=category, affordable=affordable,
        categories=CATEGORY_LABELS, locale=str(get_locale()), now=utcnow(),
        my_rank=tier_rank(member_tier(current_user)), tier_rank=tier_rank, tier_label=tier_label)


@bp.get("/<int:perk_id>")
@require_permission(P.REDEEM_PERKS)
def perk_detail(perk_id: int):
    perk = load_perk(perk_id)
    now = utcnow()
    held = services.held_count(current_user.id, perk.id)
    blocker = services.redeem_blocker(current_user, perk, now=now, held=held,
                                      balance=current_user.points_balance)
    return render_template("perks/detail.html", perk=perk, held=held, blocker=blocker, now=now,
                           locale=str(get_locale()), tier_label=tier_label)


@bp.get("/<int:perk_id>/image/<any(full, thumb):variant>")
@login_required
def perk_image(perk_id: int, variant: str):
    """Members see images of catalog perks; marketing sees every perk's image."""
    perk = db.session.get(Perk, perk_id)
    if perk is None:
        abort(404)
    manager = current_user.can(P.MANAGE_PERKS)
    if not manager and not current_user.can(P.REDEEM_PERKS):
        abort(403)
    if not (manager or perk.is_active) or not perk.image_name:
        abort(404)
    name = perk.image_name if variant == "full" else perk.image_thumb_name
    return send_stored_image(services.image_folder(), name)


# --- redeem ---------------------------------------------------------------------------------

def _confirm_page(perk: Perk, form: RedeemForm, problem=None, status: int = 200):
    now = utcnow()
    if problem is None and status == 200:
        problem = services.redeem_blocker(current_user, perk, now=now,
                                          held=services.held_count(current_user.id, perk.id),
                                          balance=current_user.points_balance)
    return render_template("perks/redeem.html", perk=perk, form=form, problem=problem,
                           locale=str(get_locale()), now=now, tier_label=tier_label), status


def _fresh_form(perk: Perk) -> RedeemForm:
    """A confirmation with a new one-time nonce and the cost the member sees."""
    return RedeemForm(formdata=None, nonce=secrets.token_urlsafe(24), cost=perk.cost)


@bp.route("/<int:perk_id>/redeem", methods=["GET", "POST"])
@require_permission(P.REDEEM_PERKS)
def redeem(perk_id: int):
    """GET: the confirmation step. POST: redeem once per nonce (a replay shows the voucher)."""
    perk = load_perk(perk_id)
    if request.method == "GET":
        return _confirm_page(perk, _fresh_form(perk))
    form = RedeemForm()
    if not form.validate():
        return _confirm_page(perk, _fresh_form(perk),
                             _("This confirmation has expired. Please confirm again."), 400)
    try:
        redemption, created = vouchers.redeem_perk(current_user, perk, nonce=form.nonce.data,
                                                   expected_cost=form.cost.data)
        db.session.commit()
    except services.PerkError as error:
        db.session.rollback()
        return _confirm_page(perk, _fresh_form(perk), str(error), 409)
    except IntegrityError:
        # The same nonce committed by a parallel request (a double click on another worker).
        db.session.rollback()
        redemption = db.session.scalar(select(Redemption).where(
            Redemption.nonce == form.nonce.data, Redemption.member_id == current_user.id))
        if redemption is None:
            raise
        created = False
    if created:
        flash(_("Redeemed! Show this voucher to claim your perk."), "success")
    else:
        flash(_("You already redeemed this; here is your voucher."), "info")
    return redirect(url_for("perks.voucher_detail", redemption_id=redemption.id))


# --- my vouchers ----------------------------------------------------------------------------

def load_redemption(redemption_id: int) -> Redemption:
    """The member's own voucher; anyone else's is 404, never a peek."""
    redemption = db.session.get(Redemption, redemption_id)
    if redemption is None or redemption.member_id != current_user.id:
        abort(404)
    return redemption


@bp.get("/redemptions")
@require_permission(P.REDEEM_PERKS)
def my_redemptions():
    page = db.paginate(vouchers.my_redemptions_query(current_user.id), per_page=20,
                       error_out=False)
    now = utcnow()
    return render_template("perks/redemptions.html", page=page, now=now, form=EmptyForm(),
                           can_cancel=vouchers.can_cancel, locale=str(get_locale()),
                           cancel_days=vouchers.cancel_days())


@bp.get("/redemptions/<int:redemption_id>")
@require_permission(P.REDEEM_PERKS)
def voucher_detail(redemption_id: int):
    return _voucher_page(load_redemption(redemption_id))


def _voucher_page(redemption: Redemption, error: str | None = None, status: int = 200):
    return render_template("perks/voucher.html", redemption=redemption, form=EmptyForm(),
                           can_cancel=vouchers.can_cancel(redemption), locale=str(get_locale()),
                           cancel_days=vouchers.cancel_days(), error=error), status


@bp.get("/redemptions/<int:redemption_id>/qr.svg")
@require_permission(P.REDEEM_PERKS)
def voucher_qr(redemption_id: int):
    redemption = load_redemption(redemption_id)
    if redemption.display_status != "issued":
        abort(404)
    response = Response(vouchers.voucher_qr_svg(redemption), mimetype="image/svg+xml")
    # Our own markup (paths only); still, nothing in it may run or load anything.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.post("/redemptions/<int:redemption_id>/cancel")
@require_permission(P.REDEEM_PERKS)
def cancel_redemption(redemption_id: int):
    redemption = load_redemption(redemption_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        vouchers.cancel_redemption(current_user, redemption)
    except services.PerkError as error:
        db.session.rollback()
        return _voucher_page(redemption, str(error), 409)
    db.session.commit()
    flash(_("The voucher was cancelled and %(points)s points were refunded.",
            points=redemption.cost), "success")
    return redirect(url_for("perks.my_redemptions"))
