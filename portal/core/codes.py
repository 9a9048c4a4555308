"""Codes people read aloud and type: Crockford's base 32 (no I, L, O, U), normalised on input."""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_TYPOS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-_]+")


def random_code(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalise_code(raw: str | None, length: int) -> str | None:
    """The code as stored, or None: case, spaces, dashes and O/I/L look-alikes forgiven."""
    if not raw:
        return None
    code = _SEPARATORS.sub("", raw).upper().translate(_TYPOS)
    if len(code) != length or any(ch not in ALPHABET for ch in code):
        return None
    return code


def grouped(code: str, size: int = 4) -> str:
    """`ABCD-EFGH` for display."""
    return "-".join(code[i:i + size] for i in range(0, len(code), size))
