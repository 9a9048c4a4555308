"""Points expire POINTS_EXPIRY_MONTHS after they were earned, oldest first.

`expire_due` (run nightly by the job in `portal.points.jobs`, and by `flask points
expire`) walks the members with lots past their date in chunks (keyset on member id),
and for each chunk, in its own unit of work, writes one `expire` row per lot, empties
the lots and lowers the balances with a few set-based statements. Each lot's row has
the key `expire:lot:<id>` and an empty lot is never picked again, so the job is
idempotent and, killed at any point, loses at most the chunk in flight: a re-run
picks up where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, insert, select, update

from portal.accounts.models import User
from portal.core.i18n import N_
from portal.core.timeutil import utcnow
from portal.core.uow import unit_of_work
from portal.extensions import db
from portal.points.models import LedgerEntry, LedgerKind, PointsLot
from portal.points.services.ledger import lock_members
from portal.points.services.totals import count_in_month

EXPIRED_REASON = N_("Points earned on %(date)s expired")
SOON_DAYS = 90


def members_with_due_lots(now: datetime, after_id: int = 0, limit: int = 200) -> list[int]:
    return list(db.session.scalars(
        select(PointsLot.member_id)
        .where(PointsLot.expires_at <= now, PointsLot.remaining > 0, PointsLot.member_id > after_id)
        .group_by(PointsLot.member_id).order_by(PointsLot.member_id).limit(limit)
    ))


def count_members_with_due_lots(now: datetime) -> int:
    return db.session.scalar(
        select(func.count(func.distinct(PointsLot.member_id)))
        .where(PointsLot.expires_at <= now, PointsLot.remaining > 0)
    ) or 0


def expire_for_members(member_ids: list[int], now: datetime) -> tuple[int, int]:
    """Expire these members' lots that are due; returns (ledger rows written, points expired).

    The members are locked first (lowest id first), so live debits and a second run
    of the job wait, and the lots are read after the lock.
    """
    if not member_ids:
        return 0, 0
    lock_members(*member_ids)
    lots = db.session.execute(
        select(PointsLot.id, PointsLot.member_id, PointsLot.remaining, LedgerEntry.created_at)
        .join(LedgerEntry, LedgerEntry.id == PointsLot.entry_id)
        .where(PointsLot.member_id.in_(member_ids), PointsLot.expires_at <= now,
               PointsLot.remaining > 0)
        .order_by(PointsLot.member_id, PointsLot.expires_at, PointsLot.id)
    ).all()
    if not lots:
        return 0, 0
    db.session.execute(insert(LedgerEntry), [
        {"member_id": lot.member_id, "amount": -lot.remaining, "kind": LedgerKind.EXPIRE.value,
         "reason": EXPIRED_REASON, "reason_params": {"date": lot.created_at.date().isoformat()},
         "source_type": "points_lots", "source_id": lot.id, "created_at": now,
         "idempotency_key": f"expire:lot:{lot.id}"}
        for lot in lots
    ])
    count_in_month(now, LedgerKind.EXPIRE.value, [-lot.remaining for lot in lots])
    db.session.execute(update(PointsLot), [{"id": lot.id, "remaining": 0} for lot in lots])
    per_member: dict[int, int] = {}
    for lot in lots:
        per_member[lot.member_id] = per_member.get(lot.member_id, 0) + lot.remaining
    users = User.__table__
    db.session.execute(
        update(users).where(users.c.id == bindparam("member"))
        .values(points_balance=users.c.points_balance - bindparam("points")),
        [{"member": member, "points": points} for member, points in per_member.items()],
    )
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, User) and obj.id in per_member:
            db.session.expire(obj, ["points_balance"])
    return len(lots), sum(per_member.values())


@dataclass(frozen=True)
class ExpiryRun:
    rows: int  # ledger rows written
    points: int  # points expired
    members: int


def expire_due(now: datetime, chunk: int = 200,
               progress: Callable[[int], None] | None = None) -> ExpiryRun:
    """Expire every lot due at `now`, `chunk` members per unit of work (committed each).

    `progress(members_done_in_chunk)` is called after each commit (the CLI's progress bar).
    """
    rows = points = members = 0
    last_id = 0
    while True:
        with unit_of_work():
            member_ids = members_with_due_lots(now, after_id=last_id, limit=chunk)
            if not member_ids:
                break
            written, expired = expire_for_members(member_ids, now)
        rows, points, members = rows + written, points + expired, members + len(member_ids)
        last_id = member_ids[-1]
        if progress is not None:
            progress(len(member_ids))
    return ExpiryRun(rows, points, members)


@dataclass(frozen=True)
class ExpiringSoon:
    total: int
    lots: list[tuple[datetime, int]]  # (expires_at, points), soonest first


def expiring_soon(member_id: int, now: datetime | None = None, days: int = SOON_DAYS,
                  limit: int = 10) -> ExpiringSoon:
    """Points that expire within `days` (including any the nightly job has not removed yet)."""
    until = (now or utcnow()) + timedelta(days=days)
    condition = (PointsLot.member_id == member_id, PointsLot.remaining > 0,
                 PointsLot.expires_at <= until)
    total = db.session.scalar(select(func.coalesce(func.sum(PointsLot.remaining), 0))
                              .where(*condition)) or 0
    rows = db.session.execute(
        select(PointsLot.expires_at, func.sum(PointsLot.remaining)).where(*condition)
        .group_by(PointsLot.expires_at).order_by(PointsLot.expires_at).limit(limit)
    ).all()
    return ExpiringSoon(int(total), [(at, int(points)) for at, points in rows])
