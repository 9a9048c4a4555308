"""CSV downloads that Excel opens correctly and that cannot smuggle formulas.

- A UTF-8 byte order mark first: without it Excel reads UTF-8 as the local code page
  and Chinese turns into mojibake.
- Cells starting with `=`, `+`, `-`, `@`, a tab or a carriage return are prefixed with a
  quote (OWASP "CSV Injection"), so a member who names themselves `=HYPERLINK(...)` stays
  text in a staff member's spreadsheet.
- Times (`datetime` cells, stored naive UTC) are written in the club's time zone as
  "2026-03-02 17:00", whoever downloads the file: a spreadsheet passed between staff in
  different zones says the same thing. Dates stay as they are ("2026-03-02").
- The rows are written inside the request (to a temporary file when they are many) and
  then sent. Not a lazy stream: a WSGI server iterates the body after the request's app
  context — and with it the database session — is torn down, so rows made then could not
  read the objects the view loaded (the download broke off after its headers).
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from flask import Response, request
from werkzeug.wsgi import wrap_file

from portal.core.timeutil import in_club_zone

BOM = "\ufeff"
SPOOL_BYTES = 1 << 20  # a larger export goes on to disk
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


def _spooled(chunks: Iterable[str]) -> tuple[Iterable[bytes], int]:
    """The encoded chunks and their size: in memory up to SPOOL_BYTES, in a temporary
    file (closed when the response is) beyond."""
    held: list[bytes] = []
    size, spill = 0, None
    for text in chunks:
        data = text.encode("utf-8")
        size += len(data)
        if spill is None and size > SPOOL_BYTES:
            spill = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it)
            spill.writelines(held)
        if spill is None:
            held.append(data)
        else:
            spill.write(data)
    if spill is None:
        return held, size
    spill.seek(0)
    return wrap_file(request.environ, spill), size


def csv_response(filename: str, header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> Response:
    """A CSV download: the rows written now (in the request's unit of work), sent in chunks."""
    body, size = _spooled(csv_lines(header, rows))
    response = Response(body, mimetype="text/csv", direct_passthrough=True)
    response.content_length = size
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    return response
