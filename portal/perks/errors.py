"""The perks feature's errors: one `DomainError` family, so the unit of work reports them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.core.errors import DomainError


class PerkError(DomainError):
    """A refused perk action; `str(error)` is a translated message for the user."""


class NotAvailable(PerkError):
    """Inactive, not started or ended."""


class TierTooLow(PerkError):
    pass


class OutOfStock(PerkError):
    pass


class LimitReached(PerkError):
    pass


class NotEnoughPoints(PerkError):
    pass


class VoucherError(PerkError):
    """A voucher that cannot be cancelled or used (already used, cancelled, expired...)."""


class NonceReused(PerkError):
    pass


OUT_OF_STOCK = _l("Sorry, this perk is out of stock.")


def not_enough_points(short: int):
    return _l("You need %(short)s more points for this perk.", short=short)
