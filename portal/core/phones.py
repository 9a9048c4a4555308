"""Phone numbers as people type them: compare by their digits, not their punctuation."""

from __future__ import annotations

import re

_NOT_DIGIT = re.compile(r"\D")


def phone_digits(phone: str | None) -> str:
    """The last 11 digits (a mainland mobile number without +86), or '' when too short
    to tell two people apart."""
    digits = _NOT_DIGIT.sub("", phone or "")
    return digits[-11:] if len(digits) >= 7 else ""
