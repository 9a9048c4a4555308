"""CSV downloads: BOM for Excel, formulas neutralised, numbers left alone."""

from __future__ import annotations

import pytest

from portal.core.csvexport import csv_lines, safe_cell


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+SUM(A1)", "'+SUM(A1)"), ("-2", "'-2"), ("@cmd", "'@cmd"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("plain", "plain"), ("陳大文", "陳大文"),
    (None, ""), (-5, "-5"), (3.5, "3.5"), (True, "1"), (False, "0"),
])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_csv_lines_start_with_a_bom_and_flush_in_chunks():
    rows = ([f"row {i}", "x" * 100] for i in range(500))
    chunks = list(csv_lines(["name", "text"], rows))
    assert chunks[0] == "\ufeff"
    assert len(chunks) > 3
    text = "".join(chunks)
    assert text.startswith("\ufeffname,text\r\n") and text.count("\r\n") == 501
