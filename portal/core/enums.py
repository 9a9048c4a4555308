"""Enums whose members carry their translated label, so no feature keeps a second dict.

    class Status(LabelledEnum):
        OPEN = "open", lazy_pgettext("complaint status", "Open")

`Status.OPEN == "open"`, `Status.OPEN.label` is the lazy label, `Status.labels()` the
`{value: label}` table for templates and `Status.choices()` the select options.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from wtforms.fields.choices import SelectChoice


class LabelledEnum(StrEnum):
    label: Any

    def __new__(cls, value: str, label: Any):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def labels(cls) -> dict[str, Any]:
        return {member.value: member.label for member in cls}

    @classmethod
    def choices(cls) -> list[SelectChoice]:
        return [SelectChoice(value=member.value, label=member.label) for member in cls]

    @classmethod
    def label_of(cls, value: str | None) -> Any:
        """The label of a stored value; the value itself if it is not (or no longer) known."""
        try:
            return cls(value).label
        except ValueError:
            return value or ""
