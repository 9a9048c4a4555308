"""Staff pages: list and filters, the referral page and its forms, the rule, roles, bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.accounts.models import Ownership
from portal.audit.models import AuditEntry
from portal.core.timeutil import utcnow
from portal.points.models import LedgerEntry
from portal.referrals import lifecycle, services
from portal.referrals.models import Referral, ReferralRule, ReferralStatus
from tests import factories
from tests.referrals.helpers import follow, make_referral, selling_unit

TODAY = utcnow().date()


def _purchase_data(unit, **overrides):
    data = {"purchase-development": str(unit.building.development_id),
            "purchase-building": unit.building.name, "purchase-unit_number": unit.number,
            "purchase-purchased_on": TODAY.isoformat(), "purchase-contract_number": "HT-2026-001"}
    data.update(overrides)
    return data


def _ledger_count(db) -> int:
    return db.session.query(LedgerEntry).count()


# --- list -------------------------------------------------------------------------------

def test_list_shows_full_names_to_staff_and_filters(client, login, db):
    login("marketing", locale="en")
    jade, cloud = selling_unit("Jade Lake"), selling_unit("Cloud Peak")
    alice = factories.make_member(display_name="Alice Referrer", email="alice@example.com")
    a = make_referral(referrer=alice, invitee=factories.make_member(display_name="Bob Buyer"), days_ago=3)
    b = make_referral(invitee=factories.make_member(display_name="Carol Visitor"), days_ago=40,
                      status=ReferralStatus.VISITED.value)
    a.status, a.development_id = ReferralStatus.REWARDED.value, jade.building.development_id
    b.development_id = cloud.building.development_id
    month = a.created_at.strftime("%Y-%m")

    def names(query: str) -> set[str]:
        text = client.get("/admin/referrals/" + query).get_data(as_text=True)
        return {name for name in ("Bob Buyer", "Carol Visitor") if name in text}

    assert names("") == {"Bob Buyer", "Carol Visitor"}
    assert "Alice Referrer" in client.get("/admin/referrals/").get_data(as_text=True)
    assert names("?status=rewarded") == {"Bob Buyer"}
    assert names(f"?development={cloud.building.development_id}") == {"Carol Visitor"}
    assert names(f"?month={month}") == {"Bob Buyer"} or a.created_at.month == b.created_at.month
    assert names("?referrer=alice@example.com") == {"Bob Buyer"}
    assert names(f"?referrer={alice.id}") == {"Bob Buyer"}
    assert names(f"?member={b.invitee_id}") == {"Carol Visitor"}


@pytest.mark.parametrize("query", [
    "?status=' OR 1=1--", "?development=abc", "?development=１", "?month=2026-13", "?month=x",
    "?referrer=' OR 1=1--", "?member=-1", "?page=999", "?development=99999999999999999999",
])
def test_list_ignores_bad_filters(client, login, db, query):
    login("service", locale="en")
    make_referral()
    response = client.get("/admin/referrals/" + query)
    assert response.status_code == 200


def test_owed_filter_flags_unrecovered_points(client, login, db):
    login("service", locale="en")
    owing = make_referral(invitee=factories.make_member(display_name="Owing Person"),
                          status=ReferralStatus.CANCELLED.value, referrer_owed=300)
    make_referral(invitee=factories.make_member(display_name="Clean Person"))
    text = client.get("/admin/referrals/?status=owed").get_data(as_text=True)
    assert "Owing Person" in text and "Clean Person" not in text and "Owes 300" in text
    detail = client.get(f"/admin/referrals/{owing.id}").get_data(as_text=True)
    assert "the referrer still owes 300 points" in detail


# --- the referral page and its decisions ----------------------------------------------------

def test_service_records_the_purchase_from_the_form(client, login, db):
    staff = login("service", locale="en")
    referral = make_referral(days_ago=20)
    unit = selling_unit(number="1601")
    page = client.get(f"/admin/referrals/{referral.id}").get_data(as_text=True)
    assert 'id="purchase-form"' in page and 'id="reject-form"' in page

    response = client.post(f"/admin/referrals/{referral.id}/purchase", data=_purchase_data(unit))
    text = follow(client, response).get_data(as_text=True)
    assert "The purchase is recorded and the reward credited." in text
    referral = db.session.get(Referral, referral.id)
    assert referral.status == ReferralStatus.REWARDED
    assert db.session.get(Ownership, referral.ownership_id).contract_number == "HT-2026-001"
    assert referral.referrer.points_balance == 5000 and referral.invitee.points_balance == 1000
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "referral.purchase")).one()
    assert audit.actor_id == staff.id

    # A double click, or a second staff member: refused with the reason, nothing more credited.
    again = client.post(f"/admin/referrals/{referral.id}/purchase", data=_purchase_data(selling_unit()))
    assert again.status_code == 409
    assert b"This referral was already rewarded." in again.data
    assert _ledger_count(db) == 2


def test_marketing_sees_the_referral_but_no_decision_forms(client, login, db):
    login("marketing", locale="en")
    referral = make_referral()
    page = client.get(f"/admin/referrals/{referral.id}").get_data(as_text=True)
    assert referral.invitee.display_name in page
    assert "purchase-form" not in page and "reject-form" not in page
    assert client.post(f"/admin/referrals/{referral.id}/purchase",
                       data=_purchase_data(selling_unit())).status_code == 403


@pytest.mark.parametrize("overrides, message", [
    ({"purchase-unit_number": "9999"}, "We cannot find this unit."),
    ({"purchase-development": "999999"}, "Not a valid choice"),
    ({"purchase-development": "abc"}, "Invalid Choice: could not coerce."),
    ({"purchase-purchased_on": (TODAY + timedelta(days=1)).isoformat()}, "The date cannot be in the future."),
    ({"purchase-purchased_on": "2026-02-30"}, "Enter the purchase date."),
    ({"purchase-contract_number": ""}, "Enter the contract number."),
    ({"purchase-contract_number": "x" * 65}, "Field cannot be longer than 64 characters."),
])
def test_bad_purchase_input_changes_nothing(client, login, db, overrides, message):
    login("service", locale="en")
    referral = make_referral()
    response = client.post(f"/admin/referrals/{referral.id}/purchase",
                           data=_purchase_data(selling_unit(), **overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.get(Referral, referral.id).status == ReferralStatus.REGISTERED
    assert db.session.query(Ownership).count() == 0 and _ledger_count(db) == 0


@pytest.mark.parametrize("action", ["visit", "purchase", "reject", "cancel"])
def test_forged_referral_ids_are_404(client, login, db, action):
    login("service", locale="en")
    make_referral()
    for forged in ("999999", "0"):
        response = client.post(f"/admin/referrals/{forged}/{action}", data={"reject-reason": "x"})
        assert response.status_code == 404
    assert client.post(f"/admin/referrals/-1/{action}").status_code == 404
    assert client.get("/admin/referrals/999999").status_code == 404


def test_converting_a_rejected_referral_is_refused_with_the_reason(client, login, db):
    login("service", locale="en")
    referral = make_referral()
    response = client.post(f"/admin/referrals/{referral.id}/reject",
                           data={"reject-reason": "Existing customer"})
    assert "The referral is rejected." in follow(client, response).get_data(as_text=True)
    refused = client.post(f"/admin/referrals/{referral.id}/purchase", data=_purchase_data(selling_unit()))
    assert refused.status_code == 409
    assert "This referral was rejected: Existing customer" in refused.get_data(as_text=True)
    assert _ledger_count(db) == 0 and db.session.query(Ownership).count() == 0


def test_reject_without_reason_is_a_form_error(client, login, db):
    login("service", locale="en")
    referral = make_referral()
    response = client.post(f"/admin/referrals/{referral.id}/reject", data={"reject-reason": "  "})
    assert response.status_code == 400 and b"Give a reason." in response.data
    assert db.session.get(Referral, referral.id).status == ReferralStatus.REGISTERED


def test_visit_then_cancel_through_the_forms(client, login, db):
    staff = login("service", locale="en")
    referral = make_referral(days_ago=10)
    visited = (TODAY - timedelta(days=1)).isoformat()
    follow(client, client.post(f"/admin/referrals/{referral.id}/visit", data={"visit-visited_on": visited}))
    assert db.session.get(Referral, referral.id).status == ReferralStatus.VISITED
    assert client.post(f"/admin/referrals/{referral.id}/visit",
                       data={"visit-visited_on": ""}).status_code == 400
    assert client.post(f"/admin/referrals/{referral.id}/cancel",
                       data={"cancel-reason": "no"}).status_code == 409  # nothing to cancel yet
    lifecycle.record_purchase(db.session.get(Referral, referral.id), factories.make_user("service"),
                              unit=selling_unit(), purchased_on=TODAY, contract_number="C-9")
    page = client.get(f"/admin/referrals/{referral.id}").get_data(as_text=True)
    assert 'id="cancel-form"' in page and 'id="purchase-form"' not in page
    cancel = f"/admin/referrals/{referral.id}/cancel"
    assert client.post(cancel, data={"cancel-reason": ""}).status_code == 400
    response = client.post(cancel, data={"cancel-reason": "Deal fell through"})
    assert "reward taken back" in follow(client, response).get_data(as_text=True)
    referral = db.session.get(Referral, referral.id)
    assert referral.status == ReferralStatus.CANCELLED and referral.decided_by_id == staff.id
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "referrals")).all()
    assert sorted(actions) == ["referral.cancel", "referral.purchase", "referral.visit"]


def test_member_admin_page_links_to_the_members_referrals(client, login, db):
    login("service", locale="en")
    referral = make_referral()
    page = client.get(f"/admin/members/{referral.invitee_id}").get_data(as_text=True)
    assert f"/admin/referrals/?member={referral.invitee_id}" in page


def test_staff_nav_has_referrals(client, login):
    login("marketing", locale="en")
    assert b'href="/admin/referrals/"' in client.get("/admin/referrals/").data


# --- the rule ------------------------------------------------------------------------------

def test_admin_sets_the_rule(client, login, db):
    login("admin", locale="en")
    page = client.get("/admin/referrals/rule").get_data(as_text=True)
    assert "5,000 points for the referrer, 1,000 points for the new buyer" in page
    assert "the configured defaults" in page
    response = client.post("/admin/referrals/rule", data={
        "referrer_points": "6000", "invitee_points": "1500", "yearly_cap": "4"})
    text = follow(client, response).get_data(as_text=True)
    assert "The new referral rule is in force." in text and "6,000 points for the referrer" in text
    assert services.current_rule().yearly_cap == 4


@pytest.mark.parametrize("field, value", [
    ("referrer_points", "-1"), ("referrer_points", "1.5"), ("invitee_points", "1e3"),
    ("invitee_points", "１０"), ("yearly_cap", ""), ("yearly_cap", "1001"), ("referrer_points", "10000000"),
])
def test_bad_rule_input_saves_nothing(client, login, db, field, value):
    login("admin", locale="en")
    data = {"referrer_points": "5000", "invitee_points": "1000", "yearly_cap": "10", field: value}
    response = client.post("/admin/referrals/rule", data=data)
    assert response.status_code == 400
    assert db.session.query(ReferralRule).count() == 0


def test_both_members_are_emailed_after_the_reward(client, login, db, caplog):
    login("service", locale="en")
    referral = make_referral(referrer=factories.make_member(email="ref@example.com", locale="en"),
                             invitee=factories.make_member(email="new@example.com", locale="zh_Hans",
                                                           display_name="Jane Smith"))
    with caplog.at_level("INFO", logger="portal.notifications.services"):
        client.post(f"/admin/referrals/{referral.id}/purchase", data=_purchase_data(selling_unit()))
    mails = [r.getMessage() for r in caplog.records if r.getMessage().startswith("e-mail to")]
    assert len(mails) == 2
    assert "ref@example.com: Your referral bought a home" in mails[0] and "J. S. bought a home" in mails[0]
    assert mails[1].startswith("e-mail to new@example.com") and "1000" in mails[1]


def test_a_staff_member_who_is_a_party_sees_why_there_are_no_forms(client, login, db):
    staff = login("service", locale="en")
    referral = make_referral(referrer=staff)
    page = client.get(f"/admin/referrals/{referral.id}").get_data(as_text=True)
    assert 'id="party-note"' in page and "You cannot decide on a referral you are part of." in page
    assert 'id="purchase-form"' not in page and 'id="cancel-form"' not in page
    refused = client.post(f"/admin/referrals/{referral.id}/purchase", data=_purchase_data(selling_unit()))
    assert refused.status_code == 409
    assert 'id="decision-error">You cannot decide on a referral you are part of.' in refused.get_data(
        as_text=True)
    assert _ledger_count(db) == 0 and db.session.query(Ownership).count() == 0


def test_status_labels_come_from_the_enum(client, login, db):
    login("marketing", locale="zh_Hant")
    make_referral(status=ReferralStatus.VISITED.value)
    make_referral(status=ReferralStatus.CANCELLED.value)
    text = client.get("/admin/referrals/").get_data(as_text=True)
    assert "已到訪售樓處" in text and "購買已取消" in text
    assert ReferralStatus.label_of("visited") == ReferralStatus.VISITED.label
    assert ReferralStatus.REJECTED == "rejected"  # stored values unchanged
