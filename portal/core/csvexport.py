"""CSV downloads that Excel opens correctly and that cannot smuggle formulas.

- A UTF-8 byte order mark first: without it Excel reads UTF-8 as the local code page
  and Chinese turns into mojibake.
- Cells starting with `=`, `+`, `-`, `@`, a tab or a carriage return are prefixed with a
  quote (OWASP "CSV Injection"), so a member who names themselves `=HYPERLINK(...)` stays
  text in a staff member's spreadsheet.
- Times (`datetime` cells, stored naive UTC) are written in the club's time zone as
  "2026-03-02 17:00", whoever downloads the file: a spreadsheet passed between staff in
  different zones says the same thing. Dates stay as they are ("2026-03-02").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from flask import Response, stream_with_context

from portal.core.timeutil import in_club_zone

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """The cell as text; numbers stay numbers, text that could be a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime):
        return csv_time(value)
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_time(value: datetime | None) -> str:
    """A stored time as the club's local time, to the minute ("" for none)."""
    return in_club_zone(value).strftime("%Y-%m-%d %H:%M") if value is not None else ""


def csv_lines(header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """Yield the CSV text line by line, BOM first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    yield BOM
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
        if buffer.tell() > 16_384:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(filename: str, header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> Response:
    """Stream a CSV download (rows are produced while the response is sent)."""
    response = Response(stream_with_context(csv_lines(header, rows)),
                        mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    return response
