"""The sales import on PostgreSQL with real concurrent connections: the same file imported
twice at once records each contract once and rewards the referral once (issue 11, "Done
when"); an import converting a referral staff are recording links the purchase to it, and
one verifying a home staff are linking keeps the one ownership."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from portal.accounts.models import Ownership, OwnershipStatus, Unit, User
from portal.core.months import months_back
from portal.core.timeutil import utcnow
from portal.core.uow import unit_of_work
from portal.extensions import db
from portal.points.models import LedgerEntry
from portal.points.services import find_differences
from portal.referrals import lifecycle
from portal.referrals.models import Referral, ReferralStatus
from portal.sales import importer
from portal.sales.models import ImportBatch, Purchase
from portal.sales.reports import sales_figures
from portal.sales.staging import stage_file
from tests import factories
from tests.referrals.helpers import make_referral
from tests.sales.helpers import TODAY, csv_bytes, sale, units
from tests.support.race import (
    assert_points_verify_clean,
    in_background,
    lock_waiter,
    lock_waiters,
    member_locked,
    migrated_postgres_app,
    race,
)

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


def test_an_import_converting_a_referral_staff_are_recording_links_the_purchase_to_it(pg_app):
    """Staff record the buyer's purchase on the referral page while the file with the same
    contract is imported. Made to interleave the hard way: staff hold the referral (waiting
    for the referrer's row, which the test holds) when the import comes to convert it. Once
    staff commit, the import links the purchase to the referral, as it does when staff were
    first by minutes (issue 14: it left the purchase unlinked, so a later cancellation of the
    contract in the sales system kept both rewards)."""
    [unit] = units(1)
    buyer = factories.make_member(email="buyer1@example.com")
    referral = make_referral(invitee=buyer, days_ago=20)
    recorder, importing = factories.make_user("service"), factories.make_user("service")
    batch = stage_file("sales.csv", csv_bytes([sale(1, buyer_email="buyer1@example.com")]), importing)
    importer.confirm_batch(batch, importing, valid_only=False)
    db.session.commit()
    ids = {"referral": referral.id, "recorder": recorder.id, "unit": unit.id, "batch": batch.id}
    signed_on = TODAY - timedelta(days=10)  # as the file says

    def record() -> None:
        staff = db.session.get(User, ids["recorder"])
        lifecycle.record_purchase(db.session.get(Referral, ids["referral"]), staff, purchased_on=signed_on,
                                  unit=db.session.get(Unit, ids["unit"]), contract_number="HT-0001")

    with member_locked(referral.referrer_id):
        recorded = in_background(pg_app, record)
        lock_waiter()  # staff: the referral locked, waiting for the referrer
        imported = in_background(pg_app, lambda: importer.run_import(ids["batch"], transaction=unit_of_work))
        lock_waiters(2)  # the import: waiting for the referral
    recorded.result(timeout=30), imported.result(timeout=30)

    db.session.expire_all()
    purchase = db.session.scalar(select(Purchase).where(Purchase.contract_no == "HT-0001"))
    assert purchase.referral_id == referral.id
    assert db.session.get(ImportBatch, batch.id).result["converted"] == 0  # staff converted it
    keys = db.session.scalars(select(LedgerEntry.idempotency_key).order_by(LedgerEntry.id)).all()
    assert keys == [f"referral:{referral.id}:referrer", f"referral:{referral.id}:invitee"]
    # The contract falls through: the next file's cancellation takes both rewards back.
    with unit_of_work():
        cancelling = stage_file("sales.csv", csv_bytes([sale(1, buyer_email="buyer1@example.com",
                                                             status="cancelled")]), importing)
        importer.confirm_batch(cancelling, importing, valid_only=False)
    importer.run_import(cancelling.id, transaction=unit_of_work)
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).status == ReferralStatus.CANCELLED
    assert db.session.get(User, referral.referrer_id).points_balance == 0
    assert_points_verify_clean(pg_app)


@pytest.mark.parametrize("status", [OwnershipStatus.VERIFIED.value, OwnershipStatus.PENDING.value])
def test_an_import_verifying_a_home_staff_are_linking_at_that_moment_keeps_one(pg_app, status):
    """Staff link the buyer's unit on the member page, or the buyer asks for it on "My
    homes" (here: the test's own transaction inserting that ownership, not yet committed),
    while the import of the purchase makes the buyer's verified home: the import waits for
    it, then keeps that row, verified (it met UNIQUE(user, unit), and the whole import failed)."""
    [unit] = units(1)
    buyer = factories.make_member(email="buyer1@example.com")
    clerk = factories.make_user("service")
    batch = stage_file("sales.csv", csv_bytes([sale(1, buyer_email="buyer1@example.com")]), clerk)
    importer.confirm_batch(batch, clerk, valid_only=False)
    db.session.commit()
    batch_id = batch.id
    with db.engine.connect() as connection:
        linking = connection.begin()
        staff_row = connection.execute(insert(Ownership).values(
            user_id=buyer.id, unit_id=unit.id, status=status, contract_number="HT-0001",
            requested_at=utcnow()).returning(Ownership.id)).scalar_one()
        imported = in_background(pg_app, lambda: importer.run_import(batch_id, transaction=unit_of_work))
        lock_waiters(1)  # the import's insert, waiting to see whether the link commits
        linking.commit()
    imported.result(timeout=30)

    db.session.expire_all()
    assert db.session.get(ImportBatch, batch_id).status == "done"
    rows = db.session.execute(select(Ownership.id, Ownership.status)
                              .where(Ownership.user_id == buyer.id)).all()
    assert rows == [(staff_row, OwnershipStatus.VERIFIED.value)]
    purchase = db.session.scalar(select(Purchase).where(Purchase.contract_no == "HT-0001"))
    assert purchase.ownership_id == staff_row
