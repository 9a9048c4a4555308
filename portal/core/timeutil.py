"""UTC timestamps: everything is stored in UTC and shown in the member's zone."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC (SQLite keeps no zone; both databases store the same value)."""
    return datetime.now(UTC).replace(tzinfo=None)


def utc_to_local(value: datetime | None) -> datetime | None:
    """A stored (naive UTC) time as the reader's wall-clock time, naive, for a form field."""
    from flask_babel import to_user_timezone

    return to_user_timezone(value).replace(tzinfo=None) if value is not None else None


def local_to_utc(value: datetime | None) -> datetime | None:
    """A wall-clock time the reader typed (their zone) → naive UTC, as stored."""
    from flask_babel import to_utc

    return to_utc(value) if value is not None else None
