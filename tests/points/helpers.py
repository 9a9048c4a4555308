"""Shared by the points tests."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from portal.points.models import LedgerEntry, LedgerKind
from portal.points.services import credit

BAD_AMOUNTS = ["-1", "0", "1.5", "1e3", "NaN", "１０", "1_000", "99999999999", None]


def earn(member, amount: int, key: str, kind=LedgerKind.EARN, reason="Welcome bonus", **kw):
    return credit(member, amount, kind=kind, reason=reason, idempotency_key=key, **kw)


def nonce_from(response) -> str:
    match = re.search(r'name="nonce" type="hidden" value="([^"]+)"', response.get_data(as_text=True))
    assert match, "the form has no nonce"
    return match.group(1)


def ledger_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(LedgerEntry))
