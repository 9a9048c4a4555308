"""Member pages: the catalog, a perk, and the perk images."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import get_locale
from flask_login import current_user, login_required

from portal.accounts.permissions import P, require_permission
from portal.core.images import send_stored_image
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.perks import services
from portal.perks.models import CATEGORY_LABELS, Perk
from portal.perks.tiers import member_tier, tier_label

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
        tier=member_tier(current_user), tier_label=tier_label)


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
