"""Set-based credits: the same number of points to many members in one go (campaign grants).

`bulk_credit` writes, for one chunk of member ids, the ledger rows (INSERT … SELECT), their
expiry lots and the cached balances (one UPDATE each), never one ORM object per member. It
keeps the ledger's rules:

- Idempotent by the unique key `<key_prefix><member_id>`: members already credited under
  that key are skipped (NOT EXISTS, and ON CONFLICT DO NOTHING for a concurrent writer), and
  only the rows actually inserted move balances and open lots.
- The members' rows are locked lowest id first before anything is written, like
  `lock_members`, so a bulk credit and an ordinary one cannot deadlock on PostgreSQL.
- SUM(lots.remaining) == points_balance == SUM(ledger.amount) still holds per member, so
  `flask points verify` stays clean.

It flushes nothing through the ORM and commits nothing: the caller's unit of work (one per
chunk) commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import JSON, Integer, String, cast, exists, literal, select, update

from portal.accounts.models import User
from portal.core.sql import dialect_insert
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.points.models import LIFETIME_KINDS, LedgerEntry, LedgerKind, PointsLot
from portal.points.services.ledger import MAX_KEY_LENGTH, check_amount, expiry_for
from portal.points.services.totals import count_in_month


def bulk_credit(member_ids: Sequence[int], amount: int, *, kind: LedgerKind | str, reason: str,
                key_prefix: str, reason_params: dict | None = None, source_type: str = "",
                source_id: int | None = None, actor_id: int | None = None,
                at: datetime | None = None) -> list[int]:
    """Credit `amount` points to each of `member_ids` once; returns the ids credited now.

    `key_prefix` + member id is each row's idempotency key (`campaign:7:member:`), so a
    re-run after a crash, or a second runner, credits nobody twice. Keep chunks to a few
    thousand ids (one statement's parameters).
    """
    amount = check_amount(amount)
    kind = LedgerKind(kind)
    if not key_prefix or len(key_prefix) + 10 > MAX_KEY_LENGTH:
        raise ValueError("key_prefix must be a short non-empty string")
    ids = sorted(set(member_ids))
    if not ids:
        return []
    now = at or utcnow()
    expires_at = expiry_for(now)
    # Lock the members lowest id first (as lock_members does), then write.
    db.session.execute(select(User.id).where(User.id.in_(ids)).order_by(User.id)
                       .with_for_update(key_share=True)).all()
    key = literal(key_prefix, String) + cast(User.id, String)
    rows = (
        select(User.id, literal(amount, Integer), literal(kind.value, String),
               literal(reason, String), literal(reason_params or {}, JSON),
               literal(source_type, String), literal(source_id, Integer),
               literal(actor_id, Integer), literal(now), literal(expires_at), key)
        .where(User.id.in_(ids),
               ~exists().where(LedgerEntry.idempotency_key == key))
    )
    columns = ["member_id", "amount", "kind", "reason", "reason_params", "source_type", "source_id",
               "actor_id", "created_at", "expires_at", "idempotency_key"]
    statement = (dialect_insert(LedgerEntry.__table__, db.session).from_select(columns, rows)
                 .on_conflict_do_nothing(index_elements=["idempotency_key"])
                 .returning(LedgerEntry.__table__.c.id, LedgerEntry.__table__.c.member_id))
    written = db.session.execute(statement).all()
    if not written:
        return []
    credited = sorted(row.member_id for row in written)
    count_in_month(now, kind.value, [amount] * len(written))
    db.session.execute(PointsLot.__table__.insert(), [
        {"member_id": row.member_id, "entry_id": row.id, "amount": amount, "remaining": amount,
         "expires_at": expires_at} for row in written])
    earned = amount if kind in LIFETIME_KINDS else 0
    db.session.execute(
        update(User).where(User.id.in_(credited))
        .values(points_balance=User.points_balance + amount,
                points_lifetime=User.points_lifetime + earned),
        execution_options={"synchronize_session": False})
    return credited
