"""CSV downloads that Excel opens correctly and that cannot smuggle formulas.

- A UTF-8 byte order mark first: without it Excel reads UTF-8 as the local code page
  and Chinese turns into mojibake.
- Cells starting with `=`, `+`, `-`, `@`, a tab or a carriage return are prefixed with a
  quote (OWASP "CSV Injection"), so a member who names themselves `=HYPERLINK(...)` stays
  text in a staff member's spreadsheet.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from flask import Response, stream_with_context

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
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


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
