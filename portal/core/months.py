"""Calendar months ('YYYY-MM', UTC) for report filters and monthly figures."""

from __future__ import annotations

import re
from datetime import date, datetime

from portal.core.timeutil import utcnow

MONTH_RE = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")


def parse_month(raw: str | None) -> str:
    """A 'YYYY-MM' from a query string, or '' when it is not one."""
    month = (raw or "").strip()
    return month if MONTH_RE.fullmatch(month) else ""


def month_range(month: str) -> tuple[datetime, datetime]:
    """[start, end) of a 'YYYY-MM' month."""
    year, number = int(month[:4]), int(month[5:])
    return datetime(year, number, 1), datetime(year + (number == 12), number % 12 + 1, 1)


def months_back(count: int, today: date | None = None) -> list[str]:
    """The last `count` months, oldest first, ending with the current one."""
    today = today or utcnow().date()
    index = today.year * 12 + today.month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]
