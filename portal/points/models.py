"""The points ledger (append-only), expiry lots and the feature's settings.

Every change of a member's points is one `LedgerEntry`; `users.points_balance`
and `users.points_lifetime` cache the ledger and are written only by
`portal.points.services` in the same transaction (ARCHITECTURE.md, "The points ledger").

Expiry bookkeeping lives beside the ledger, not in it: each credit opens a
`PointsLot` holding what is left of that credit. Debits consume lots oldest
expiry first and `flask points expire` empties lots that are past their date,
so for every member SUM(lots.remaining) == points_balance == SUM(ledger.amount).
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    DDL,
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.enums import LabelledEnum
from portal.core.timeutil import utcnow
from portal.extensions import db


class LedgerKind(LabelledEnum):
    """What a ledger row is; the value is stored, the label is the history's "Type"."""

    EARN = "earn", _l("Earned")
    REDEEM = "redeem", _l("Redeemed")
    REFUND = "refund", _l("Refund")
    ADJUST = "adjust", _l("Adjustment")
    EXPIRE = "expire", _l("Expired")
    CAMPAIGN = "campaign", _l("Campaign")
    REFERRAL = "referral", _l("Referral")
    SURVEY = "survey", _l("Survey")
    SUGGESTION = "suggestion", _l("Suggestion")
    GIFT = "gift", _l("Gift")


# Credits of these kinds count as lifetime earned (tiers). Refunds give back what
# was spent and gifts move points between members: neither is earning.
LIFETIME_KINDS = frozenset({
    LedgerKind.EARN, LedgerKind.ADJUST, LedgerKind.CAMPAIGN, LedgerKind.REFERRAL,
    LedgerKind.SURVEY, LedgerKind.SUGGESTION,
})


class LedgerEntry(db.Model):
    __tablename__ = "points_ledger"
    __table_args__ = (
        CheckConstraint("amount <> 0", name="amount_not_zero"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    amount: Mapped[int]  # signed: credits > 0, debits < 0
    kind: Mapped[str] = mapped_column(String(16))
    # An English msgid marked with N_(), translated when shown, with its parameters.
    reason: Mapped[str] = mapped_column(String(200))
    reason_params: Mapped[dict] = mapped_column(JSON, default=dict)
    source_type: Mapped[str] = mapped_column(String(64), default="")
    source_id: Mapped[int | None]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # For credits: when what is left of this credit expires (None: never).
    expires_at: Mapped[datetime | None]
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)

    member = relationship("User", foreign_keys=[member_id])
    actor = relationship("User", foreign_keys=[actor_id])

    @property
    def is_credit(self) -> bool:
        return self.amount > 0

    def __repr__(self) -> str:
        return f"<LedgerEntry {self.id} member={self.member_id} {self.kind} {self.amount:+d}>"


# The member's history: WHERE member_id = ? ORDER BY created_at DESC, id DESC.
Index("ix_points_ledger_member_history", LedgerEntry.member_id, LedgerEntry.created_at.desc(),
      LedgerEntry.id.desc())
# What one source paid (a campaign's report): WHERE source_type = ? AND source_id = ?.
Index("ix_points_ledger_source", LedgerEntry.source_type, LedgerEntry.source_id)


class PointsLot(db.Model):
    """What is left of one credit, consumed oldest expiry first; the expiry job empties it."""

    __tablename__ = "points_lots"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("remaining >= 0 AND remaining <= amount", name="remaining_in_range"),
        # Debits: WHERE member_id = ? AND remaining > 0 ORDER BY expires_at, id.
        Index("ix_points_lots_member_expires_at", "member_id", "expires_at", "id"),
        # The expiry job: WHERE expires_at <= now AND remaining > 0.
        Index("ix_points_lots_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("points_ledger.id"), unique=True)
    amount: Mapped[int]
    remaining: Mapped[int]
    expires_at: Mapped[datetime | None]


class PointsSetting(db.Model):
    """Settings admins edit on /admin/points/settings (tier thresholds)."""

    __tablename__ = "points_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# The ledger is append-only in the database too, not only by convention
# (SECURITY.md, "Audit / ledger"). The migration creates the same triggers.
SQLITE_APPEND_ONLY = [
    "CREATE TRIGGER IF NOT EXISTS trg_points_ledger_no_update BEFORE UPDATE ON points_ledger "
    "BEGIN SELECT RAISE(ABORT, 'points_ledger is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS trg_points_ledger_no_delete BEFORE DELETE ON points_ledger "
    "BEGIN SELECT RAISE(ABORT, 'points_ledger is append-only'); END",
]
POSTGRES_APPEND_ONLY = [
    "CREATE OR REPLACE FUNCTION points_ledger_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'points_ledger is append-only'; END; $$ LANGUAGE plpgsql",
    "CREATE TRIGGER trg_points_ledger_append_only BEFORE UPDATE OR DELETE ON points_ledger "
    "FOR EACH ROW EXECUTE FUNCTION points_ledger_append_only()",
]

for _statement in SQLITE_APPEND_ONLY:
    event.listen(LedgerEntry.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in POSTGRES_APPEND_ONLY:
    event.listen(LedgerEntry.__table__, "after_create",
                 DDL(_statement).execute_if(dialect="postgresql"))
