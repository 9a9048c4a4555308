"""Ledger writes: the one function that changes a member's points, and its entry points.

`post` writes one ledger row and moves the cached balance (and lifetime earned) and the
expiry lots with it; `credit`, `debit`, `refund` and `clawback` are the names other
features call. Rules that hold under concurrency:

- A debit is one conditional UPDATE (`... WHERE points_balance >= :n`) whose row
  count decides; nothing reads the balance and writes it back.
- Idempotency: the ledger row (unique key) is inserted in a SAVEPOINT together
  with the balance update, so a replayed key rolls both back and returns the
  first entry. On PostgreSQL a concurrent insert of the same key waits for the
  first transaction and then fails with a unique violation.
- Whoever changes a member's balance holds that member's row lock (the UPDATE
  takes it) until the commit, so expiry lots are consumed one writer at a time.
  Operations on two members (gifts) lock both rows lowest id first.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from portal.accounts.models import User
from portal.core.forms import MAX_AMOUNT
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.points.errors import InsufficientPoints, PointsError
from portal.points.models import LIFETIME_KINDS, LedgerEntry, LedgerKind, PointsLot
from portal.points.services.totals import count_in_month

MAX_KEY_LENGTH = 160


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time `months` later, clamped to the month's last day."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def expiry_for(earned_at: datetime) -> datetime | None:
    """When points earned at `earned_at` expire (POINTS_EXPIRY_MONTHS; 0 means never)."""
    months = current_app.config.get("POINTS_EXPIRY_MONTHS", 24)
    return add_months(earned_at, months) if months else None


def check_amount(amount: Any) -> int:
    """A positive whole number of points, at most MAX_AMOUNT."""
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= MAX_AMOUNT:
        raise PointsError(_l("Enter a whole number of points between 1 and %(maximum)s.",
                             maximum=f"{MAX_AMOUNT:,}"))
    return amount


def check_key(key: Any) -> str:
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH:
        raise ValueError("idempotency_key must be a non-empty string of at most 160 characters")
    return key


def _source_ref(source: object | None) -> tuple[str, int | None]:
    if source is None:
        return "", None
    return getattr(source, "__tablename__", type(source).__name__.lower()), getattr(source, "id", None)


def find_entry(idempotency_key: str) -> LedgerEntry | None:
    return db.session.scalar(select(LedgerEntry).where(LedgerEntry.idempotency_key == idempotency_key))


def once(idempotency_key: str, write: Callable[[], LedgerEntry]) -> tuple[LedgerEntry, bool]:
    """Run `write` unless the key was used: (entry, True) when written now, (first entry, False)
    on a replay. `write` runs in a SAVEPOINT, so a unique violation on the key (a concurrent
    replay) undoes everything it did, balance updates and queued e-mails included."""
    existing = find_entry(idempotency_key)
    if existing is not None:
        return existing, False
    try:
        with db.session.begin_nested():
            return write(), True
    except IntegrityError:
        existing = find_entry(idempotency_key)
        if existing is None:  # another constraint failed: not a replay
            raise
        return existing, False


def lock_members(*member_ids: int) -> None:
    """Row-lock members lowest id first, so two-member operations cannot deadlock."""
    db.session.execute(
        select(User.id).where(User.id.in_(sorted(set(member_ids)))).order_by(User.id)
        .with_for_update(key_share=True)
    ).all()


def _sync(member: User, balance: int, lifetime: int) -> None:
    """Keep the in-session member in step with the row we just updated."""
    set_committed_value(member, "points_balance", balance)
    set_committed_value(member, "points_lifetime", lifetime)


def write_entry(member: User, amount: int, *, kind: LedgerKind | str, reason: str, key: str,
                reason_params: dict | None = None, source: object | None = None,
                actor: User | None = None, at: datetime | None = None) -> LedgerEntry:
    """Insert one ledger row (`amount` signed) and apply it to the balance and the lots.

    No idempotency check of its own: callers run it inside `once`. The ledger row goes in
    first, so a duplicate key fails before any balance moves.
    """
    kind = LedgerKind(kind)
    now = at or utcnow()
    source_type, source_id = _source_ref(source)
    entry = LedgerEntry(
        member_id=member.id, amount=amount, kind=kind.value, reason=reason,
        reason_params=reason_params or {}, source_type=source_type, source_id=source_id,
        actor_id=actor.id if actor is not None else None, created_at=now,
        expires_at=expiry_for(now) if amount > 0 else None, idempotency_key=key,
    )
    db.session.add(entry)
    db.session.flush()
    count_in_month(now, kind.value, amount)
    if amount > 0:
        earned = amount if kind in LIFETIME_KINDS else 0
        row = db.session.execute(
            update(User).where(User.id == member.id)
            .values(points_balance=User.points_balance + amount,
                    points_lifetime=User.points_lifetime + earned)
            .returning(User.points_balance, User.points_lifetime),
            execution_options={"synchronize_session": False},
        ).one()
        db.session.execute(insert(PointsLot).values(
            member_id=member.id, entry_id=entry.id, amount=amount, remaining=amount,
            expires_at=entry.expires_at))
    else:
        row = db.session.execute(
            update(User).where(User.id == member.id, User.points_balance >= -amount)
            .values(points_balance=User.points_balance + amount)
            .returning(User.points_balance, User.points_lifetime),
            execution_options={"synchronize_session": False},
        ).one_or_none()
        if row is None:
            raise InsufficientPoints(_l("Not enough points: this needs %(points)s.",
                                        points=f"{-amount:,}"))
        _consume_lots(member.id, -amount)
    _sync(member, row.points_balance, row.points_lifetime)
    return entry


def _consume_lots(member_id: int, amount: int) -> None:
    """Take `amount` from the member's lots, soonest expiry first (never-expiring last).

    Callers hold the member's row lock (the balance UPDATE), so no one else moves these lots.
    """
    lots = db.session.execute(
        select(PointsLot.id, PointsLot.remaining)
        .where(PointsLot.member_id == member_id, PointsLot.remaining > 0)
        .order_by(PointsLot.expires_at.asc().nulls_last(), PointsLot.id)
    ).all()
    changes = []
    for lot in lots:
        if amount <= 0:
            break
        take = min(lot.remaining, amount)
        changes.append({"id": lot.id, "remaining": lot.remaining - take})
        amount -= take
    if changes:
        db.session.execute(update(PointsLot), changes)


# --- what other features call ------------------------------------------------------------------


def post(member: User, amount: int, *, kind: LedgerKind | str, reason: str, idempotency_key: str,
         reason_params: dict | None = None, source: object | None = None,
         actor: User | None = None, earned_at: datetime | None = None) -> LedgerEntry:
    """The one ledger write: `amount` > 0 adds points, < 0 takes them (never below zero).

    `reason` is an N_() msgid shown later in the reader's language with `reason_params`.
    `idempotency_key` names one real-world event (`perk-redeem:<nonce>`,
    `referral:12:referrer`): replaying it returns the first entry and changes nothing.
    `earned_at` dates a credit in the past (imports, demo data): expiry counts from it.
    Raises InsufficientPoints (and writes nothing) when a debit is not covered.
    """
    if isinstance(amount, bool) or not isinstance(amount, int):
        check_amount(amount)  # raises with the translated message
    check_amount(abs(amount))
    if earned_at is not None and amount < 0:
        raise ValueError("earned_at dates credits only")
    key = check_key(idempotency_key)
    entry, _created = once(key, lambda: write_entry(
        member, amount, kind=kind, reason=reason, key=key, reason_params=reason_params,
        source=source, actor=actor, at=earned_at))
    return entry


def credit(member: User, amount: int, **entry: Any) -> LedgerEntry:
    """Add `amount` points (`post`'s keywords). Earning kinds also raise lifetime earned
    (tiers); refunds and gifts do not."""
    return post(member, check_amount(amount), **entry)


def debit(member: User, amount: int, **entry: Any) -> LedgerEntry:
    """Take `amount` points (`post`'s keywords); InsufficientPoints when the balance is short."""
    return post(member, -check_amount(amount), **entry)


def refund(member: User, amount: int, **entry: Any) -> LedgerEntry:
    """Give back spent points (kind REFUND, not lifetime earned)."""
    return credit(member, amount, kind=LedgerKind.REFUND, **entry)


def clawback(member: User, amount: int, *, kind: LedgerKind | str, reason: str,
             idempotency_key: str, reason_params: dict | None = None, source: object | None = None,
             actor: User | None = None) -> tuple[LedgerEntry | None, int]:
    """Take back up to `amount`: debits min(amount, balance).

    Returns (entry or None when the balance is 0, shortfall not recovered).
    """
    check_amount(amount)
    key = check_key(idempotency_key)
    existing = find_entry(key)
    if existing is not None:
        return existing, amount + existing.amount
    lock_members(member.id)
    balance = db.session.scalar(select(User.points_balance).where(User.id == member.id)) or 0
    take = min(amount, balance)
    if take == 0:
        return None, amount
    entry = debit(member, take, kind=kind, reason=reason, idempotency_key=key,
                  reason_params=reason_params, source=source, actor=actor)
    return entry, amount + entry.amount
