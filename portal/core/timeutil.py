"""UTC timestamps: everything is stored in UTC and shown in the member's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_CLUB_ZONE = "Asia/Shanghai"


def utcnow() -> datetime:
    """Naive UTC (SQLite keeps no zone; both databases store the same value)."""
    return datetime.now(UTC).replace(tzinfo=None)


def club_zone() -> ZoneInfo:
    """The club's own time zone (BABEL_DEFAULT_TIMEZONE): for what is the same for every
    reader, such as ticket numbers' years and the times in CSV exports."""
    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or DEFAULT_CLUB_ZONE)


def in_club_zone(value: datetime) -> datetime:
    """A stored (naive UTC) time as the club's local time (aware)."""
    return value.replace(tzinfo=UTC).astimezone(club_zone())


def utc_to_local(value: datetime | None) -> datetime | None:
    """A stored (naive UTC) time as the reader's wall-clock time, naive, for a form field."""
    from flask_babel import to_user_timezone

    return to_user_timezone(value).replace(tzinfo=None) if value is not None else None


def local_to_utc(value: datetime | None) -> datetime | None:
    """A wall-clock time the reader typed (their zone) → naive UTC, as stored."""
    from flask_babel import to_utc

    return to_utc(value) if value is not None else None
