"""The sales feature's one domain error."""

from __future__ import annotations

from portal.core.errors import DomainError


class SalesError(DomainError):
    """A sales file or import was refused; the message is translated and safe to show."""
