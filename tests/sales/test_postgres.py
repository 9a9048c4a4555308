"""The same sales file imported twice at once, on PostgreSQL with real concurrent connections:
each contract is recorded once and the referral rewarded once (issue 11, "Done when")."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Ownership, User
from portal.core.months import months_back
from portal.core.uow import unit_of_work
from portal.extensions import db
from portal.points.models import LedgerEntry
from portal.points.services import find_differences
from portal.referrals.models import Referral, ReferralStatus
from portal.sales import importer
from portal.sales.models import ImportBatch, Purchase
from portal.sales.reports import sales_figures
from portal.sales.staging import stage_file
from tests import factories
from tests.referrals.helpers import make_referral
from tests.sales.helpers import csv_bytes, sale, units
from tests.support.race import assert_points_verify_clean, migrated_postgres_app, race

pytestmark = pytest.mark.postgres

ROWS = 60


@pytest.fixture
def pg_app(tmp_path, postgres_server):
    with migrated_postgres_app(tmp_path, postgres_server, "sales") as app:
        app.config["SALES_IMPORT_CHUNK"] = 25  # several chunks per import, committed one by one
        yield app


@pytest.mark.parametrize("importers", [2, 4])
def test_the_same_file_imported_at_once_records_each_contract_once(pg_app, importers):
    units(ROWS)
    buyers = [factories.make_member(email=f"buyer{n}@example.com") for n in range(1, 6)]
    referral = make_referral(invitee=buyers[0], days_ago=20)
    staff = [factories.make_user("service") for _ in range(importers)]
    db.session.commit()
    data = csv_bytes([sale(n, buyer_email=f"buyer{n}@example.com" if n <= 5 else "")
                      for n in range(1, ROWS + 1)])
    staff_ids = [member.id for member in staff]

    def import_file(index: int) -> int:
        member = db.session.get(User, staff_ids[index])
        with unit_of_work():
            batch = stage_file("sales.csv", data, member)
            importer.confirm_batch(batch, member, valid_only=False)
        importer.run_import(batch.id, transaction=unit_of_work)
        return db.session.get(ImportBatch, batch.id).result["created"]

    started = time.perf_counter()
    outcome = race(pg_app, importers, import_file, request_path="/?lang=en")
    elapsed = time.perf_counter() - started
    assert not outcome.crashes, outcome.results
    print(f"\n{importers} imports of {ROWS} rows at once: created {outcome.results}, "
          f"{elapsed * 1000:.0f} ms")

    assert sum(outcome.results) == ROWS
    contracts = db.session.scalars(select(Purchase.contract_no)).all()
    assert len(contracts) == len(set(contracts)) == ROWS
    db.session.refresh(referral)
    assert referral.status == ReferralStatus.REWARDED
    keys = db.session.scalars(select(LedgerEntry.idempotency_key).order_by(LedgerEntry.id)).all()
    assert keys == [f"referral:{referral.id}:referrer", f"referral:{referral.id}:invitee"]
    assert db.session.scalar(select(func.count()).select_from(Ownership)) == 5
    assert db.session.scalar(select(func.count()).select_from(Referral)
                             .where(Referral.status == ReferralStatus.REWARDED.value)) == 1
    assert sales_figures(months_back(2)).total.referred == 1
    assert find_differences() == []
    assert_points_verify_clean(pg_app)
