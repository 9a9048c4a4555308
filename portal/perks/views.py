"""Member pages: the catalog, a perk, redeeming it, my vouchers, and the perk images.

Every view runs in the request's unit of work: load (404) → check (403) → one service
call → return. A refused redemption or cancellation re-renders its page with the reason
(409) and writes nothing.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.permissions import P, require_any_permission, require_permission
from portal.core.forms import EmptyForm
from portal.core.images import send_stored_image
from portal.core.loaders import get_or_404
from portal.core.uow import form_errors
from portal.perks import catalog as perk_catalog
from portal.perks import services, vouchers
from portal.perks.forms import RedeemForm
from portal.perks.models import Perk, Redemption

bp = Blueprint("perks", __name__, url_prefix="/perks")


def load_perk(perk_id: int) -> Perk:
    """The perk as members see it, or 404 (unknown and inactive alike)."""
    return get_or_404(Perk, perk_id, visible=perk_catalog.is_visible)


def _locale() -> str:
    return str(get_locale())


@bp.get("/")
@require_permission(P.REDEEM_PERKS)
def catalog():
    view = perk_catalog.catalog_page(current_user, category=request.args.get("category"),
                                affordable=request.args.get("affordable") == "1")
    return render_template("perks/catalog.html", catalog=view, locale=_locale())


@bp.get("/<int:perk_id>")
@require_permission(P.REDEEM_PERKS)
def perk_detail(perk_id: int):
    status = perk_catalog.perk_status(current_user, load_perk(perk_id))
    return render_template("perks/detail.html", status=status, perk=status.perk, locale=_locale())


@bp.get("/<int:perk_id>/image/<any(full, thumb):variant>")
@require_any_permission(P.REDEEM_PERKS, P.MANAGE_PERKS)
def perk_image(perk_id: int, variant: str):
    """Members see images of catalog perks; marketing sees every perk's image."""
    perk = get_or_404(Perk, perk_id)
    manager = current_user.can(P.MANAGE_PERKS)
    if not (manager or perk.is_active) or not perk.image_name:
        abort(404)
    name = perk.image_name if variant == "full" else perk.image_thumb_name
    return send_stored_image(services.image_folder(), name)


# --- redeem ---------------------------------------------------------------------------------

def _confirm_page(perk: Perk, problem=None, status: int = 200):
    """The confirmation step, always with a fresh one-time nonce and the cost shown."""
    form = RedeemForm(formdata=None, nonce=secrets.token_urlsafe(24), cost=perk.cost)
    view = perk_catalog.perk_status(current_user, perk)
    if problem is None and status == 200:
        problem = view.blocker
    return render_template("perks/redeem.html", perk=perk, status=view, form=form,
                           problem=problem, cancel_days=vouchers.cancel_days(),
                           locale=_locale()), status


@bp.route("/<int:perk_id>/redeem", methods=["GET", "POST"])
@require_permission(P.REDEEM_PERKS)
def redeem(perk_id: int):
    """GET: the confirmation step. POST: redeem once per nonce (a replay shows the voucher)."""
    perk = load_perk(perk_id)
    if request.method == "GET":
        return _confirm_page(perk)
    form = RedeemForm()
    if not form.validate():
        return _confirm_page(perk, _("This confirmation has expired. Please confirm again."), 400)
    with form_errors(form):
        redemption, created = vouchers.redeem_perk(current_user, perk, nonce=form.nonce.data,
                                                   expected_cost=form.cost.data)
        if created:
            flash(_("Redeemed! Show this voucher to claim your perk."), "success")
        else:
            flash(_("You already redeemed this; here is your voucher."), "info")
        return redirect(url_for("perks.voucher_detail", redemption_id=redemption.id))
    return _confirm_page(perk, form.form_errors[-1], 409)


# --- my vouchers ----------------------------------------------------------------------------

def load_redemption(redemption_id: int) -> Redemption:
    """The member's own voucher; anyone else's is 404, never a peek."""
    return get_or_404(Redemption, redemption_id,
                      visible=lambda redemption: redemption.member_id == current_user.id)


@bp.get("/redemptions")
@require_permission(P.REDEEM_PERKS)
def my_redemptions():
    return render_template("perks/redemptions.html", vouchers=vouchers.my_vouchers(current_user),
                           form=EmptyForm(), locale=_locale())


@bp.get("/redemptions/<int:redemption_id>")
@require_permission(P.REDEEM_PERKS)
def voucher_detail(redemption_id: int):
    return _voucher_page(load_redemption(redemption_id))


def _voucher_page(redemption: Redemption, error: str | None = None, status: int = 200):
    return render_template("perks/voucher.html", card=vouchers.voucher_card(redemption),
                           redemption=redemption, form=EmptyForm(), locale=_locale(),
                           cancel_days=vouchers.cancel_days(), error=error), status


@bp.get("/redemptions/<int:redemption_id>/qr.svg")
@require_permission(P.REDEEM_PERKS)
def voucher_qr(redemption_id: int):
    redemption = load_redemption(redemption_id)
    if not redemption.is_usable:
        abort(404)
    response = Response(vouchers.voucher_qr_svg(redemption), mimetype="image/svg+xml")
    # Our own markup (paths only); still, nothing in it may run or load anything.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.post("/redemptions/<int:redemption_id>/cancel")
@require_permission(P.REDEEM_PERKS)
def cancel_redemption(redemption_id: int):
    redemption = load_redemption(redemption_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    with form_errors(form):
        vouchers.cancel_redemption(current_user, redemption)
        flash(_("The voucher was cancelled and %(points)s points were refunded.",
                points=redemption.cost), "success")
        return redirect(url_for("perks.my_redemptions"))
    return _voucher_page(redemption, form.form_errors[-1], 409)
