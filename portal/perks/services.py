"""Perk catalog and perk administration. Redemptions live in `portal.perks.vouchers`.

Services flush, never commit; errors carry a translated, user-safe message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select, update

from portal.accounts.permissions import P
from portal.audit.services import record_action
from portal.core.images import StoredImage, delete_stored_image, store_image
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.perks.models import LANGS, Perk, PerkCategory, Redemption, RedemptionStatus
from portal.perks.tiers import TIER_KEYS, meets_tier, tier_label

MAX_IMAGE_BYTES = 5 * 1024 * 1024
TEXT_FIELDS = tuple(f"{kind}_{lang.lower()}" for kind in ("title", "description") for lang in LANGS)
EDITABLE_FIELDS = (*TEXT_FIELDS, "category", "cost", "per_member_limit", "min_tier",
                   "starts_at", "ends_at", "is_active")


class PerkError(ValueError):
    """A refused perk action; `str(error)` is a translated message for the user."""

    def __init__(self, message) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


def image_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "perks"


def save_perk_image(stream: BinaryIO) -> StoredImage:
    """Check and store an uploaded perk image (≤ 5 MB, decoded and re-encoded by Pillow).

    Raises `portal.core.images.ImageRejected` with a translated reason.
    """
    return store_image(stream, image_folder(), max_bytes=MAX_IMAGE_BYTES, thumb_size=480)


# --- the catalog -----------------------------------------------------------------------

def visible_condition(now: datetime):
    """Active perks whose window has not ended (upcoming ones are shown with their date)."""
    return (Perk.is_active.is_(True)) & or_(Perk.ends_at.is_(None), Perk.ends_at > now)


def catalog_query(*, now: datetime, category: str | None = None,
                  max_cost: int | None = None) -> Select:
    """Perks members can browse, newest first; `max_cost` keeps the affordable ones."""
    query = select(Perk).where(visible_condition(now))
    if category:
        query = query.where(Perk.category == category)
    if max_cost is not None:
        query = query.where(Perk.cost <= max_cost)
    return query.order_by(Perk.created_at.desc(), Perk.id.desc())


def latest_perks(limit: int = 3) -> list[Perk]:
    """The newest perks a member can redeem now (the home page panel)."""
    now = utcnow()
    query = (catalog_query(now=now)
             .where(or_(Perk.starts_at.is_(None), Perk.starts_at <= now))
             .where(or_(Perk.stock.is_(None), Perk.stock > 0))
             .limit(limit))
    return list(db.session.scalars(query))


def held_count(member_id: int, perk_id: int) -> int:
    """Vouchers of this perk the member holds or used (cancelled ones do not count)."""
    return db.session.scalar(
        select(func.count()).select_from(Redemption).where(
            Redemption.member_id == member_id, Redemption.perk_id == perk_id,
            Redemption.status != RedemptionStatus.CANCELLED.value)) or 0


class NotAvailable(PerkError):
    """Inactive, not started or ended."""


class TierTooLow(PerkError):
    pass


class OutOfStock(PerkError):
    pass


class LimitReached(PerkError):
    pass


class NotEnoughPoints(PerkError):
    pass


OUT_OF_STOCK = _l("Sorry, this perk is out of stock.")


def not_enough_points(short: int):
    return _l("You need %(short)s more points for this perk.", short=short)


def redeem_problem(member, perk: Perk, *, now: datetime, held: int, balance: int,
                   check_stock: bool = True) -> PerkError | None:
    """Why `member` cannot redeem `perk` now (an error carrying a translated message), or None.

    Checked in this order: window, tier, stock, limit, points. `redeem_perk` runs the same
    checks under the member's row lock and takes the stock with a conditional UPDATE.
    """
    if not perk.is_active or (perk.ends_at is not None and perk.ends_at <= now):
        return NotAvailable(_l("This perk is no longer available."))
    if perk.starts_at is not None and perk.starts_at > now:
        return NotAvailable(_l("This perk is not available yet."))
    if not meets_tier(member, perk.min_tier):
        return TierTooLow(_l("This perk is for %(tier)s members and above.",
                             tier=tier_label(perk.min_tier)))
    if check_stock and perk.stock is not None and perk.stock <= 0:
        return OutOfStock(OUT_OF_STOCK)
    if perk.per_member_limit is not None and held >= perk.per_member_limit:
        return LimitReached(_l("You have reached the limit of %(limit)s per member for this perk.",
                               limit=perk.per_member_limit))
    if balance < perk.cost:
        return NotEnoughPoints(not_enough_points(perk.cost - balance))
    return None


def redeem_blocker(member, perk: Perk, *, now: datetime, held: int, balance: int):
    """The translated reason of `redeem_problem`, or None (for pages that only inform)."""
    problem = redeem_problem(member, perk, now=now, held=held, balance=balance)
    return problem.message if problem is not None else None


def get_active_perk(perk_id: int) -> Perk | None:
    """The perk as members may see it: unknown and inactive perks are None (→ 404)."""
    perk = db.session.get(Perk, perk_id)
    return perk if perk is not None and perk.is_active else None


# --- administration --------------------------------------------------------------------

@dataclass
class PerkData:
    """What marketing fills in; the form produces it, the services store it."""

    title_zh_hant: str = ""
    title_zh_hans: str = ""
    title_en: str = ""
    description_zh_hant: str = ""
    description_zh_hans: str = ""
    description_en: str = ""
    category: str = PerkCategory.HOME_SERVICES.value
    cost: int = 1
    stock: int | None = None
    per_member_limit: int | None = None
    min_tier: str = "member"
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    is_active: bool = True


def _validate(data: PerkData) -> None:
    """The rules the database also enforces, with messages a person can act on."""
    if not any((getattr(data, f"title_{lang.lower()}") or "").strip() for lang in LANGS):
        raise PerkError(_l("Enter a title in at least one language."))
    if data.category not in set(PerkCategory):
        raise PerkError(_l("Choose a category."))
    if data.min_tier not in TIER_KEYS:
        raise PerkError(_l("Choose a tier."))
    if data.cost is None or data.cost <= 0:
        raise PerkError(_l("The cost must be at least 1 point."))
    if data.stock is not None and data.stock < 0:
        raise PerkError(_l("Stock cannot be negative."))
    if data.per_member_limit is not None and data.per_member_limit <= 0:
        raise PerkError(_l("The limit per member must be at least 1."))
    if data.starts_at and data.ends_at and data.ends_at <= data.starts_at:
        raise PerkError(_l("The end must be after the start."))


def _snapshot(perk: Perk) -> dict[str, Any]:
    values = {name: getattr(perk, name) for name in (*EDITABLE_FIELDS, "stock", "image_name")}
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in values.items()}


def create_perk(data: PerkData, *, image: StoredImage | None, actor, ip: str | None = None) -> Perk:
    """Add a perk to the catalog (audited)."""
    _validate(data)
    perk = Perk(created_by_id=actor.id, stock=data.stock)
    for name in EDITABLE_FIELDS:
        value = getattr(data, name)
        setattr(perk, name, value.strip() if isinstance(value, str) else value)
    if image is not None:
        perk.image_name, perk.image_thumb_name = image.name, image.thumb_name
    db.session.add(perk)
    db.session.flush()
    record_action(actor, "perk.create", perk, _snapshot(perk), ip)
    return perk


def update_perk(perk: Perk, data: PerkData, *, image: StoredImage | None, remove_image: bool,
                actor, ip: str | None = None) -> Perk:
    """Change a perk's texts, cost, limits and image (stock has its own service). Audited with
    the fields that changed, before and after.

    A replaced image's files are removed by `discard_replaced_images` after the commit.
    """
    _validate(data)
    before = _snapshot(perk)
    for name in EDITABLE_FIELDS:
        value = getattr(data, name)
        setattr(perk, name, value.strip() if isinstance(value, str) else value)
    old_name, old_thumb = perk.image_name, perk.image_thumb_name
    if image is not None:
        perk.image_name, perk.image_thumb_name = image.name, image.thumb_name
    elif remove_image:
        perk.image_name = perk.image_thumb_name = None
    db.session.flush()
    after = _snapshot(perk)
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    record_action(actor, "perk.update", perk, changes, ip)
    if old_name and old_name != perk.image_name:
        # Deleted only once the commit made the new name permanent.
        db.session.info.setdefault("perk_images_to_delete", []).append((old_name, old_thumb))
    return perk


def discard_replaced_images() -> None:
    """After the commit: delete image files that an update replaced or removed."""
    for name, thumb in db.session.info.pop("perk_images_to_delete", []):
        delete_stored_image(image_folder(), name, thumb)


class StockAction:
    ADD = "add"
    REMOVE = "remove"
    SET = "set"
    UNLIMITED = "unlimited"


def change_stock(perk: Perk, action: str, quantity: int | None, *, actor,
                 ip: str | None = None) -> Perk:
    """Add, remove or set units, or make the stock unlimited; audited with before and after.

    The perk row is locked first so a redemption in flight is counted, never overwritten.
    """
    db.session.refresh(perk, with_for_update=True)
    before = perk.stock
    if action == StockAction.UNLIMITED:
        new = None
    elif quantity is None or quantity < 0:
        raise PerkError(_l("Enter a number of units."))
    elif action == StockAction.SET:
        new = quantity
    elif before is None:
        raise PerkError(_l("The stock is unlimited: set a number of units first."))
    elif action == StockAction.ADD:
        new = before + quantity
    elif action == StockAction.REMOVE:
        if quantity > before:
            raise PerkError(_l("Only %(count)s units are left.", count=before))
        new = before - quantity
    else:
        raise PerkError(_l("Choose what to do with the stock."))
    if new is not None and new > 10_000_000:
        raise PerkError(_l("That is more units than the catalog can hold."))
    db.session.execute(update(Perk).where(Perk.id == perk.id).values(stock=new)
                       .execution_options(synchronize_session=False))
    db.session.expire(perk, ["stock"])
    record_action(actor, "perk.stock", perk,
                  {"action": action, "quantity": quantity, "before": before, "after": new}, ip)
    return perk


def set_active(perk: Perk, active: bool, *, actor, ip: str | None = None) -> Perk:
    """Show or hide a perk in the catalog; vouchers already issued stay valid."""
    if perk.is_active != active:
        perk.is_active = active
        db.session.flush()
        record_action(actor, "perk.activate" if active else "perk.deactivate", perk, {}, ip)
    return perk


def admin_perks_query() -> Select:
    return select(Perk).order_by(Perk.created_at.desc(), Perk.id.desc())


def home_panel_context(user) -> dict:
    """"New perks" on the member home page: the latest three, for members who can redeem."""
    if not user.can(P.REDEEM_PERKS):
        return {"perks": []}
    return {"perks": latest_perks(3)}
