"""Referral codes, referrals ("old brings new") and the reward rule in force."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_pgettext as _lp
from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Development, Ownership, Unit, User
from portal.core.enums import LabelledEnum
from portal.core.timeutil import utcnow
from portal.extensions import db


class ReferralStatus(LabelledEnum):
    """Stored values (and the CHECK constraint) as before; labels are what staff read."""

    # the invitee signed up with the code
    REGISTERED = "registered", _lp("referral status", "Registered")
    # staff logged a sales-office visit (optional step)
    VISITED = "visited", _lp("referral status", "Visited the sales office")
    # purchase recorded, no points due (rule or cap gave nothing)
    PURCHASED = "purchased", _lp("referral status", "Purchased")
    # purchase recorded and the reward credited
    REWARDED = "rewarded", _lp("referral status", "Rewarded")
    # staff refused it, with a reason; never rewarded
    REJECTED = "rejected", _lp("referral status", "Rejected")
    # the purchase fell through; any reward was clawed back
    CANCELLED = "cancelled", _lp("referral status", "Purchase cancelled")


STATUS_LABELS = ReferralStatus.labels()
# What the referrer sees: no staff wording such as "rejected".
MEMBER_STATUS_LABELS = STATUS_LABELS | {
    ReferralStatus.REJECTED.value: _lp("referral status", "Not eligible"),
}

OPEN_STATUSES = (ReferralStatus.REGISTERED, ReferralStatus.VISITED)
CONVERTED_STATUSES = (ReferralStatus.PURCHASED, ReferralStatus.REWARDED)
_STATUS_LIST = ", ".join(f"'{s.value}'" for s in ReferralStatus)


class ReferralCode(db.Model):
    """A member's personal code; one per member, created on demand."""

    __tablename__ = "referral_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class Referral(db.Model):
    """One invitee brought by one referrer: UNIQUE(invitee_id) makes "first code wins" hold."""

    __tablename__ = "referrals"
    __table_args__ = (
        CheckConstraint("referrer_id <> invitee_id", name="not_self"),
        CheckConstraint(f"status IN ({_STATUS_LIST})", name="status_known"),
        CheckConstraint("referrer_points >= 0 AND invitee_points >= 0", name="points_not_negative"),
        CheckConstraint("referrer_owed >= 0 AND invitee_owed >= 0", name="owed_not_negative"),
        # Lists: all (newest first), by status, by referrer (member page and filter), by development.
        Index("ix_referrals_created_at_id", "created_at", "id"),
        Index("ix_referrals_status_created_at", "status", "created_at"),
        Index("ix_referrals_referrer_id_created_at", "referrer_id", "created_at"),
        Index("ix_referrals_development_id_created_at", "development_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    referrer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    invitee_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    code: Mapped[str] = mapped_column(String(16))  # the code used, as it was
    status: Mapped[str] = mapped_column(String(16), default=ReferralStatus.REGISTERED.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    visited_on: Mapped[date | None]
    # The purchase, recorded by staff; it created `ownership` through accounts.services.link_unit.
    purchased_on: Mapped[date | None]
    purchase_recorded_at: Mapped[datetime | None]
    contract_number: Mapped[str] = mapped_column(String(64), default="")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    development_id: Mapped[int | None] = mapped_column(ForeignKey("developments.id"))
    ownership_id: Mapped[int | None] = mapped_column(ForeignKey("ownerships.id"), index=True)

    # What was credited (after the rule and the cap), and what a clawback could not recover.
    rewarded_at: Mapped[datetime | None]
    referrer_points: Mapped[int] = mapped_column(default=0)
    invitee_points: Mapped[int] = mapped_column(default=0)
    referrer_owed: Mapped[int] = mapped_column(default=0)
    invitee_owed: Mapped[int] = mapped_column(default=0)
    reward_note: Mapped[str] = mapped_column(String(200), default="")  # msgid, e.g. "cap reached"

    decided_at: Mapped[datetime | None]  # rejected or cancelled
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(500), default="")

    referrer: Mapped[User] = relationship(foreign_keys=[referrer_id])
    invitee: Mapped[User] = relationship(foreign_keys=[invitee_id])
    unit: Mapped[Unit | None] = relationship()
    development: Mapped[Development | None] = relationship()
    ownership: Mapped[Ownership | None] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def points_owed(self) -> int:
        return self.referrer_owed + self.invitee_owed

    @property
    def is_rewarded(self) -> bool:
        """Points were credited (the figures are shown only then)."""
        return self.status == ReferralStatus.REWARDED

    @property
    def status_label(self):
        """The staff label of the status."""
        return ReferralStatus.label_of(self.status)


class ReferralRule(db.Model):
    """The reward rule; the newest row is in force (rows are kept as history)."""

    __tablename__ = "referral_rules"
    __table_args__ = (
        CheckConstraint("referrer_points >= 0 AND invitee_points >= 0", name="points_not_negative"),
        CheckConstraint("yearly_cap >= 0", name="cap_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    referrer_points: Mapped[int]
    invitee_points: Mapped[int]
    yearly_cap: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    created_by: Mapped[User | None] = relationship()
