"""Ticket numbers: every complaint is "C-<year>-<id, six digits>", e.g. C-2026-000123.

The number is what a homeowner quotes on the phone, so it is stored (`Complaint.
ticket_number`, unique) once the insert has given the complaint its id and never changes,
whatever later happens to the club's time zone. The year is the one the complaint was
raised in, in the club's time zone (BABEL_DEFAULT_TIMEZONE), as the owner saw it.
Migration 0065_ticket filled in the numbers of complaints raised before it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from portal.core.timeutil import club_zone

# "C-2026-000123", "c-2026-123", "C 2026 000123", "C2026000123" (as typed on a phone).
TICKET_PATTERN = re.compile(r"^\s*C[-\s]?(\d{4})[-\s]?(\d{1,12})\s*$", re.IGNORECASE)


def format_ticket(complaint_id: int, created_at: datetime, zone: ZoneInfo | None = None) -> str:
    """The ticket number of the complaint with this id, raised at `created_at` (naive UTC)."""
    year = created_at.replace(tzinfo=UTC).astimezone(zone or club_zone()).year
    return f"C-{year}-{complaint_id:06d}"


def parse_ticket(text: str) -> str | None:
    """The canonical ticket number a search text stands for, or None if it is not one."""
    match = TICKET_PATTERN.match(text or "")
    if match is None:
        return None
    year, number = match.groups()
    if int(number) == 0:
        return None
    return f"C-{year}-{int(number):06d}"
