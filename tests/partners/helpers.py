"""Partner test data through the services (they flush; tests commit when they need to)."""

from __future__ import annotations

import itertools
from datetime import date

from portal.accounts.permissions import Role
from portal.partners import services
from portal.partners.models import PartnerContract, PartnerOrganisation
from tests import factories
from tests.forum.helpers import make_category, make_thread

_sequence = itertools.count(1)


def make_organisation(name: str | None = None, kind: str = "contractor") -> PartnerOrganisation:
    admin = factories.make_user(Role.ADMIN)
    return services.save_organisation(None, admin, name=name or f"Partner {next(_sequence)}", kind=kind)


def make_contract(organisation: PartnerOrganisation, development: str = "Jade Lake", *,
                  scope: str = "main_construction", starts_on: date = date(2020, 1, 1),
                  ends_on: date = date(2030, 12, 31), renewed: bool = False) -> PartnerContract:
    unit = factories.make_unit(development=development)  # makes the development if needed
    return services.save_contract(None, organisation, factories.make_user(Role.ADMIN),
                                  development_id=unit.building.development_id, scope=scope,
                                  starts_on=starts_on, ends_on=ends_on, is_renewed=renewed)


def make_partner_account(organisation: PartnerOrganisation, **fields):
    user = factories.make_user(Role.PARTNER, **fields)
    services.add_account(organisation, factories.make_user(Role.ADMIN), user.email)
    return user


def homeowner_complaint(development: str = "Jade Lake", *, author=None, private: bool = False, **kwargs):
    """A complaint tied to a unit of `development` owned by its author."""
    author = author or factories.make_member()
    unit = factories.make_unit(development=development)
    factories.make_ownership(author, unit)
    thread = make_thread(author, make_category("complaint"), unit=unit, is_private=private, **kwargs)
    return thread.complaint
