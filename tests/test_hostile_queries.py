"""Every GET route, for every role, answers hostile query strings with a page or a 4xx —
never a 5xx (issue 8, "Bad input").

The keys tried are derived, not hand-listed: every name the code reads from
`request.args`, and every field of a GET form on the page itself, get huge, negative,
20-digit, NUL, invalid UTF-8, over-long and repeated values.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.accounts.test_request_safety import _paths
from tests.conftest import log_in

PORTAL = Path(__file__).resolve().parent.parent / "portal"
ARG_NAMES = re.compile(r"""args(?:\.get|\.getlist)?[\(\[]\s*["'](\w+)["']""")
GET_FORM = re.compile(r"<form(?![^>]*method=\"post\")[^>]*>(.*?)</form>", re.S | re.I)
FIELD_NAME = re.compile(r"""<(?:input|select|textarea)[^>]*\bname="([^"]+)\"""", re.I)

# Each query gives every name one hostile value; names alternate between two values so
# five requests per route cover them all. (NUL is refused for every route before any view
# runs: tests/core/test_shared_pieces.py.)
HOSTILE_PAIRS = [
    ("99999999999999999999", "-99999999999999999999"),
    ("-99999999999999999999", "99999999999999999999"),
    ("%ff%fe%fd", "0"),  # invalid UTF-8
    ("A" * 5000, quote("' OR 1=1 --<script>alert(1)</script>../../etc/passwd")),
]


def _names_in_code() -> set[str]:
    names = {"page"}
    for path in [*PORTAL.rglob("*.py"), *PORTAL.rglob("*.html")]:
        names.update(ARG_NAMES.findall(path.read_text(encoding="utf-8")))
    return names


def _names_in_page(html: str) -> set[str]:
    names: set[str] = set()
    for form in GET_FORM.findall(html):
        names.update(FIELD_NAME.findall(form))
    names.discard("csrf_token")
    return names


@pytest.mark.parametrize("actor", ["anonymous", "member@demo.club", "partner@demo.club",
                                   "service@demo.club", "marketing@demo.club", "admin@demo.club"])
def test_every_get_route_survives_hostile_query_strings(app, db, demo, actor):
    client = app.test_client()
    if actor != "anonymous":
        from portal.accounts.demo import demo_user

        log_in(client, demo_user(actor))
    code_names = _names_in_code()
    failures = []
    for endpoint, path in _paths(app, "GET"):
        first = client.get(path)
        html = first.get_data(as_text=True) if first.mimetype == "text/html" else ""
        first.close()
        names = sorted(code_names | _names_in_page(html))
        queries = [
            "&".join(f"{quote(name)}={pair[i % 2]}" for i, name in enumerate(names))
            for pair in HOSTILE_PAIRS
        ] + ["&".join(f"{quote(name)}=1&{quote(name)}=x&{quote(name)}=" for name in names)]
        for query in queries:
            try:
                response = client.get(f"{path}?{query}")
            except Exception as error:  # TESTING propagates what would be a 500
                failures.append(f"{endpoint} {path}?{query[:60]}: {type(error).__name__}: {error}")
                continue
            if response.status_code >= 500:
                failures.append(f"{endpoint} {path}?{query[:60]}: {response.status_code}")
            response.close()
    assert not failures, "\n".join(failures[:40])
