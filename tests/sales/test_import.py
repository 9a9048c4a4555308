"""Preview → confirm → import: the numbers, nothing before the confirmation, idempotence,
changed rows, members' homes, referral conversion and its reversal (issue 11)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from portal.accounts.models import Ownership, OwnershipStatus
from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.notifications.models import Notification
from portal.points.models import LedgerEntry
from portal.points.services import find_differences
from portal.referrals import services as referral_services
from portal.referrals.models import Referral, ReferralStatus
from portal.sales.models import BatchStatus, ImportBatch, Purchase, PurchaseStatus
from portal.sales.parsing import REQUIRED_COLUMNS
from tests import factories
from tests.referrals.helpers import make_referral
from tests.sales.helpers import (
    TODAY,
    confirm,
    follow,
    purchase_count,
    sale,
    units,
    uploaded_batch,
)

WITH_STATUS = [*REQUIRED_COLUMNS, "status"]


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _import(client, rows, valid_only: bool = False, **kwargs) -> ImportBatch:
    batch = uploaded_batch(client, rows, **kwargs)
    response = confirm(client, batch, valid_only)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.refresh(batch)
    return batch


def _ledger() -> list[tuple[int, int, str]]:
    return [(e.member_id, e.amount, e.idempotency_key)
            for e in db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.id))]


def test_preview_shows_every_kind_of_row_and_writes_nothing(client, staff):
    units(8)
    _import(client, [sale(2), sale(3), sale(7)])
    by_email = factories.make_member(email="buyer4@example.com", display_name="Email Match")
    factories.make_member(phone="+86 139-1234-5678", display_name="Phone Match")
    referral = make_referral(invitee=factories.make_member(email="friend@example.com"), days_ago=30)
    rows = [
        sale(1),  # new, nobody matched
        sale(2),  # already imported, unchanged
        sale(3, price="3,100,000.00"),  # changed
        sale(4, buyer_email="Buyer4@Example.com"),  # member by e-mail
        sale(5, buyer_phone="13912345678"),  # member by phone
        sale(6, buyer_email="friend@example.com", referral_code=referral.code),  # converts
        sale(7, status="cancelled"),  # cancellation
        sale(8, unit="999"),  # unit not found
        sale(9, signed_on="tomorrow"),  # invalid, unit not found either
    ]
    ledger, ownerships = _ledger(), _count(Ownership)
    batch = uploaded_batch(client, rows, columns=WITH_STATUS)
    assert batch.status == BatchStatus.PREVIEW
    assert batch.counts == {"rows": 9, "invalid": 2, "units_missing": 2, "new": 4, "unchanged": 1,
                            "changed": 1, "cancel": 1, "members": 3, "referrals": 1, "reversals": 0,
                            "notes": 0}
    assert purchase_count() == 3 and _ledger() == ledger and _count(Ownership) == ownerships
    page = client.get(f"/admin/sales/batches/{batch.id}").get_data(as_text=True)
    for element, value in (("count-new", 4), ("count-unchanged", 1), ("count-changed", 1),
                           ("count-cancel", 1), ("count-members", 3), ("count-referrals", 1)):
        assert f'id="{element}">{value}' in page, element
    assert "(2 with a unit not found)" in page
    assert "Email Match" in page and "Phone Match" in page
    assert "price</span>: 3,000,000.00 → 3,100,000.00" in page
    assert 'id="sample-referrals"' in page and referral.referrer.display_name in page
    assert "Building 1 of Jade Lake has no unit “999”." in page
    assert 'name="valid_only"' in page and by_email.display_name in page


def test_confirm_imports_and_a_second_import_changes_nothing(client, staff):
    units(3)
    rows = [sale(1), sale(2), sale(3)]
    batch = _import(client, rows)
    assert batch.status == BatchStatus.DONE
    assert batch.result["created"] == 3 and purchase_count() == 3
    purchase = db.session.scalar(select(Purchase).where(Purchase.contract_no == "HT-0001"))
    assert (purchase.buyer_name, purchase.price_cents, purchase.status, purchase.batch_id) == (
        "Buyer 1", 300_000_000, PurchaseStatus.ACTIVE, batch.id)
    assert purchase.signed_on == TODAY - timedelta(days=10)
    assert purchase.development_id == purchase.unit.building.development_id
    audit = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert audit[-3:] == ["sales.upload", "sales.confirm", "sales.import"]

    again = uploaded_batch(client, rows)
    assert (again.counts["new"], again.counts["unchanged"]) == (0, 3)
    page = follow(client, confirm(client, again)).get_data(as_text=True)
    assert "The file is imported." in page
    db.session.refresh(again)
    assert again.result["created"] == 0 and purchase_count() == 3


def test_a_changed_row_is_reported_and_never_overwritten(client, staff):
    units(2)
    _import(client, [sale(1), sale(2)])
    batch = _import(client, [sale(1, buyer_name="Someone Else", unit="201"), sale(2)])
    assert (batch.counts["changed"], batch.counts["unchanged"]) == (1, 1)
    page = client.get(f"/admin/sales/batches/{batch.id}").get_data(as_text=True)
    assert "buyer_name</span>: Buyer 1 → Someone Else" in page
    assert "unit</span>: Jade Lake · 1 · 101 → Jade Lake · 1 · 201" in page
    purchase = db.session.scalar(select(Purchase).where(Purchase.contract_no == "HT-0001"))
    assert purchase.buyer_name == "Buyer 1" and purchase.unit.number == "101"


def test_invalid_rows_need_the_explicit_choice(client, staff):
    units(1)
    batch = uploaded_batch(client, [sale(1), sale(2, unit="404")])
    response = confirm(client, batch)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "1 rows of this file are invalid. Tick “Import the valid rows only”" in page
    db.session.refresh(batch)
    assert batch.status == BatchStatus.PREVIEW and purchase_count() == 0
    assert confirm(client, batch, valid_only=True).status_code == 302
    db.session.refresh(batch)
    assert batch.status == BatchStatus.DONE and batch.valid_only and purchase_count() == 1
    page = client.get(f"/admin/sales/batches/{batch.id}").get_data(as_text=True)
    assert "1 invalid rows were left out." in page


def test_a_batch_is_confirmed_once(client, staff):
    units(1)
    batch = _import(client, [sale(1)])
    response = confirm(client, batch)
    assert response.status_code == 409
    assert "This file is already imported or being imported." in response.get_data(as_text=True)
    assert purchase_count() == 1


def test_matched_members_get_their_verified_home_and_a_notice(client, staff):
    unit1, unit2, _unit3 = units(3)
    by_email = factories.make_member(email="owner@example.com")
    by_phone = factories.make_member(phone="139 8765 4321")
    factories.make_ownership(by_phone, unit2, verified=False)  # a pending claim on the unit
    factories.make_member(phone="13800000000")
    factories.make_member(phone="+86 13800000000")  # two members share it: matches nobody
    batch = _import(client, [sale(1, buyer_email="owner@example.com"), sale(2, buyer_phone="13987654321"),
                             sale(3, buyer_phone="13800000000")])
    assert batch.counts["members"] == 2 and batch.result["homes"] == 2
    homes = {(o.user_id, o.unit_id): o for o in db.session.scalars(select(Ownership))}
    for member, unit, contract in ((by_email, unit1, "HT-0001"), (by_phone, unit2, "HT-0002")):
        ownership = homes[(member.id, unit.id)]
        assert ownership.status == OwnershipStatus.VERIFIED and ownership.contract_number == contract
        assert ownership.decided_by_id == staff.id
        purchase = db.session.scalar(select(Purchase).where(Purchase.contract_no == contract))
        assert (purchase.member_id, purchase.ownership_id) == (member.id, ownership.id)
        assert _count(Notification, Notification.user_id == member.id, Notification.kind == "homes") == 1
    third = db.session.scalar(select(Purchase).where(Purchase.contract_no == "HT-0003"))
    assert third.member_id is None and third.ownership_id is None


def test_a_referred_buyer_converts_and_both_are_rewarded_once(client, staff):
    units(1)
    invitee = factories.make_member(email="friend@example.com", display_name="Friend")
    referral = make_referral(invitee=invitee, days_ago=30)
    rows = [sale(1, buyer_email="friend@example.com", referral_code=referral.code)]
    batch = _import(client, rows)
    assert batch.result["converted"] == 1
    db.session.refresh(referral)
    assert referral.status == ReferralStatus.REWARDED and referral.contract_number == "HT-0001"
    expected = [(referral.referrer_id, 5000, f"referral:{referral.id}:referrer"),
                (invitee.id, 1000, f"referral:{referral.id}:invitee")]
    assert _ledger() == expected
    purchase = db.session.scalar(select(Purchase))
    assert purchase.referral_id == referral.id and purchase.ownership_id == referral.ownership_id
    assert db.session.get(Ownership, referral.ownership_id).status == OwnershipStatus.VERIFIED

    again = _import(client, rows)
    assert again.counts["referrals"] == 0 and again.result["converted"] == 0
    assert _ledger() == expected
    assert find_differences() == []


def test_a_cancelled_contract_takes_the_reward_back_once(client, staff):
    units(1)
    invitee = factories.make_member(email="friend@example.com")
    referral = make_referral(invitee=invitee, days_ago=30)
    _import(client, [sale(1, buyer_email="friend@example.com")])
    cancel = [sale(1, buyer_email="friend@example.com", status="cancelled")]
    batch = _import(client, cancel, columns=WITH_STATUS)
    assert (batch.counts["cancel"], batch.counts["reversals"]) == (1, 1)
    assert (batch.result["cancelled"], batch.result["reversed"], batch.result["homes_withdrawn"]) == (1, 1, 1)
    db.session.refresh(referral)
    assert referral.status == ReferralStatus.CANCELLED
    assert "HT-0001 was cancelled in the sales system" in referral.reason
    clawbacks = [(m, a) for m, a, key in _ledger() if key.endswith(":clawback")]
    assert sorted(clawbacks) == sorted([(referral.referrer_id, -5000), (invitee.id, -1000)])
    purchase = db.session.scalar(select(Purchase))
    assert purchase.status == PurchaseStatus.CANCELLED and purchase.cancelled_batch_id == batch.id
    ownership = db.session.get(Ownership, purchase.ownership_id)
    assert ownership.status == OwnershipStatus.REJECTED
    assert ownership.reject_reason == "The purchase contract was cancelled."

    ledger = _ledger()
    again = _import(client, cancel, columns=WITH_STATUS)
    assert (again.counts["cancel"], again.counts["unchanged"]) == (0, 1)
    assert _ledger() == ledger and find_differences() == []


def test_a_contract_cancelled_before_its_first_import_is_recorded_cancelled(client, staff):
    units(1)
    factories.make_member(email="friend@example.com")
    _import(client, [sale(1, buyer_email="friend@example.com", status="cancelled")], columns=WITH_STATUS)
    purchase = db.session.scalar(select(Purchase))
    assert purchase.status == PurchaseStatus.CANCELLED and purchase.member_id is None
    assert _count(Ownership) == 0


def test_reactivating_a_cancelled_contract_is_reported_as_changed(client, staff):
    units(1)
    _import(client, [sale(1, status="cancelled")], columns=WITH_STATUS)
    batch = uploaded_batch(client, [sale(1)])
    assert batch.counts["changed"] == 1
    page = client.get(f"/admin/sales/batches/{batch.id}").get_data(as_text=True)
    assert "status</span>: cancelled → active" in page


def test_referrals_that_cannot_convert_say_why(client, staff):
    units(5)
    early = make_referral(invitee=factories.make_member(email="early@example.com"), days_ago=5)
    other = make_referral(invitee=factories.make_member(email="other@example.com"), days_ago=30)
    factories.make_member(email="plain@example.com")
    closed = make_referral(invitee=factories.make_member(email="closed@example.com"), days_ago=30,
                           status=ReferralStatus.REJECTED.value)
    code = referral_services.ensure_code(factories.make_member()).code
    batch = _import(client, [
        sale(1, buyer_email="early@example.com"),  # signed 10 days ago, referred 5 days ago
        sale(2, buyer_email="other@example.com", referral_code=code),  # another code
        sale(3, buyer_email="plain@example.com", referral_code=code),  # never referred
        sale(4, buyer_email="nobody@example.com", referral_code=code),  # not a member
        sale(5, buyer_email="closed@example.com", referral_code=closed.code),
    ])
    assert batch.counts["referrals"] == 0 and batch.counts["notes"] == 5
    page = client.get(f"/admin/sales/batches/{batch.id}").get_data(as_text=True)
    assert "before the buyer was referred: the referral does not convert." in page
    assert f"is not the one the buyer registered with ({other.code})" in page
    assert "the buyer did not register with a referral code, so none converts." in page
    assert "the buyer is not a member yet, so no referral converts." in page
    assert "The buyer's referral is already closed (rejected)" in page
    for referral in (early, other):
        db.session.refresh(referral)
        assert referral.status == ReferralStatus.REGISTERED
    assert _ledger() == []
    assert batch.result["homes"] == 4  # matched members still get their homes


def test_a_conversion_the_lifecycle_refuses_is_noted_and_the_rest_imported(client, login):
    units(2)
    staff = login("service", locale="en")
    referral = make_referral(referrer=staff, invitee=factories.make_member(email="mine@example.com"))
    batch = _import(client, [sale(1, buyer_email="mine@example.com"), sale(2)])
    assert (batch.result["created"], batch.result["not_converted"], batch.result["homes"]) == (2, 1, 1)
    assert batch.notes == [{"line": 2, "contract_no": "HT-0001",
                            "text": "You cannot decide on a referral you are part of."}]
    page = client.get(f"/admin/sales/batches/{batch.id}").get_data(as_text=True)
    assert "You cannot decide on a referral you are part of." in page
    db.session.refresh(referral)
    assert referral.status == ReferralStatus.REGISTERED and _ledger() == []
    purchase = db.session.scalar(select(Purchase).where(Purchase.contract_no == "HT-0001"))
    assert purchase.referral_id is None and purchase.ownership_id is not None


def test_two_lines_of_one_referred_buyer_convert_once(client, staff):
    units(2)
    referral = make_referral(invitee=factories.make_member(email="twice@example.com"))
    batch = _import(client, [sale(n, buyer_email="twice@example.com") for n in (1, 2)])
    assert batch.counts["referrals"] == 1 and batch.result["converted"] == 1
    assert [key for _m, _a, key in _ledger()] == [f"referral:{referral.id}:referrer",
                                                   f"referral:{referral.id}:invitee"]


def test_a_purchase_staff_already_recorded_on_the_referral_is_linked(client, staff):
    from portal.referrals import lifecycle

    (unit,) = units(1)
    referral = make_referral(invitee=factories.make_member(email="known@example.com"))
    lifecycle.record_purchase(referral, factories.make_user("service"), unit=unit,
                              purchased_on=TODAY - timedelta(days=10), contract_number="HT-0001")
    ledger = _ledger()
    batch = _import(client, [sale(1, buyer_email="known@example.com")])
    assert batch.counts["referrals"] == 0
    purchase = db.session.scalar(select(Purchase))
    assert purchase.referral_id == referral.id and purchase.ownership_id == referral.ownership_id
    assert _ledger() == ledger and _count(Referral, Referral.status == "rewarded") == 1
