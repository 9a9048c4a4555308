"""The campaigns feature's errors (one DomainError family, translated messages)."""

from __future__ import annotations

from portal.core.errors import DomainError


class CampaignError(DomainError):
    """A campaign rule refused an action; nothing was changed."""
