"""Perks (what members can redeem) and redemptions (the vouchers they hold)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.core.codes import grouped
from portal.core.enums import LabelledEnum
from portal.core.i18n import localized
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.points.tiers import TierCode


class PerkCategory(LabelledEnum):
    HOME_SERVICES = "home_services", _l("Home services")
    COMMUNITY_EVENTS = "community_events", _l("Community events")
    PARTNER_DISCOUNTS = "partner_discounts", _l("Partner discounts")
    PROPERTY_FEE_OFFSETS = "property_fee_offsets", _l("Property fee offsets")


class RedemptionStatus(LabelledEnum):
    """A voucher's status. ISSUED, USED and CANCELLED are stored; EXPIRED is never stored:
    it is derived (issued and past `expires_at`), see `Redemption.display_status`."""

    ISSUED = "issued", _l("Issued")
    USED = "used", _l("Used")
    CANCELLED = "cancelled", _l("Cancelled")
    EXPIRED = "expired", _l("Expired")


EXPIRED = RedemptionStatus.EXPIRED.value
LANGS = ("zh_Hant", "zh_Hans", "en")


class Perk(db.Model):
    __tablename__ = "perks"
    __table_args__ = (
        CheckConstraint("cost > 0", name="cost_positive"),
        CheckConstraint("stock IS NULL OR stock >= 0", name="stock_not_negative"),
        CheckConstraint("per_member_limit IS NULL OR per_member_limit > 0", name="limit_positive"),
        CheckConstraint("ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at",
                        name="window_order"),
        # The catalog and the admin list: newest first.
        Index("ix_perks_is_active_created_at_id", "is_active", "created_at", "id"),
        Index("ix_perks_created_at_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title_zh_hant: Mapped[str] = mapped_column(String(120), default="")
    title_zh_hans: Mapped[str] = mapped_column(String(120), default="")
    title_en: Mapped[str] = mapped_column(String(120), default="")
    description_zh_hant: Mapped[str] = mapped_column(Text, default="")
    description_zh_hans: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(32), index=True)
    cost: Mapped[int]
    stock: Mapped[int | None]  # None: unlimited
    per_member_limit: Mapped[int | None]  # None: no limit
    min_tier: Mapped[str] = mapped_column(String(16), default="member")
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    image_name: Mapped[str | None] = mapped_column(String(64))
    image_thumb_name: Mapped[str | None] = mapped_column(String(64))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    def title(self, locale: str) -> str:
        return localized(self.titles(), locale)

    def titles(self) -> dict[str, str]:
        """The title in every language, e.g. for a ledger reason shown in the reader's
        language (points.services.render_reason picks the reader's one)."""
        return {"zh_Hant": self.title_zh_hant, "zh_Hans": self.title_zh_hans, "en": self.title_en}

    def description(self, locale: str) -> str:
        return localized({"zh_Hant": self.description_zh_hant, "zh_Hans": self.description_zh_hans,
                          "en": self.description_en}, locale)

    @property
    def category_label(self):
        return PerkCategory.label_of(self.category)

    @property
    def min_tier_label(self):
        return TierCode.label_of(self.min_tier)

    @property
    def is_unlimited(self) -> bool:
        return self.stock is None

    def is_open(self, now: datetime) -> bool:
        """Inside the availability window (the active flag is checked separately)."""
        return (self.starts_at is None or self.starts_at <= now) and (
            self.ends_at is None or self.ends_at > now)

    def __repr__(self) -> str:
        return f"<Perk {self.id} {self.title_en or self.title_zh_hant}>"


class Redemption(db.Model):
    """One voucher: a member spent `cost` points on a perk."""

    __tablename__ = "perk_redemptions"
    __table_args__ = (
        CheckConstraint("cost > 0", name="cost_positive"),
        CheckConstraint("status IN ('issued', 'used', 'cancelled')", name="status_known"),
        # My vouchers, newest first; the per-member limit counts by (member, perk).
        Index("ix_perk_redemptions_member_id_created_at_id", "member_id", "created_at", "id"),
        Index("ix_perk_redemptions_member_id_perk_id_status", "member_id", "perk_id", "status"),
        # The staff list, newest first, optionally per perk or status.
        Index("ix_perk_redemptions_created_at_id", "created_at", "id"),
        Index("ix_perk_redemptions_perk_id_created_at", "perk_id", "created_at"),
        Index("ix_perk_redemptions_status_created_at", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    perk_id: Mapped[int] = mapped_column(ForeignKey("perks.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The one-time value of the confirmation form: a replayed POST finds this row.
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    voucher_code: Mapped[str] = mapped_column(String(16), unique=True)
    cost: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default=RedemptionStatus.ISSUED.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancelled_at: Mapped[datetime | None]

    perk: Mapped[Perk] = relationship()
    member: Mapped[User] = relationship(foreign_keys=[member_id])
    used_by: Mapped[User | None] = relationship(foreign_keys=[used_by_id])

    @property
    def display_status(self) -> str:
        """issued, used, cancelled, or expired (issued but past `expires_at`)."""
        if self.status == RedemptionStatus.ISSUED and self.expires_at <= utcnow():
            return EXPIRED
        return self.status

    @property
    def is_usable(self) -> bool:
        """Issued and not expired: it can still be used at the counter (or cancelled)."""
        return self.display_status == RedemptionStatus.ISSUED

    @property
    def status_label(self):
        return RedemptionStatus.label_of(self.display_status)

    @property
    def grouped_code(self) -> str:
        """`ABCD-2345-WXYZ`, easier to read out at a counter."""
        return grouped(self.voucher_code)
