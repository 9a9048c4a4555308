"""Perk administration: marketing's catalog editor, images and stock. Every change is audited.

The member catalog lives in `portal.perks.catalog`, redemptions in `portal.perks.vouchers`.
Services flush, never commit; errors are `PerkError`s with a translated message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, select, update

from portal.audit.services import record_action
from portal.core.enums import LabelledEnum
from portal.core.images import ImageRejected, StoredImage, delete_stored_image, store_image
from portal.core.pagination import paginate
from portal.core.uow import after_commit
from portal.extensions import db
from portal.perks.errors import PerkError
from portal.perks.models import LANGS, Perk, PerkCategory
from portal.perks.tiers import TIER_KEYS

__all__ = ["PerkError"]  # re-exported: callers catch the feature's errors from here

MAX_IMAGE_BYTES = 5 * 1024 * 1024
ADMIN_PER_PAGE = 30
TEXT_FIELDS = tuple(f"{kind}_{lang.lower()}" for kind in ("title", "description") for lang in LANGS)
EDITABLE_FIELDS = (*TEXT_FIELDS, "category", "cost", "per_member_limit", "min_tier",
                   "starts_at", "ends_at", "is_active")


def image_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "perks"


def save_perk_image(stream: BinaryIO) -> StoredImage:
    """Check and store an uploaded perk image (≤ 5 MB, decoded and re-encoded by Pillow).

    Raises `portal.core.images.ImageRejected` with a translated reason.
    """
    return store_image(stream, image_folder(), max_bytes=MAX_IMAGE_BYTES, thumb_size=480)


def store_upload(upload: Any) -> StoredImage | None:
    """Store the form's uploaded file (None when no file was chosen); a file that is not an
    acceptable image is a `PerkError` on the form's image field."""
    if not upload or not getattr(upload, "filename", ""):
        return None
    try:
        return save_perk_image(upload.stream)
    except ImageRejected as error:
        raise PerkError(error.message, field="image") from error


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

    A replaced or removed image's files are deleted once the commit made the change
    permanent; a rolled-back update keeps them.
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
        after_commit(delete_stored_image, image_folder(), old_name, old_thumb)
    return perk


def save_perk(perk: Perk | None, data: PerkData, *, upload: Any = None, remove_image: bool = False,
              actor, ip: str | None = None) -> Perk:
    """Marketing's perk form: create (`perk` None) or update a perk, storing the uploaded image.

    The data is checked before a file is written, and a save that fails after the file was
    written removes it again, so a refused form leaves no file behind.
    """
    _validate(data)
    image = store_upload(upload)
    try:
        if perk is None:
            return create_perk(data, image=image, actor=actor, ip=ip)
        return update_perk(perk, data, image=image, remove_image=remove_image, actor=actor, ip=ip)
    except BaseException:
        if image is not None:
            delete_stored_image(image_folder(), image.name, image.thumb_name)
        raise


class StockAction(LabelledEnum):
    ADD = "add", _l("Add units")
    REMOVE = "remove", _l("Remove units")
    SET = "set", _l("Set the stock to")
    UNLIMITED = "unlimited", _l("Make the stock unlimited")


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


def admin_perks_page() -> Pagination:
    """/admin/perks: every perk, newest first, one page of them."""
    return paginate(admin_perks_query(), ADMIN_PER_PAGE)
