"""What the seed's parts share: chunked set-based inserts, explicit ids, and the points
credits the club's activity earns (written into the ledger by `seed.make_ledger`)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, insert, select, text

from portal.extensions import db
from portal.points.models import LedgerKind

CHUNK = 5_000


def chunks(rows: list, size: int = CHUNK):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def insert_rows(model, rows: list[dict], size: int = CHUNK) -> None:
    """Bulk INSERT of prepared dict rows, all with the same keys, `size` at a time: one
    executemany of the table's INSERT per chunk (the ORM's bulk insert splits a chunk into
    a statement per run of rows with the same NULL columns, and costs more per row)."""
    table = model.__table__
    for chunk in chunks(rows, size):
        db.session.execute(insert(table), chunk)
    if rows and "id" in rows[0] and db.session.get_bind().dialect.name == "postgresql":
        # Explicit ids leave the sequence behind: the services' next row would take id 1.
        db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # nosec B608
                                f"(SELECT max(id) FROM {table.name}))"))


def next_id(column) -> int:
    return (db.session.scalar(select(func.max(column))) or 0) + 1


class Credits:
    """Points the club's activity paid (referral rewards, survey points, suggestion rewards,
    campaign grants), by member: each becomes a ledger row with its expiry lot, in the
    member's balance, lifetime earned and the monthly totals, when the ledger is written.
    The fields are those `points.services.ledger.write_entry` stores."""

    def __init__(self) -> None:
        self.by_member: dict[int, list[dict]] = defaultdict(list)
        self.count = 0

    def add(self, member_id: int, amount: int, *, kind: LedgerKind, reason: str, key: str,
            at: datetime, params: dict | None = None, source_type: str = "",
            source_id: int | None = None, actor_id: int | None = None) -> None:
        self.by_member[member_id].append({
            "member_id": member_id, "amount": amount, "kind": kind.value, "reason": reason,
            "reason_params": params or {}, "source_type": source_type, "source_id": source_id,
            "actor_id": actor_id, "created_at": at, "idempotency_key": key})
        self.count += 1
