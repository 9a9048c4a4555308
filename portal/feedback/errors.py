"""The feedback feature's errors (one DomainError family, translated messages)."""

from __future__ import annotations

from portal.core.errors import DomainError


class FeedbackError(DomainError):
    """A survey, suggestion or evaluation rule refused an action; nothing was changed."""
