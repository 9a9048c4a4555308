"""Partner test data through the services (they flush; tests commit when they need to)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

from portal.accounts.permissions import Role
from portal.partners import services
from portal.partners.models import PartnerContract, PartnerOrganisation
from tests import factories
from tests.forum.helpers import make_category, make_thread

_sequence = itertools.count(1)
MONTHS = ["2026-01", "2026-02"]  # of the `data` fixture (conftest.py)


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


def attributed_complaint(organisation, raised: datetime, *, repair: bool, hours: float | None = None,
               paused_hours: float = 0, rating: int | None = None, merged_into=None):
    complaint = homeowner_complaint(now=raised)
    services.attribute_complaint(complaint, organisation, factories.make_user(Role.SERVICE),
                                 needed_repair=repair)
    if hours is not None:
        complaint.status, complaint.resolved_at = "resolved", raised + timedelta(hours=hours)
        complaint.next_due_at = None
        complaint.paused_seconds = int(paused_hours * 3600)
        complaint.rating = rating
    if merged_into is not None:
        complaint.thread.merged_into_id = merged_into.thread_id
    return complaint
