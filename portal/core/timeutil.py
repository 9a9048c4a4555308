"""UTC timestamps: everything is stored in UTC and shown in the member's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

DEFAULT_CLUB_ZONE = "Asia/Shanghai"

# The zones a member can choose, by the name a reader knows them by (never the tz id on a
# page). Babel's own zone names are no help here: its zh_Hant names say 夏令時間 (summer
# time) for zones that have none.
TIME_ZONE_NAMES = {
    "Asia/Shanghai": _l("China (Beijing time)"),
    "Asia/Hong_Kong": _l("Hong Kong"),
    "Asia/Macau": _l("Macao"),
    "Asia/Taipei": _l("Taipei"),
    "Asia/Singapore": _l("Singapore"),
    "Asia/Tokyo": _l("Tokyo"),
    "Australia/Sydney": _l("Sydney"),
    "Europe/London": _l("London"),
    "America/New_York": _l("New York"),
    "America/Los_Angeles": _l("Los Angeles"),
    "UTC": _l("Coordinated Universal Time (UTC)"),
}


def zone_name(zone_id: str | None) -> str:
    """What a page shows for a stored zone id."""
    return str(TIME_ZONE_NAMES.get(zone_id or "", zone_id or ""))


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
