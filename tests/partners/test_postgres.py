"""The partner figures on PostgreSQL (months, years and the thread-access condition are
dialect-specific SQL): the same hand-computed answers as on SQLite."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from portal.accounts.permissions import Role
from portal.extensions import db
from portal.forum.models import Thread
from portal.forum.rules import visible_threads
from portal.partners import reports, services
from portal.partners.models import PartnerOrganisation
from tests import factories
from tests.partners.helpers import (
    MONTHS,
    homeowner_complaint,
    make_contract,
    make_organisation,
    make_partner_account,
)
from tests.support.race import migrated_postgres_app

pytestmark = pytest.mark.postgres


@pytest.fixture
def app(tmp_path, postgres_server):
    with migrated_postgres_app(tmp_path, postgres_server, "partners") as app, \
            app.test_request_context("/?lang=en"):
        yield app


def test_monthly_figures_on_postgres(data):
    a, b = data
    assert reports.complaints_attributed(None, MONTHS) == {a: {"2026-01": 3, "2026-02": 1}, b: {"2026-01": 1}}
    assert reports.repairs(None, MONTHS) == {a: {"2026-01": 2, "2026-02": 1}}
    assert reports.median_hours_to_resolve([a], MONTHS) == {a: {"2026-01": 30, "2026-02": 10}}
    assert reports.satisfaction([a], ["2026-01"]) == {a: {"2026-01": reports.Ratings(2, 3.0, {2: 1, 4: 1})}}
    organisation = db.session.get(PartnerOrganisation, b)
    partner = make_partner_account(organisation)
    private = homeowner_complaint(private=True)
    services.attribute_complaint(private, organisation, factories.make_user(Role.SERVICE),
                                 needed_repair=False)
    homeowner_complaint(private=True)  # not theirs
    db.session.commit()
    seen = select(func.count()).select_from(Thread).where(Thread.is_private, visible_threads(partner))
    assert db.session.scalar(seen) == 1


def test_renewal_rates_on_postgres(app):
    organisation = make_organisation()
    make_contract(organisation, starts_on=date(2020, 1, 1), ends_on=date(2024, 6, 30), renewed=True)
    make_contract(organisation, starts_on=date(2020, 1, 1), ends_on=date(2024, 12, 31))
    db.session.commit()
    assert reports.renewal_rates(date(2026, 1, 1)) == {(2024, "main_construction"): reports.Renewals(2, 1)}
