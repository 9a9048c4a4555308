"""UTC timestamps: everything is stored in UTC and shown in the member's zone."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC (SQLite keeps no zone; both databases store the same value)."""
    return datetime.now(UTC).replace(tzinfo=None)
