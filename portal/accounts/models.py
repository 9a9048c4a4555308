"""Users, homes (developments → buildings → units) and ownerships."""

from __future__ import annotations

import secrets
from datetime import date, datetime

from flask_babel import lazy_pgettext as _lp
from flask_login import AnonymousUserMixin, UserMixin
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.permissions import P, Role, role_can
from portal.core.enums import LabelledEnum
from portal.core.i18n import in_reader_script
from portal.core.timeutil import utcnow
from portal.extensions import db


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


NON_MEMBER_SQL = "role <> 'member'"  # the condition of ix_users_non_members


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("points_balance >= 0", name="balance_not_negative"),
        CheckConstraint("points_lifetime >= 0", name="lifetime_not_negative"),
        # Member counts by join date (the dashboard) read this index alone; role-only
        # lookups use its first column.
        Index("ix_users_role_active_created", "role", "is_active_account", "created_at"),
        # The few staff and partners among 100,000 members: the planner's statistics say
        # "half the rows per role" and scan the table for them without this index, which
        # queries name by repeating its condition (`staff_with`).
        Index("ix_users_non_members", "display_name", "id",
              sqlite_where=text(NON_MEMBER_SQL), postgresql_where=text(NON_MEMBER_SQL)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored normalised
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(80))
    phone: Mapped[str | None] = mapped_column(String(32), index=True)
    locale: Mapped[str] = mapped_column(String(10), default="zh_Hant")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    role: Mapped[str] = mapped_column(String(16), default=Role.MEMBER.value)
    is_active_account: Mapped[bool] = mapped_column(default=True)
    # Rotated on logout and password change so copied cookies stop working
    # (Flask-Login "alternative tokens").
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    password_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Cached from the points ledger; written only by portal.points.services.
    points_balance: Mapped[int] = mapped_column(default=0, server_default="0")
    points_lifetime: Mapped[int] = mapped_column(default=0, server_default="0")

    ownerships: Mapped[list[Ownership]] = relationship(
        back_populates="user", foreign_keys="Ownership.user_id", order_by="Ownership.id"
    )

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_active_account

    def can(self, permission: P | str) -> bool:
        return role_can(self.role, permission)

    @property
    def is_staff(self) -> bool:
        return self.can(P.STAFF_AREA)

    @property
    def verified_units(self) -> list[Unit]:
        return [o.unit for o in self.ownerships if o.status == OwnershipStatus.VERIFIED]

    @property
    def is_verified_homeowner(self) -> bool:
        return any(o.status == OwnershipStatus.VERIFIED for o in self.ownerships)

    @property
    def has_pending_home(self) -> bool:
        """A verification request is waiting for customer service."""
        return any(o.status == OwnershipStatus.PENDING for o in self.ownerships)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class PendingSignup(db.Model):
    """A registration waiting for its e-mail link: no account until the link is followed.

    One row per address (a repeat request replaces the details and the token); the token
    is kept as its SHA-256, so a copy of the table confirms nothing.
    """

    __tablename__ = "pending_signups"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored normalised
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(80))
    phone: Mapped[str | None] = mapped_column(String(32))
    locale: Mapped[str] = mapped_column(String(10))
    # The values of the fields other features added to the form (the referral code…).
    extra: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Guest(AnonymousUserMixin):
    """Anonymous visitor: may do nothing that needs a permission."""

    locale = None
    timezone = None
    is_staff = False

    def can(self, permission: P | str) -> bool:
        P(permission)  # an unknown name raises, as for members
        return False


class Development(db.Model):
    __tablename__ = "developments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    city: Mapped[str] = mapped_column(String(80))
    is_selling: Mapped[bool] = mapped_column(default=False)
    # ISO 4217 code of the currency its homes are sold in (contract prices, fees).
    currency: Mapped[str] = mapped_column(String(3), default="CNY", server_default="CNY")
    buildings: Mapped[list[Building]] = relationship(
        back_populates="development", order_by="Building.name"
    )

    @property
    def title(self) -> str:
        """The name as the reader reads it (in their Chinese script)."""
        return in_reader_script(self.name)

    @property
    def city_title(self) -> str:
        return in_reader_script(self.city)


class Building(db.Model):
    __tablename__ = "buildings"
    __table_args__ = (UniqueConstraint("development_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    development_id: Mapped[int] = mapped_column(ForeignKey("developments.id"))
    name: Mapped[str] = mapped_column(String(60))
    development: Mapped[Development] = relationship(back_populates="buildings")
    units: Mapped[list[Unit]] = relationship(back_populates="building", order_by="Unit.number")

    @property
    def title(self) -> str:
        return in_reader_script(self.name)


class Unit(db.Model):
    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("building_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"))
    number: Mapped[str] = mapped_column(String(20))
    building: Mapped[Building] = relationship(back_populates="units")

    @property
    def label(self) -> str:
        b = self.building
        return f"{b.development.title} · {b.title} · {self.number}"


class OwnershipStatus(LabelledEnum):
    PENDING = "pending", _lp("ownership status", "Waiting for verification")
    VERIFIED = "verified", _lp("ownership status", "Verified")
    REJECTED = "rejected", _lp("ownership status", "Declined")


class Ownership(db.Model):
    """A member's claim on a unit; a *verified* ownership makes a verified homeowner."""

    __tablename__ = "ownerships"
    __table_args__ = (
        UniqueConstraint("user_id", "unit_id"),
        Index("ix_ownerships_status_requested_at", "status", "requested_at"),
        # Verified households (every complaint rate's denominator) counted from the index.
        Index("ix_ownerships_status_unit", "status", "unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=OwnershipStatus.PENDING.value)
    contract_number: Mapped[str] = mapped_column(String(64), default="")
    purchased_on: Mapped[date | None]
    requested_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reject_reason: Mapped[str] = mapped_column(String(500), default="")

    user: Mapped[User] = relationship(back_populates="ownerships", foreign_keys=[user_id])
    unit: Mapped[Unit] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def status_label(self):
        return OwnershipStatus.label_of(self.status)
