"""Races on PostgreSQL with real concurrent connections (SQLite and the test client prove nothing).

Each worker has its own app context (so its own session and connection) and starts at
the same moment through a Barrier.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Ownership, Unit, User
from portal.audit.models import AuditEntry
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.points.models import LedgerEntry
from portal.points.services import find_differences
from portal.referrals import lifecycle, services
from portal.referrals.models import Referral, ReferralStatus
from tests import factories
from tests.conftest import log_in
from tests.referrals.helpers import make_referral
from tests.support.race import migrated_postgres_app, race

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(tmp_path, postgres_server):
    with migrated_postgres_app(tmp_path, postgres_server, "referrals") as app:
        yield app


def _race(app, workers: int, work) -> list[str]:
    """Each worker's result: "ok", or the refusal's (English) message."""
    outcome = race(app, workers, lambda index: (work(index), "ok")[1],
                   refusal=services.ReferralError, describe=str, request_path="/?lang=en")
    assert not outcome.crashes, outcome.results
    return outcome.results


@pytest.mark.parametrize("workers", [2, 10])
def test_staff_converting_the_same_referral_at_once_reward_once(pg_app, workers):
    staff = [factories.make_user("service") for _ in range(workers)]
    referral = make_referral(days_ago=5)
    unit = factories.make_unit()
    db.session.commit()
    staff_ids, referral_id, unit_id = [s.id for s in staff], referral.id, unit.id

    def convert(index: int) -> None:
        lifecycle.record_purchase(
            db.session.get(Referral, referral_id), db.session.get(User, staff_ids[index]),
            unit=db.session.get(Unit, unit_id), purchased_on=utcnow().date() - timedelta(days=1),
            contract_number=f"HT-{index}")

    started = time.perf_counter()
    results = _race(pg_app, workers, convert)
    elapsed = time.perf_counter() - started
    print(f"\n{workers} concurrent conversions: {results.count('ok')} ok, "
          f"{workers - results.count('ok')} refused, {elapsed * 1000:.0f} ms")

    assert results.count("ok") == 1
    assert set(results) - {"ok"} <= {"This referral was already rewarded."}
    db.session.expire_all()
    referral = db.session.get(Referral, referral_id)
    assert referral.status == ReferralStatus.REWARDED
    keys = db.session.scalars(select(LedgerEntry.idempotency_key).order_by(LedgerEntry.id)).all()
    assert keys == [f"referral:{referral_id}:referrer", f"referral:{referral_id}:invitee"]
    assert (referral.referrer.points_balance, referral.invitee.points_balance) == (5000, 1000)
    assert db.session.scalar(select(func.count()).select_from(Ownership)) == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "referral.purchase")) == 1
    assert find_differences() == []
    verify = pg_app.test_cli_runner().invoke(args=["points", "verify"])
    assert verify.exit_code == 0, verify.output


def test_yearly_cap_holds_when_a_referrers_friends_buy_at_once(pg_app):
    services.set_rule(factories.make_user("admin"), referrer_points=5000, invitee_points=1000, yearly_cap=1)
    referrer = factories.make_member()
    referrals = [make_referral(referrer=referrer, days_ago=3) for _ in range(6)]
    staff = [factories.make_user("service") for _ in referrals]
    units = [factories.make_unit() for _ in referrals]
    db.session.commit()
    ids = [(r.id, s.id, u.id) for r, s, u in zip(referrals, staff, units, strict=True)]

    def convert(index: int) -> None:
        referral_id, staff_id, unit_id = ids[index]
        lifecycle.record_purchase(db.session.get(Referral, referral_id), db.session.get(User, staff_id),
                                  unit=db.session.get(Unit, unit_id), purchased_on=utcnow().date(),
                                  contract_number=f"C-{index}")

    assert _race(pg_app, len(ids), convert) == ["ok"] * len(ids)
    db.session.expire_all()
    paid = db.session.scalars(
        select(Referral.referrer_points).where(Referral.referrer_id == referrer.id)).all()
    assert sorted(paid) == [0] * (len(ids) - 1) + [5000]
    assert db.session.get(User, referrer.id).points_balance == 5000
    assert find_differences() == []


def test_one_referrer_per_invitee_when_codes_race(pg_app):
    invitee = factories.make_member()
    codes = [services.ensure_code(factories.make_member()).code for _ in range(8)]
    db.session.commit()
    invitee_id = invitee.id

    def attach(index: int) -> None:
        services.attach_referral(db.session.get(User, invitee_id), codes[index])

    results = _race(pg_app, len(codes), attach)
    assert results.count("ok") == 1
    assert set(results) - {"ok"} <= {"You were already referred by another member."}
    assert db.session.scalar(select(func.count()).select_from(Referral)) == 1


def test_report_queries_on_postgres(pg_app):
    """year_month(), FILTER and COUNT(DISTINCT) compile and count the same on PostgreSQL."""
    from portal.referrals import reports

    staff = factories.make_user("service")
    referral = make_referral(days_ago=0)
    factories.make_ownership(factories.make_member()).purchased_on = utcnow().date()
    db.session.flush()
    lifecycle.record_purchase(referral, staff, unit=factories.make_unit(), purchased_on=utcnow().date(),
                              contract_number="PG-1")
    db.session.commit()
    months = reports.months_back(12)
    assert reports.funnel(months)[-1] == reports.FunnelRow(months[-1], 1, 1, 1)
    share = reports.referral_share(months)
    assert share.by_month[months[-1]] == reports.Share(1, 2)
    assert [(t.referred, t.bought, t.points) for t in reports.top_referrers(months)] == [(1, 1, 5000)]
    rows = list(reports.export_rows(reports.parse_filters({"status": "rewarded"}), {}))
    assert [row[0] for row in rows] == [referral.id]


def _client_of(app, user):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    log_in(client, user)
    return client


def test_hostile_input_on_postgres_is_refused_not_a_500(pg_app, caplog):
    """PostgreSQL `integer` overflows on a 20-digit id and text cannot hold NUL: the referral
    pages refuse both before the database sees them; a refused decision sends no e-mail."""
    caplog.set_level("INFO", logger="portal.notifications.services")
    service, member = factories.make_user("service"), factories.make_member()
    referral = make_referral(referrer=member, invitee=factories.make_member(display_name="Pg Friend"))
    unit = factories.make_unit()
    db.session.commit()
    staff = _client_of(pg_app, service)
    huge = "99999999999999999999"
    for query in (f"?development={huge}", f"?member={huge}", f"?referrer={huge}", f"?page={huge}",
                  "?page=-1", "?month=9999-99", "?status=" + "x" * 5000):
        assert staff.get("/admin/referrals/" + query).status_code == 200, query
        assert staff.get("/admin/referrals/export.csv" + query).status_code == 200, query
    assert staff.get(f"/admin/referrals/report?months={huge}").status_code == 200
    assert _client_of(pg_app, member).get(f"/referrals?page={huge}").status_code == 200

    reject = staff.post(f"/admin/referrals/{referral.id}/reject", data={"reject-reason": "no\x00pe"})
    assert reject.status_code == 400 and b"characters that are not allowed" in reject.data
    purchase = {"purchase-development": huge, "purchase-building": unit.building.name,
                "purchase-unit_number": unit.number, "purchase-purchased_on": utcnow().date().isoformat(),
                "purchase-contract_number": "PG\x00-1"}
    assert staff.post(f"/admin/referrals/{referral.id}/purchase", data=purchase).status_code == 400
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).status == ReferralStatus.REGISTERED
    assert "e-mail to" not in caplog.text

    purchase |= {"purchase-development": str(unit.building.development_id),
                 "purchase-contract_number": "PG-1"}
    assert staff.post(f"/admin/referrals/{referral.id}/purchase", data=purchase).status_code == 302
    assert caplog.text.count("e-mail to") == 2  # sent once the decision committed
