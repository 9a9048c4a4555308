from portal.core.errors import DomainError


class PartnerError(DomainError):
    """A partner rule was broken; `str()` is the translated message, safe to show."""
