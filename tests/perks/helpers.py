"""Shared helpers for the perk tests."""

from __future__ import annotations

import io
from contextlib import contextmanager

from PIL import Image
from sqlalchemy import event

from portal.extensions import db


def png_bytes(size=(64, 48), colour="teal") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def upload(data: bytes, name: str = "photo.png"):
    return (io.BytesIO(data), name)


@contextmanager
def count_queries():
    """Count the SQL statements run inside the block (all connections of the engine)."""
    statements: list[str] = []

    def _count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", _count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", _count)


def multipart(values: dict) -> dict:
    """Keyword arguments for a multipart POST whose body is built in memory.

    Werkzeug's test client spools bodies over 500 KB to a temporary file it never closes,
    a ResourceWarning (an error here); a prebuilt body avoids that.
    """
    from werkzeug.datastructures import FileStorage, MultiDict
    from werkzeug.test import encode_multipart

    fields = MultiDict()
    for key, value in values.items():
        if isinstance(value, tuple):
            stream, filename = value
            value = FileStorage(stream, filename=filename, content_type="application/octet-stream")
        fields.add(key, value)
    boundary, body = encode_multipart(fields)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


_funding = __import__("itertools").count(1)


def fund(member, points: int, lifetime: bool = True):
    """Give `member` points the proper way (a ledger row), so `flask points verify` agrees."""
    from portal.points.models import LedgerKind
    from portal.points.services import credit

    kind = LedgerKind.EARN if lifetime else LedgerKind.REFUND
    return credit(member, points, kind=kind, reason="Test points",
                  idempotency_key=f"test-fund:{member.id}:{next(_funding)}")


def confirm_form(client, perk_id: int) -> dict:
    """GET the confirmation page and return the form fields it carries (nonce, cost)."""
    import re

    page = client.get(f"/perks/{perk_id}/redeem").get_data(as_text=True)
    nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"', page)
    cost = re.search(r'name="cost" type="hidden" value="([^"]+)"', page)
    assert nonce and cost, "no confirmation form on the page"
    return {"nonce": nonce.group(1), "cost": cost.group(1)}
