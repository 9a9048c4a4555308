"""The points service: every change of a member's points goes through here.

What other features call: `credit`, `debit`, `refund` and `clawback`. Amounts are
positive integers; `reason` is an N_() msgid shown later in the reader's language with
`reason_params`; `idempotency_key` names one real-world event (`perk-redeem:<nonce>`,
`referral:12:referrer`, `campaign:3:member:45`): replaying it returns the first entry
and changes nothing. Functions flush, never commit. Rules that hold under concurrency:

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
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from portal.accounts.models import User
from portal.accounts.permissions import P
from portal.audit.services import record_action
from portal.core.forms import MAX_AMOUNT
from portal.core.i18n import N_
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.notifications.services import notify
from portal.points.models import LIFETIME_KINDS, LedgerEntry, LedgerKind, PointsLot

GIFT_MINIMUM = 100
MAX_KEY_LENGTH = 160


class PointsError(ValueError):
    """A points rule was broken; `str(error)` is a translated, user-safe message."""


class InsufficientPoints(PointsError):
    """The balance does not cover a debit; nothing was written."""


class RecipientError(PointsError):
    """The member who would receive points cannot (unknown, inactive, staff, or oneself)."""


# --- helpers -----------------------------------------------------------------------------------


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


def _check_amount(amount: Any) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= MAX_AMOUNT:
        raise PointsError(_l("Enter a whole number of points between 1 and %(maximum)s.",
                             maximum=f"{MAX_AMOUNT:,}"))
    return amount


def _check_key(key: Any) -> str:
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH:
        raise ValueError("idempotency_key must be a non-empty string of at most 160 characters")
    return key


def _source_ref(source: object | None) -> tuple[str, int | None]:
    if source is None:
        return "", None
    return getattr(source, "__tablename__", type(source).__name__.lower()), getattr(source, "id", None)


def find_entry(idempotency_key: str) -> LedgerEntry | None:
    return db.session.scalar(select(LedgerEntry).where(LedgerEntry.idempotency_key == idempotency_key))


def _once(idempotency_key: str, write: Callable[[], LedgerEntry]) -> tuple[LedgerEntry, bool]:
    """Run `write` unless the key was used: (entry, True) when written now, (first entry, False)
    on a replay. `write` runs in a SAVEPOINT, so a unique violation on the key (a concurrent
    replay) undoes everything it did, balance updates included."""
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


def _post(member: User, amount: int, *, kind: LedgerKind | str, reason: str, key: str,
          reason_params: dict | None, source: object | None, actor: User | None,
          at: datetime | None = None) -> LedgerEntry:
    """Insert one ledger row and apply it to the member's cached balance and lots.

    The ledger row goes in first: a duplicate key fails before any balance moves.
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


def credit(member: User, amount: int, *, kind: LedgerKind | str, reason: str, idempotency_key: str,
           reason_params: dict | None = None, source: object | None = None,
           actor: User | None = None) -> LedgerEntry:
    """Add points. Earning kinds also raise lifetime earned (tiers); refunds and gifts do not.

    Replaying `idempotency_key` returns the first entry and changes nothing.
    """
    _check_amount(amount)
    key = _check_key(idempotency_key)
    entry, _created = _once(key, lambda: _post(
        member, amount, kind=kind, reason=reason, key=key, reason_params=reason_params,
        source=source, actor=actor))
    return entry


def debit(member: User, amount: int, *, kind: LedgerKind | str, reason: str, idempotency_key: str,
          reason_params: dict | None = None, source: object | None = None,
          actor: User | None = None) -> LedgerEntry:
    """Take points; raises InsufficientPoints (and writes nothing) when the balance is short.

    Replaying `idempotency_key` returns the first entry and changes nothing.
    """
    _check_amount(amount)
    key = _check_key(idempotency_key)
    entry, _created = _once(key, lambda: _post(
        member, -amount, kind=kind, reason=reason, key=key, reason_params=reason_params,
        source=source, actor=actor))
    return entry


def import_credit(member: User, amount: int, *, kind: LedgerKind | str, reason: str,
                  idempotency_key: str, earned_at: datetime, reason_params: dict | None = None,
                  actor: User | None = None) -> LedgerEntry:
    """A credit dated in the past (data imports, demo data): expiry counts from `earned_at`."""
    _check_amount(amount)
    key = _check_key(idempotency_key)
    entry, _created = _once(key, lambda: _post(
        member, amount, kind=kind, reason=reason, key=key, reason_params=reason_params,
        source=None, actor=actor, at=earned_at))
    return entry


def refund(member: User, amount: int, *, reason: str, idempotency_key: str,
           reason_params: dict | None = None, source: object | None = None,
           actor: User | None = None) -> LedgerEntry:
    """Give back spent points (kind REFUND, not lifetime earned)."""
    return credit(member, amount, kind=LedgerKind.REFUND, reason=reason,
                  idempotency_key=idempotency_key, reason_params=reason_params, source=source,
                  actor=actor)


def clawback(member: User, amount: int, *, kind: LedgerKind | str, reason: str,
             idempotency_key: str, reason_params: dict | None = None, source: object | None = None,
             actor: User | None = None) -> tuple[LedgerEntry | None, int]:
    """Take back up to `amount`: debits min(amount, balance).

    Returns (entry or None when the balance is 0, shortfall not recovered).
    """
    _check_amount(amount)
    key = _check_key(idempotency_key)
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


# --- member and staff actions -------------------------------------------------------------------


def gift_cap() -> int:
    return int(current_app.config.get("POINTS_GIFT_DAILY_CAP", 5000))


def gifted_in_last_day(sender_id: int, now: datetime | None = None) -> int:
    since = (now or utcnow()) - timedelta(days=1)
    total = db.session.scalar(
        select(func.coalesce(func.sum(-LedgerEntry.amount), 0)).where(
            LedgerEntry.member_id == sender_id, LedgerEntry.kind == LedgerKind.GIFT.value,
            LedgerEntry.amount < 0, LedgerEntry.created_at >= since))
    return int(total or 0)


def can_receive_points(user: User | None) -> bool:
    return user is not None and user.is_active and user.can(P.EARN_POINTS)


def gift(sender: User, recipient: User | None, amount: int, *, nonce: str) -> LedgerEntry:
    """Move points from `sender` to `recipient`: two ledger rows in one transaction.

    At least GIFT_MINIMUM points; at most POINTS_GIFT_DAILY_CAP in any 24 hours per sender.
    Both members are locked lowest id first; the sender's debit is the conditional UPDATE,
    so concurrent gifts can never spend the same points twice. `nonce` comes from the form:
    a double submit gifts once. Returns the sender's (negative) entry.
    """
    _check_amount(amount)
    if amount < GIFT_MINIMUM:
        raise PointsError(_l("A gift is at least %(minimum)s points.", minimum=GIFT_MINIMUM))
    if not can_receive_points(recipient):
        raise RecipientError(_l("There is no member with this email."))
    if recipient.id == sender.id:
        raise RecipientError(_l("You cannot gift points to yourself."))
    key = _check_key(f"gift:{sender.id}:{nonce}")

    def write() -> LedgerEntry:
        lock_members(sender.id, recipient.id)
        cap = gift_cap()
        left = cap - gifted_in_last_day(sender.id)
        if amount > left:
            raise PointsError(_l(
                "You can gift at most %(cap)s points in 24 hours; %(left)s left.",
                cap=f"{cap:,}", left=f"{max(left, 0):,}"))
        out = _post(sender, -amount, kind=LedgerKind.GIFT, reason=N_("Gift to %(name)s"),
                    key=f"{key}:out", reason_params={"name": recipient.display_name},
                    source=recipient, actor=sender)
        _post(recipient, amount, kind=LedgerKind.GIFT, reason=N_("Gift from %(name)s"),
              key=f"{key}:in", reason_params={"name": sender.display_name}, source=sender,
              actor=sender)
        notify(recipient, "points_gift", N_("%(name)s gave you %(points)s points."),
               {"name": sender.display_name, "points": amount}, link="/points")
        return out

    entry, _created = _once(f"{key}:out", write)
    return entry


@dataclass(frozen=True)
class Adjustment:
    entry: LedgerEntry
    created: bool  # False when the form was submitted twice


def adjust(member: User, amount: int, *, note: str, actor: User, nonce: str,
           ip: str | None = None) -> Adjustment:
    """Staff add (amount > 0) or remove (amount < 0) points with a mandatory reason.

    Audited and the member is notified in the app; the caller e-mails after the commit.
    A removal larger than the balance is refused.
    """
    if not can_receive_points(member):
        raise RecipientError(_l("This account does not collect points."))
    note = (note or "").strip()
    if not note:
        raise PointsError(_l("Give a reason for the adjustment."))
    if isinstance(amount, bool) or not isinstance(amount, int) or amount == 0:
        raise PointsError(_l("Enter a whole number of points other than zero."))
    _check_amount(abs(amount))
    key = _check_key(f"adjust:{actor.id}:{nonce}")
    reason = N_("Adjustment by the club: %(note)s")

    def write() -> LedgerEntry:
        entry = _post(member, amount, kind=LedgerKind.ADJUST, reason=reason, key=key,
                      reason_params={"note": note}, source=None, actor=actor)
        record_action(actor, "points.adjust", member,
                      {"amount": amount, "reason": note, "balance_after": member.points_balance},
                      ip=ip)
        message = (N_("The club added %(points)s points to your balance: %(note)s") if amount > 0
                   else N_("The club removed %(points)s points from your balance: %(note)s"))
        notify(member, "points_adjust", message, {"points": abs(amount), "note": note},
               link="/points")
        return entry

    entry, created = _once(key, write)
    return Adjustment(entry, created)


# --- reading ------------------------------------------------------------------------------------


KIND_LABELS = {
    LedgerKind.EARN: _l("Earned"),
    LedgerKind.REDEEM: _l("Redeemed"),
    LedgerKind.REFUND: _l("Refund"),
    LedgerKind.ADJUST: _l("Adjustment"),
    LedgerKind.EXPIRE: _l("Expired"),
    LedgerKind.CAMPAIGN: _l("Campaign"),
    LedgerKind.REFERRAL: _l("Referral"),
    LedgerKind.SURVEY: _l("Survey"),
    LedgerKind.SUGGESTION: _l("Suggestion"),
    LedgerKind.GIFT: _l("Gift"),
}


def kind_label(kind: str) -> Any:
    try:
        return KIND_LABELS[LedgerKind(kind)]
    except ValueError:
        return kind


def render_reason(entry: LedgerEntry) -> str:
    """The entry's reason in the current language (stored msgid + parameters)."""
    try:
        return gettext(entry.reason, **(entry.reason_params or {}))
    except (KeyError, ValueError, TypeError):  # a msgid and its parameters out of step
        return entry.reason


def history_query(member_id: int):
    """The member's ledger, newest first (index ix_points_ledger_member_history)."""
    return (select(LedgerEntry).where(LedgerEntry.member_id == member_id)
            .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc()))


@dataclass(frozen=True)
class Difference:
    member_id: int
    email: str
    balance: int
    ledger_balance: int
    lifetime: int
    ledger_lifetime: int
    lots_remaining: int

    def describe(self) -> str:
        return (f"member {self.member_id} <{self.email}>: balance {self.balance} vs ledger "
                f"{self.ledger_balance}; lifetime {self.lifetime} vs ledger {self.ledger_lifetime}; "
                f"unexpired lots {self.lots_remaining}")


def find_differences() -> list[Difference]:
    """Recompute every member's balance and lifetime from the ledger (one set-based query).

    A member differs when the cached balance or lifetime earned disagrees with the ledger,
    or when the expiry lots do not add up to the balance.
    """
    earned = case((and_(LedgerEntry.amount > 0, LedgerEntry.kind.in_([k.value for k in LIFETIME_KINDS])),
                   LedgerEntry.amount), else_=0)
    ledger = (select(LedgerEntry.member_id.label("member_id"),
                     func.sum(LedgerEntry.amount).label("balance"),
                     func.sum(earned).label("lifetime"))
              .group_by(LedgerEntry.member_id).subquery())
    lots = (select(PointsLot.member_id.label("member_id"),
                   func.sum(PointsLot.remaining).label("remaining"))
            .group_by(PointsLot.member_id).subquery())
    ledger_balance = func.coalesce(ledger.c.balance, 0)
    ledger_lifetime = func.coalesce(ledger.c.lifetime, 0)
    lots_remaining = func.coalesce(lots.c.remaining, 0)
    rows = db.session.execute(
        select(User.id, User.email, User.points_balance, ledger_balance, User.points_lifetime,
               ledger_lifetime, lots_remaining)
        .outerjoin(ledger, ledger.c.member_id == User.id)
        .outerjoin(lots, lots.c.member_id == User.id)
        .where(or_(User.points_balance != ledger_balance, User.points_lifetime != ledger_lifetime,
                   lots_remaining != ledger_balance))
        .order_by(User.id)
    ).all()
    return [Difference(*row) for row in rows]
