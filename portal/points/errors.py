"""The points feature's errors: one `DomainError` family, so the unit of work reports them."""

from __future__ import annotations

from portal.core.errors import DomainError


class PointsError(DomainError):
    """A points rule was broken; `str(error)` is a translated, user-safe message.

    Most rules are about an amount, so a form shows the message at its amount field
    unless the error names another field.
    """

    def __init__(self, message, field: str | None = "amount") -> None:
        super().__init__(message, field)


class InsufficientPoints(PointsError):
    """The balance does not cover a debit; nothing was written."""


class RecipientError(PointsError):
    """The member who would receive points cannot (unknown, inactive, staff, or oneself)."""

    def __init__(self, message, field: str | None = "email") -> None:
        super().__init__(message, field)
