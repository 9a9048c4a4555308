"""Referrals on the one way through a request: the reward e-mails leave only after the commit
(and never from a rolled-back decision), refusals roll back, hostile query strings on the
staff list, report, export and the member page give a page, never a 500."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.core.errors import DomainError
from portal.core.timeutil import utcnow
from portal.notifications.models import Notification
from portal.points.models import LedgerEntry
from portal.referrals import lifecycle, services
from portal.referrals.models import Referral, ReferralCode, ReferralStatus
from tests import factories
from tests.referrals.helpers import follow, make_referral, selling_unit

TODAY = utcnow().date()
HUGE = "99999999999999999999"


def _mails(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("e-mail to")]


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _purchase_data(unit) -> dict:
    return {"purchase-development": str(unit.building.development_id),
            "purchase-building": unit.building.name, "purchase-unit_number": unit.number,
            "purchase-purchased_on": TODAY.isoformat(), "purchase-contract_number": "HT-1"}


@pytest.fixture
def mail_log(caplog):
    caplog.set_level("INFO", logger="portal.notifications.services")
    return caplog


def test_referral_error_is_a_domain_error():
    assert issubclass(services.ReferralError, DomainError)


# --- e-mails --------------------------------------------------------------------------------

def test_reward_emails_leave_only_after_the_commit(app, db, english, mail_log):
    referral = make_referral(referrer=factories.make_member(email="ref@example.com", locale="en"),
                             invitee=factories.make_member(email="new@example.com", locale="en",
                                                           display_name="Jane Smith"))
    lifecycle.record_purchase(referral, factories.make_user("service"), unit=selling_unit(),
                              purchased_on=TODAY, contract_number="C-1")
    db.session.flush()
    assert _mails(mail_log) == []  # decided, not yet committed: nothing sent
    db.session.commit()
    mails = _mails(mail_log)
    assert len(mails) == 2
    # One text: the e-mail says what the in-app notice says.
    assert mails[0].startswith("e-mail to ref@example.com: Your referral bought a home\n"
                               "J. S. bought a home with us: you earned 5000 points. Thank you!")
    assert mails[1].startswith("e-mail to new@example.com: Welcome home\n"
                               "Welcome home! You earned 1000 points for buying through a referral.")
    notices = db.session.scalars(select(Notification.message).where(Notification.kind == "referrals")
                                 .order_by(Notification.id)).all()
    assert notices == [lifecycle.REFERRER_REWARDED, lifecycle.INVITEE_REWARDED]


def test_a_rolled_back_reward_sends_nothing(app, db, english, mail_log):
    referral = make_referral()
    db.session.commit()
    lifecycle.record_purchase(referral, factories.make_user("service"), unit=selling_unit(),
                              purchased_on=TODAY, contract_number="C-1")
    db.session.rollback()
    db.session.commit()
    assert _mails(mail_log) == []
    assert _count(db, LedgerEntry) == 0 and _count(db, Notification) == 0


def test_a_decision_refused_after_the_reward_was_queued_sends_nothing(client, login, db, mail_log,
                                                                      monkeypatch):
    """The audit step fails after the points and e-mails were queued: 409, nothing kept or sent."""
    login("service", locale="en")
    referral = make_referral()

    def refuse(*_args, **_kwargs):
        raise services.ReferralError("Audit refused.")

    monkeypatch.setattr(lifecycle, "record_action", refuse)
    response = client.post(f"/admin/referrals/{referral.id}/purchase", data=_purchase_data(selling_unit()))
    assert response.status_code == 409
    assert 'id="decision-error">Audit refused.' in response.get_data(as_text=True)
    assert _mails(mail_log) == []
    assert _count(db, LedgerEntry) == 0 and _count(db, Notification) == 0
    assert db.session.get(Referral, referral.id).status == ReferralStatus.REGISTERED


def test_the_purchase_through_the_page_emails_after_its_commit(client, login, db, mail_log):
    login("service", locale="en")
    referral = make_referral()
    follow(client, client.post(f"/admin/referrals/{referral.id}/purchase",
                               data=_purchase_data(selling_unit())))
    assert len(_mails(mail_log)) == 2
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.kind == "referrals")) == 2


def test_a_cancellation_is_told_in_the_app_only(app, db, english, mail_log):
    referral = make_referral()
    staff = factories.make_user("service")
    lifecycle.record_purchase(referral, staff, unit=selling_unit(), purchased_on=TODAY,
                              contract_number="C-1")
    db.session.commit()
    lifecycle.cancel_purchase(referral, staff, "Contract annulled")
    db.session.commit()
    assert len(_mails(mail_log)) == 2  # the two reward e-mails, none for the cancellation
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.message == lifecycle.REWARD_TAKEN_BACK)) == 2


# --- refusals --------------------------------------------------------------------------------

def test_a_refused_code_is_flashed_and_writes_nothing(client, login, db, monkeypatch):
    from portal.core import codes

    taken = services.ensure_code(factories.make_member()).code
    login("member", locale="en")
    monkeypatch.setattr(codes, "random_code", lambda length: taken)
    response = client.post("/referrals/code", headers={"Referer": "http://localhost/referrals"})
    assert response.status_code == 302 and response.headers["Location"] == "/referrals"
    assert "Could not create a referral code." in follow(client, response).get_data(as_text=True)
    assert _count(db, ReferralCode) == 1


def test_nul_in_a_reason_is_a_form_error(client, login, db):
    login("service", locale="en")
    referral = make_referral()
    response = client.post(f"/admin/referrals/{referral.id}/reject", data={"reject-reason": "no\x00pe"})
    assert response.status_code == 400
    assert "This field contains characters that are not allowed." in response.get_data(as_text=True)
    assert db.session.get(Referral, referral.id).status == ReferralStatus.REGISTERED


@pytest.mark.parametrize(("field", "value"), [
    ("purchase-development", HUGE), ("purchase-development", "-" + HUGE), ("purchase-building", HUGE),
    ("purchase-development", "1\x00"), ("purchase-building", "1\x00"),
    ("purchase-contract_number", "HT\x00-1"),
])
def test_hostile_purchase_fields_are_form_errors(client, login, db, field, value):
    login("service", locale="en")
    referral = make_referral()
    data = _purchase_data(selling_unit()) | {field: value}
    response = client.post(f"/admin/referrals/{referral.id}/purchase", data=data)
    assert response.status_code == 400
    assert db.session.get(Referral, referral.id).status == ReferralStatus.REGISTERED
    assert _count(db, LedgerEntry) == 0


def test_ids_beyond_the_database_range_are_404(client, login, db):
    login("service", locale="en")
    assert client.get(f"/admin/referrals/{HUGE}").status_code == 404
    assert client.get(f"/admin/referrals/{2**31}").status_code == 404
    assert client.post(f"/admin/referrals/{HUGE}/reject", data={"reject-reason": "x"}).status_code == 404


# --- hostile query strings ----------------------------------------------------------------

HOSTILE_VALUES = [HUGE, "-" + HUGE, "-1", "0", "%ff%fe", "A" * 5000, "1&{key}=x&{key}="]


@pytest.mark.parametrize("path", ["/admin/referrals/", "/admin/referrals/report",
                                  "/admin/referrals/export.csv"])
def test_staff_pages_survive_hostile_filters(client, login, db, path):
    login("marketing", locale="en")
    make_referral()
    failures = []
    for key in ("page", "status", "development", "month", "referrer", "member", "months"):
        for value in HOSTILE_VALUES:
            query = f"{key}={value.format(key=key)}"
            status = client.get(f"{path}?{query}").status_code
            if status != 200:
                failures.append(f"{query[:60]}: {status}")
    assert failures == []


def test_a_nul_in_the_query_string_is_a_400(client, login, db):
    login("marketing", locale="en")
    for path in ("/admin/referrals/?development=1%00", "/admin/referrals/report?months=%00",
                 "/referrals?page=%00"):
        assert client.get(path).status_code == 400


def test_a_20_digit_filter_matches_nothing_rather_than_everything(client, login, db):
    login("marketing", locale="en")
    make_referral(invitee=factories.make_member(display_name="Visible Friend"))
    assert "Visible Friend" in client.get("/admin/referrals/").get_data(as_text=True)
    for query in (f"?referrer={HUGE}", "?referrer=0"):
        text = client.get("/admin/referrals/" + query).get_data(as_text=True)
        assert "Visible Friend" not in text and "No referrals match." in text
    # Development and member ids no row can have are ignored as filters (as unknown text is).
    for query in (f"?development={HUGE}", f"?member={HUGE}"):
        assert "Visible Friend" in client.get("/admin/referrals/" + query).get_data(as_text=True)


def test_staff_list_pages_are_clamped(client, login, db):
    login("marketing", locale="en")
    for number in range(32):
        make_referral(invitee=factories.make_member(display_name=f"Friend {number:02d}"), days_ago=number + 1)

    def shown(query: str) -> set[str]:
        text = client.get("/admin/referrals/" + query).get_data(as_text=True)
        return {f"Friend {n:02d}" for n in range(32) if f"Friend {n:02d}" in text}

    first = {f"Friend {n:02d}" for n in range(30)}  # newest first, 30 a page
    last = {"Friend 30", "Friend 31"}
    assert shown("") == first and shown("?page=2") == last
    assert shown(f"?page={HUGE}") == first  # not a plausible page number: the first page
    assert shown("?page=999") == last  # past the end: the last page
    assert shown("?page=-1") == first and shown("?page=x") == first


def test_report_period_falls_back_to_twelve_months(client, login, db):
    login("marketing", locale="en")
    for value in (HUGE, "-3", "3.0", "３", "0"):
        text = client.get(f"/admin/referrals/report?months={value}").get_data(as_text=True)
        assert '<option value="12" selected>' in text, value
    assert '<option value="3" selected>' in client.get("/admin/referrals/report?months=3").get_data(
        as_text=True)


def test_my_referrals_pages_are_clamped(client, login, db):
    member = login("member", locale="en")
    for _ in range(21):
        make_referral(referrer=member)
    for query in ("", f"?page={HUGE}", "?page=-1", "?page=999", "?page=2", "?page=%ff"):
        response = client.get("/referrals" + query)
        assert response.status_code == 200, query
    assert client.get("/referrals?page=999").get_data(as_text=True).count("<tr>") == 1 + 1  # header + 1
    assert client.get("/referrals").get_data(as_text=True).count("<tr>") == 1 + 20
