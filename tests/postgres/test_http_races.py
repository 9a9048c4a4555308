"""The money paths raced over real HTTP (issue 14): gunicorn with three workers on loopback,
PostgreSQL migrated by `flask db upgrade`, a real job consumer (`flask jobs worker`) on a
shared queue, CSRF on, every client logged in through the login form.

Each scenario seeds the rows it needs through the services and factories (in this test's
own process, on the same database), releases N browsers at once (`at_once`: threads,
bounded), then checks the database: `flask points verify` clean, no balance, stock or fund
below zero, and exact counts (one voucher for the last unit, one reward per event). No
answer may be a 5xx and the server's log may hold no traceback. The crash scenarios kill
-9 a gunicorn worker or the consumer while its transaction is open (held there by a row
lock this test takes, so the kill lands mid-chunk every time) and show the re-run finishes
exactly once.

Settings are production's defaults except the few a test must choose: login throttling
per IP is raised (every browser comes from 127.0.0.1) and the sales import's inline limit
and chunk are small, so a file of a few hundred rows is chunked and runs as a job.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import func, select, text, update

from portal.accounts.models import Development, Ownership, User
from portal.campaigns import execution
from portal.campaigns import services as campaign_services
from portal.campaigns.execution import CHUNK_SIZE
from portal.campaigns.models import Campaign, CampaignRecipient, CampaignStatus
from portal.core.timeutil import utcnow
from portal.core.uow import unit_of_work
from portal.extensions import db
from portal.feedback import suggestions
from portal.feedback.models import Suggestion, SuggestionFund, SurveyResponse
from portal.notifications.models import Notification
from portal.perks.errors import OUT_OF_STOCK
from portal.perks.models import Perk, Redemption
from portal.perks.vouchers import redeem_perk
from portal.points.models import LedgerEntry, LedgerKind
from portal.points.services import credit
from portal.referrals.models import Referral, ReferralStatus
from portal.sales.models import ImportBatch, Purchase
from tests import factories
from tests.campaigns.helpers import bonus_input, grant_input
from tests.feedback.helpers import fund, homeowner, make_suggestion, make_survey, rating
from tests.referrals.helpers import make_referral, selling_unit
from tests.sales.helpers import csv_bytes, sale, units
from tests.support.gunicorn import ROOT, Browser, Gunicorn, at_once, form_fields, running_gunicorn
from tests.support.ports import owner_of_connection
from tests.support.race import (
    assert_points_verify_clean,
    lock_waiter,
    lock_waiters,
    member_locked,
    migrated_postgres_app,
    wait_until_gone,
)

pytestmark = pytest.mark.postgres

FLASK = str(Path(sys.executable).parent / "flask")
SALES_INLINE_ROWS, SALES_CHUNK = 100, 25
LOGIN_POINTS = 10  # POINTS_MONTHLY_LOGIN's default: a member's first login of the month earns it


@dataclass
class Consumer:
    """`flask jobs worker` in its own process, on the queue gunicorn's workers fill."""

    env: dict[str, str]
    log: Path
    process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                [FLASK, "--app", "app.py", "jobs", "worker", "--no-periodic", "--workers", "2"],
                cwd=ROOT, env=self.env, stdout=output, stderr=output)

    def kill_9(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill_9()


@dataclass
class Site:
    app: Flask  # this test's own app on the same database and queue (seeding, checks)
    server: Gunicorn
    consumer: Consumer

    @property
    def base(self) -> str:
        return self.server.base


def _env(folder: Path, database: str, jobs: str) -> dict[str, str]:
    """The servers' whole environment: production defaults but for these few."""
    return {
        "PATH": "/usr/bin:/bin", "DATABASE_URL": database, "SECRET_KEY": uuid.uuid4().hex,
        "JOBS_URL": jobs, "UPLOAD_FOLDER": str(folder / "uploads"),
        "LOGIN_LIMIT_PER_IP": "10000 per minute",
        "SALES_IMPORT_INLINE_ROWS": str(SALES_INLINE_ROWS), "SALES_IMPORT_CHUNK": str(SALES_CHUNK),
    }


@pytest.fixture(scope="module")
def site(postgres_server, tmp_path_factory) -> Iterator[Site]:
    """A fresh database upgraded by the migrations, this test's app on it and on the server's
    job queue (jobs it enqueues run in the consumer), the consumer, gunicorn -w 3."""
    folder = tmp_path_factory.mktemp("http-races")
    jobs = f"sqlite:///{folder / 'jobs.db'}"
    with migrated_postgres_app(folder, postgres_server, "http_races", JOBS_URL=jobs,
                               JOBS_IMMEDIATE=False) as app:
        env = _env(folder, app.config["SQLALCHEMY_DATABASE_URI"], jobs)
        consumer = Consumer(env, folder / "consumer.log")
        consumer.start()
        try:
            with running_gunicorn(env, folder) as server:
                yield Site(app, server, consumer)
        finally:
            consumer.stop()


@pytest.fixture(autouse=True)
def _in_app(site) -> Iterator[None]:
    """This test's session on the database; the server's log must stay free of tracebacks."""
    logged = site.server.error_log.read_text()
    with site.app.app_context():
        yield
        db.session.remove()
    new = site.server.error_log.read_text()[len(logged):]
    assert "Traceback" not in new, new[-4000:]


# --- seeding and checking ---------------------------------------------------------------------

def members(count: int, balance: int = 0, **fields) -> list[User]:
    """Members with `balance` points, credited through the points service; committed."""
    made = [factories.make_member(**fields) for _ in range(count)]
    for member in made:
        if balance:
            credit(member, balance, kind=LedgerKind.EARN, reason="Welcome bonus",
                   idempotency_key=f"seed:{member.id}")
    db.session.commit()
    return made


def staff(role: str, count: int) -> list[User]:
    made = [factories.make_user(role) for _ in range(count)]
    db.session.commit()
    return made


def browsers(site: Site, users: list[User]) -> list[Browser]:
    """A browser per user, each logged in through the form (three at a time, like the workers)."""
    emails = [user.email for user in users]  # read here: the threads have no app context
    with ThreadPoolExecutor(max_workers=3) as pool:
        return list(pool.map(lambda email: Browser(site.base).log_in(email), emails))


def tally(responses) -> Counter:
    """Status codes of the answers; none may be a server error."""
    statuses = Counter(response.status_code for response in responses)
    assert not [status for status in statuses if status >= 500], statuses
    return statuses


def report(scenario: str, clients: int, outcome: str) -> None:
    print(f"\n[http race] {scenario}: {clients} clients → {outcome}")


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def assert_books_clean(app: Flask) -> None:
    """`flask points verify` clean; no balance, stock, fund or campaign budget overdrawn."""
    db.session.expire_all()
    assert_points_verify_clean(app)
    overdrawn = {
        "balances": "SELECT count(*) FROM users WHERE points_balance < 0",
        "lots": "SELECT count(*) FROM points_lots WHERE remaining < 0",
        "stock": "SELECT count(*) FROM perks WHERE stock < 0",
        "funds": "SELECT count(*) FROM suggestion_funds WHERE awarded > budget",
        "campaigns": "SELECT count(*) FROM campaigns WHERE spent > budget",
        "keys twice": "SELECT count(*) FROM (SELECT idempotency_key FROM points_ledger "
                      "GROUP BY idempotency_key HAVING count(*) > 1) AS twice",
    }
    found = {name: db.session.scalar(text(sql)) for name, sql in overdrawn.items()}
    assert not any(found.values()), found


def english(message) -> str:
    with force_locale("en"):
        return str(message)


def chinese(message) -> str:
    with force_locale("zh_Hant"):
        return str(message)


# --- perks --------------------------------------------------------------------------------------

def test_the_last_unit_goes_to_one_of_twenty_members(site):
    users = members(20, 500, locale="zh_Hant")
    perk = factories.make_perk(cost=100, stock=1)
    db.session.commit()
    people, url = browsers(site, users), f"/perks/{perk.id}/redeem"

    def prepare(i: int) -> Callable:
        fields = people[i].fields(url)
        return lambda: people[i].post(url, data=fields)

    responses = at_once(len(people), prepare)
    statuses = tally(responses)
    assert statuses == {302: 1, 409: 19}, statuses
    assert all(chinese(OUT_OF_STOCK) in r.text for r in responses if r.status_code == 409)
    db.session.expire_all()
    assert db.session.get(Perk, perk.id).stock == 0
    assert count(Redemption, Redemption.perk_id == perk.id) == 1
    assert count(LedgerEntry, LedgerEntry.kind == LedgerKind.REDEEM.value,
                 LedgerEntry.member_id.in_([u.id for u in users])) == 1
    assert_books_clean(site.app)
    report("redeem the last unit (stock 1)", 20,
           f"1 × 302 voucher, 19 × 409 “{chinese(OUT_OF_STOCK)}”, 0 × 5xx")


def test_cancel_and_the_counter_race_for_one_voucher(site):
    """Six tabs of the member press "cancel" while four desk staff mark the voucher used."""
    [member] = members(1, 1000)
    desk = staff("service", 2)
    perk = factories.make_perk(cost=300, stock=3)
    redemption, _created = redeem_perk(member, perk, nonce=f"cancel-race-{uuid.uuid4().hex}")
    db.session.commit()
    mine = browsers(site, [member])[0]
    counter = browsers(site, desk)
    tabs = [mine.twin() for _ in range(6)] + [counter[i % 2].twin() for i in range(4)]
    cancel, code = f"/perks/redemptions/{redemption.id}/cancel", redemption.voucher_code

    def prepare(i: int) -> Callable:
        if i < 6:
            fields = tabs[i].fields(f"/perks/redemptions/{redemption.id}", cancel)
            return lambda: tabs[i].post(cancel, data=fields)
        lookup = tabs[i].fields("/admin/redemptions/", "/admin/redemptions/lookup")
        found = tabs[i].post("/admin/redemptions/lookup", data={**lookup, "code": code})
        fields = form_fields(found.text, "/admin/redemptions/fulfil")
        return lambda: tabs[i].post("/admin/redemptions/fulfil", data=fields)

    responses = at_once(len(tabs), prepare)
    statuses = tally(responses)
    assert statuses == {302: 1, 409: 9}, statuses
    refusals = ("This voucher has already been used.", "This voucher was cancelled.")
    assert all(any(text in r.text for text in refusals) for r in responses if r.status_code == 409)
    db.session.expire_all()
    final = db.session.get(Redemption, redemption.id)
    cancelled = final.status == "cancelled"
    winner = next(i for i, r in enumerate(responses) if r.status_code == 302)
    assert final.status == ("cancelled" if winner < 6 else "used")
    refunds = count(LedgerEntry, LedgerEntry.kind == LedgerKind.REFUND.value,
                    LedgerEntry.member_id == member.id)
    assert refunds == (1 if cancelled else 0)
    assert db.session.get(Perk, perk.id).stock == (3 if cancelled else 2)
    assert db.session.get(User, member.id).points_balance == (1000 if cancelled else 700) + LOGIN_POINTS
    assert_books_clean(site.app)
    report("cancel a voucher (6 member tabs) against the desk using it (4 staff tabs)", 10,
           f"1 × 302 ({final.status}), 9 × 409 refused, {refunds} refund, 0 × 5xx")


def test_one_balance_spent_three_ways_at_once_never_goes_below_zero(site):
    """A balance of 600 (+10 for the login): the member redeems a 300-point perk in three
    tabs and gifts 300 in three more while an admin removes 300 from two: two succeed in all."""
    [member] = members(1, 600)
    [friend] = members(1)
    perk = factories.make_perk(cost=300)
    db.session.commit()
    [mine] = browsers(site, [member])
    [admin] = browsers(site, staff("admin", 1))
    tabs = [mine.twin() for _ in range(6)] + [admin.twin() for _ in range(2)]
    redeem, adjust, email = f"/perks/{perk.id}/redeem", f"/admin/members/{member.id}/points", friend.email

    def prepare(i: int) -> Callable:
        if i < 3:
            fields = tabs[i].fields(redeem)
            return lambda: tabs[i].post(redeem, data=fields)
        if i < 6:
            fields = tabs[i].fields("/points/gift")
            preview = tabs[i].post("/points/gift", data={**fields, "email": email, "amount": "300"})
            confirmed = form_fields(preview.text, "/points/gift")
            return lambda: tabs[i].post("/points/gift", data=confirmed)
        fields = tabs[i].fields(adjust)
        return lambda: tabs[i].post(adjust, data={**fields, "amount": "-300", "reason": "Duplicate credit"})

    responses = at_once(len(tabs), prepare)
    tally(responses)
    spent = [i for i, r in enumerate(responses) if r.status_code == 302]
    assert len(spent) == 2, [r.status_code for r in responses]
    assert all(r.status_code in (400, 409) for r in responses if r.status_code != 302)
    db.session.expire_all()
    assert db.session.get(User, member.id).points_balance == 600 + LOGIN_POINTS - 600
    debits = db.session.scalars(select(LedgerEntry.amount).where(
        LedgerEntry.member_id == member.id, LedgerEntry.amount < 0)).all()
    assert sorted(debits) == [-300, -300]
    assert_books_clean(site.app)
    ways = Counter("redeemed" if i < 3 else "gifted" if i < 6 else "removed" for i in spent)
    report("one balance of 610 spent at once: 3 redeem tabs, 3 gift tabs, 2 admin removals of 300", 8,
           f"2 × 302 ({dict(ways)}), 6 × 4xx refused, balance 10, 0 × 5xx")


# --- points: gifts, adjustments, the monthly login reward --------------------------------------

@pytest.mark.parametrize(("balance", "amount", "gifts", "limit", "refusal"), [
    # 2,500 + the login's 10 covers five gifts of 500
    pytest.param(2_500, 500, 10, "balance", "Not enough points", id="balance"),
    # the 24-hour cap of 5,000 allows five gifts of 1,000
    pytest.param(20_000, 1_000, 8, "daily cap", "You can gift at most 5,000 points in 24 hours", id="cap"),
])
def test_gifts_from_many_tabs_never_overspend(site, balance, amount, gifts, limit, refusal):
    [sender] = members(1, balance)
    recipients = members(gifts)
    tabs = [browsers(site, [sender])[0]]
    tabs += [tabs[0].twin() for _ in range(gifts - 1)]
    emails = [r.email for r in recipients]

    def prepare(i: int) -> Callable:
        fields = tabs[i].fields("/points/gift")
        preview = tabs[i].post("/points/gift", data={**fields, "email": emails[i], "amount": str(amount)})
        assert preview.status_code == 200, preview.text[:500]
        confirmed = form_fields(preview.text, "/points/gift")
        assert confirmed["confirmed"] == "1"
        return lambda: tabs[i].post("/points/gift", data=confirmed)

    responses = at_once(gifts, prepare)
    statuses = tally(responses)
    assert statuses == {302: 5, 400: gifts - 5}, statuses
    assert all(refusal in r.text for r in responses if r.status_code == 400)
    db.session.expire_all()
    given = db.session.scalars(select(LedgerEntry.amount).where(
        LedgerEntry.member_id == sender.id, LedgerEntry.kind == LedgerKind.GIFT.value)).all()
    assert sorted(given) == [-amount] * 5
    assert db.session.get(User, sender.id).points_balance == balance + LOGIN_POINTS - 5 * amount
    assert sum(db.session.get(User, r.id).points_balance for r in recipients) == 5 * amount
    assert_books_clean(site.app)
    report(f"gifts of {amount} from one member's tabs, limited by the {limit}", gifts,
           f"5 × 302 given, {gifts - 5} × 400 refused, 0 × 5xx")


def test_admin_removals_never_take_a_balance_below_zero(site):
    [member] = members(1, 1_000)
    admins = browsers(site, staff("admin", 2))
    tabs = [admins[i % 2].twin() for i in range(8)]
    url = f"/admin/members/{member.id}/points"

    def prepare(i: int) -> Callable:
        fields = tabs[i].fields(url)
        return lambda: tabs[i].post(url, data={**fields, "amount": "-300", "reason": f"Correction {i}"})

    responses = at_once(len(tabs), prepare)
    statuses = tally(responses)
    assert statuses == {302: 3, 400: 5}, statuses
    assert all("Not enough points" in r.text for r in responses if r.status_code == 400)
    db.session.expire_all()
    assert db.session.get(User, member.id).points_balance == 100
    assert count(LedgerEntry, LedgerEntry.member_id == member.id,
                 LedgerEntry.kind == LedgerKind.ADJUST.value) == 3
    assert_books_clean(site.app)
    report("admins removing 300 from a balance of 1,000 (2 admins × 4 tabs)", 8,
           "3 × 302 adjusted, 5 × 400 refused (not enough points), balance 100, 0 × 5xx")


def test_one_adjustment_form_sent_from_six_tabs_acts_once(site):
    [member] = members(1, 0)
    [admin] = browsers(site, staff("admin", 1))
    url = f"/admin/members/{member.id}/points"
    fields = {**admin.fields(url), "amount": "250", "reason": "Goodwill"}  # one form, one nonce
    tabs = [admin.twin() for _ in range(6)]

    responses = at_once(6, lambda i: lambda: tabs[i].post(url, data=fields))
    statuses = tally(responses)
    assert statuses == {302: 6}, statuses  # each tab is told about the one adjustment
    db.session.expire_all()
    assert db.session.get(User, member.id).points_balance == 250
    assert count(LedgerEntry, LedgerEntry.member_id == member.id) == 1
    assert_books_clean(site.app)
    report("one adjustment form (one nonce) submitted from 6 tabs", 6, "6 × 302, 1 ledger entry, 0 × 5xx")


def test_logging_in_from_eight_browsers_at_once_pays_the_monthly_reward_once(site):
    [member] = members(1, 0)
    people, email = [Browser(site.base) for _ in range(8)], member.email

    def prepare(i: int) -> Callable:
        fields = people[i].fields("/auth/login")
        return lambda: people[i].post("/auth/login", data={
            **fields, "email": email, "password": factories.PASSWORD})

    statuses = tally(at_once(8, prepare))
    assert statuses == {302: 8}, statuses
    db.session.expire_all()
    assert count(LedgerEntry, LedgerEntry.member_id == member.id) == 1
    assert db.session.get(User, member.id).points_balance == LOGIN_POINTS
    assert_books_clean(site.app)
    report("first login of the month from 8 browsers at once", 8,
           "8 × 302 logged in, 1 reward of 10, 0 × 5xx")


# --- referrals, surveys, suggestions ------------------------------------------------------------

def ledger_keys(*keys: str) -> Counter:
    return Counter(db.session.scalars(select(LedgerEntry.idempotency_key)
                                      .where(LedgerEntry.idempotency_key.in_(keys))).all())


def test_four_staff_recording_one_referral_purchase_reward_once(site):
    referral = make_referral(days_ago=20)
    unit = selling_unit(development="Referral Gardens", building="1", number="101")
    desk = browsers(site, staff("service", 4))
    url, page = f"/admin/referrals/{referral.id}/purchase", f"/admin/referrals/{referral.id}"
    development, today = str(unit.building.development_id), utcnow().date().isoformat()

    def prepare(i: int) -> Callable:
        fields = desk[i].fields(page, url)
        return lambda: desk[i].post(url, data={
            **fields, "purchase-development": development, "purchase-building": "1",
            "purchase-unit_number": "101", "purchase-purchased_on": today,
            "purchase-contract_number": "RG-0001"})

    statuses = tally(at_once(4, prepare))
    assert statuses == {302: 1, 409: 3}, statuses
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).status == ReferralStatus.REWARDED
    keys = ledger_keys(f"referral:{referral.id}:referrer", f"referral:{referral.id}:invitee")
    assert keys == {f"referral:{referral.id}:referrer": 1, f"referral:{referral.id}:invitee": 1}
    assert count(Ownership, Ownership.user_id == referral.invitee_id) == 1
    assert_books_clean(site.app)
    report("4 staff record the same referral purchase", 4,
           "1 × 302 converted, 3 × 409 refused, referrer and invitee rewarded once, 0 × 5xx")


def test_survey_answers_pay_once_per_member(site):
    """Eight members answer at once, and a ninth from four tabs."""
    survey = make_survey(rating(), points=200)
    users = members(9)
    people = browsers(site, users)
    tabs = people[:8] + [people[8].twin() for _ in range(4)]
    url, question = f"/surveys/{survey.id}", f"q{survey.questions[0].id}"

    def prepare(i: int) -> Callable:
        fields = tabs[i].fields(url)
        return lambda: tabs[i].post(url, data={**fields, question: "8"})

    responses = at_once(len(tabs), prepare)
    statuses = tally(responses)
    # A tab that saw the other's answer gets the "thanks" page (409); one that raced it to the
    # insert gets the form back (400) from the service's refusal: the same words either way.
    assert statuses[302] == 9 and statuses[400] + statuses[409] == 3, statuses
    refused = [r for r in responses if r.status_code != 302]
    assert all("You have already answered this survey." in r.text for r in refused)
    db.session.expire_all()
    assert count(SurveyResponse, SurveyResponse.survey_id == survey.id) == 9
    paid = db.session.scalars(select(LedgerEntry.member_id).where(
        LedgerEntry.kind == LedgerKind.SURVEY.value, LedgerEntry.source_id == survey.id)).all()
    assert sorted(paid) == sorted(u.id for u in users)
    assert_books_clean(site.app)
    report("survey answered by 8 members, and by a 9th from 4 tabs", 12,
           f"9 × 302 answered, {statuses[409]} × 409 + {statuses[400]} × 400 already answered, "
           "9 rewards of 200, 0 × 5xx")


def test_suggestion_rewards_stop_at_the_fund(site):
    year = utcnow().year
    fund(suggestions.fund_of(year).awarded + 500, year)
    reviewers = staff("service", 2)
    ideas = [make_suggestion() for _ in range(10)]
    for idea in ideas:
        suggestions.start_review(idea, actor=reviewers[0])
    db.session.commit()
    desk = browsers(site, reviewers)
    tabs = [desk[i % 2].twin() for i in range(10)]
    ids = [idea.id for idea in ideas]

    def prepare(i: int) -> Callable:
        url = f"/admin/suggestions/{ids[i]}/adopt"
        fields = tabs[i].fields(f"/admin/suggestions/{ids[i]}", url)
        return lambda: tabs[i].post(url, data={**fields, "points": "100"})

    responses = at_once(10, prepare)
    statuses = tally(responses)
    assert statuses == {302: 5, 400: 5}, statuses
    assert all("above the fund" in r.text for r in responses if r.status_code == 400)
    db.session.expire_all()
    row = db.session.get(SuggestionFund, year)
    assert row.awarded == row.budget
    assert count(Suggestion, Suggestion.id.in_(ids), Suggestion.status == "adopted") == 5
    assert count(LedgerEntry, LedgerEntry.kind == LedgerKind.SUGGESTION.value,
                 LedgerEntry.source_id.in_(ids)) == 5
    assert_books_clean(site.app)
    report("10 suggestions adopted at 100 points against 500 left in the fund", 10,
           "5 × 302 adopted, 5 × 400 above the fund, fund exactly spent, 0 × 5xx")


# --- campaigns ----------------------------------------------------------------------------------

def wait_for(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.2)
        db.session.expire_all()


def campaign_finished(campaign_id: int) -> bool:
    db.session.rollback()  # a new snapshot: the consumer commits chunk by chunk
    return db.session.get(Campaign, campaign_id).status == CampaignStatus.FINISHED


def test_a_grant_launched_from_six_tabs_runs_once(site):
    development = "Launch Court"
    owners = [homeowner(development) for _ in range(30)]
    db.session.commit()
    marketers = staff("marketing", 2)
    segment = {"development_id": owners[0].ownerships[0].unit.building.development_id}
    grant = campaign_services.save_draft(None, grant_input(points=100, budget=3_000, segment=segment),
                                         actor=marketers[0])
    db.session.commit()
    desk = browsers(site, marketers)
    tabs = [desk[i % 2].twin() for i in range(6)]
    url = f"/admin/campaigns/{grant.id}/launch"

    def prepare(i: int) -> Callable:
        fields = tabs[i].fields(url)
        return lambda: tabs[i].post(url, data=fields)

    responses = at_once(6, prepare)
    statuses = tally(responses)
    assert statuses == {302: 1, 409: 5}, statuses
    assert all("Only a draft can be launched." in r.text for r in responses if r.status_code == 409)
    wait_for(lambda: campaign_finished(grant.id), "the grant to finish in the consumer")
    campaign = db.session.get(Campaign, grant.id)
    assert (campaign.processed, campaign.reached, campaign.spent) == (30, 30, 3_000)
    credited = db.session.scalars(select(LedgerEntry.member_id).where(
        LedgerEntry.source_type == "campaigns", LedgerEntry.source_id == grant.id)).all()
    assert sorted(credited) == sorted(o.id for o in owners)
    assert_books_clean(site.app)
    report("a grant to 30 homeowners launched from 6 tabs (2 marketers)", 6,
           "1 × 302 launched, 5 × 409 refused, the consumer credits each of 30 once, 0 × 5xx")


def test_a_bonus_rule_pays_exactly_its_budget(site):
    """A survey-completion bonus of +100 with a budget of 500: ten homeowners answer at once."""
    development = "Bonus Heights"
    owners = [homeowner(development) for _ in range(10)]
    db.session.commit()
    segment = {"development_id": owners[0].ownerships[0].unit.building.development_id}
    marketer = staff("marketing", 1)[0]
    rule = campaign_services.save_draft(None, bonus_input(
        trigger="survey_completed", bonus_mode="add", points=100, multiplier_pct=None, budget=500,
        segment=segment), actor=marketer)
    campaign_services.launch(rule, actor=marketer)
    survey = make_survey(rating(), points=50, segment=segment)
    db.session.commit()
    people = browsers(site, owners)
    url, question = f"/surveys/{survey.id}", f"q{survey.questions[0].id}"

    def prepare(i: int) -> Callable:
        fields = people[i].fields(url)
        return lambda: people[i].post(url, data={**fields, question: "9"})

    try:
        statuses = tally(at_once(10, prepare))
        assert statuses == {302: 10}, statuses
        db.session.expire_all()
        campaign = db.session.get(Campaign, rule.id)
        assert (campaign.spent, campaign.reached) == (500, 5)
        paid = db.session.scalars(select(LedgerEntry.amount).where(
            LedgerEntry.kind == LedgerKind.SURVEY.value, LedgerEntry.source_id == survey.id)).all()
        assert sorted(paid) == [50] * 5 + [150] * 5
        assert count(CampaignRecipient, CampaignRecipient.campaign_id == rule.id) == 5
        assert_books_clean(site.app)
    finally:
        campaign_services.cancel(db.session.get(Campaign, rule.id), actor=marketer)
        db.session.commit()
    report("a +100 survey bonus with a budget of 500, 10 homeowners answer", 10,
           "10 × 302 answered, 5 bonuses paid, budget spent exactly (500), 0 × 5xx")


# --- the sales import ---------------------------------------------------------------------------

def sales_file(development: str, prefix: str, rows: int, buyers: dict[int, User]) -> bytes:
    """`rows` contracts `<prefix>-0001`… on units 101, 201, … (made here); `buyers` maps a
    line to the member who bought (by e-mail; perhaps one with a referral)."""
    emails = {line: buyer.email for line, buyer in buyers.items()}
    units(rows, development=development)
    db.session.commit()
    return csv_bytes([sale(n, contract_no=f"{prefix}-{n:04d}", development=development,
                           buyer_email=emails.get(n, "")) for n in range(1, rows + 1)])


def upload(browser: Browser, data: bytes) -> int:
    """The staff member uploads the file; the id of the batch waiting for confirmation."""
    fields = browser.fields("/admin/sales/")
    response = browser.post("/admin/sales/", data=fields, files={"file": ("sales.csv", data, "text/csv")})
    assert response.status_code == 302, response.text[:1000]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


def confirm(browser: Browser, batch_id: int) -> Callable[[], requests.Response]:
    """Load the batch page; the returned call presses "confirm"."""
    url = f"/admin/sales/batches/{batch_id}/confirm"
    fields = browser.fields(f"/admin/sales/batches/{batch_id}", url)
    return lambda: browser.post(url, data=fields)


def purchases(prefix: str) -> list[str]:
    return db.session.scalars(select(Purchase.contract_no)
                              .where(Purchase.contract_no.like(f"{prefix}-%"))).all()


def test_the_same_file_uploaded_and_confirmed_by_three_staff_at_once(site):
    buyers = members(5)
    referral = make_referral(invitee=buyers[0], days_ago=20)
    db.session.commit()
    data = sales_file("Sales Park A", "SA", 40, {n + 1: buyer for n, buyer in enumerate(buyers)})
    desk = browsers(site, staff("service", 3))
    batches = [upload(browser, data) for browser in desk]

    responses = at_once(3, lambda i: confirm(desk[i], batches[i]))
    statuses = tally(responses)
    assert statuses == {302: 3}, statuses
    db.session.expire_all()
    results = [db.session.get(ImportBatch, batch_id) for batch_id in batches]
    assert [batch.status for batch in results] == ["done"] * 3
    assert sum(batch.result["created"] for batch in results) == 40
    assert sum(batch.result["skipped"] for batch in results) == 80
    contracts = purchases("SA")
    assert len(contracts) == len(set(contracts)) == 40
    assert db.session.get(Referral, referral.id).status == ReferralStatus.REWARDED
    keys = ledger_keys(f"referral:{referral.id}:referrer", f"referral:{referral.id}:invitee")
    assert sorted(keys.values()) == [1, 1]
    assert count(Ownership, Ownership.user_id.in_([b.id for b in buyers])) == 5
    assert_books_clean(site.app)
    report("one 40-row sales file uploaded and confirmed by 3 staff at once", 3,
           "3 × 302, 40 purchases in all (each once), the referral rewarded once, 0 × 5xx")


def test_staff_and_the_import_converting_one_referral_at_once_reward_and_link_it_once(site):
    """Staff record the purchase on the referral page while another confirms the sales file
    holding the same contract. Made to interleave the hard way: the staff member's request
    holds the referral (waiting for the referrer's row, which this test holds) when the
    import comes to convert it."""
    [buyer] = members(1)
    referral = make_referral(invitee=buyer, days_ago=20)
    db.session.commit()
    data = sales_file("Sales Park D", "SD", 3, {2: buyer})
    development = db.session.scalar(select(Development.id).where(Development.name == "Sales Park D"))
    signed_on = (utcnow().date() - timedelta(days=10)).isoformat()  # as tests.sales.helpers.sale
    recorder, importer = browsers(site, staff("service", 2))
    batch_id = upload(importer, data)
    press_import = confirm(importer, batch_id)
    page, url = f"/admin/referrals/{referral.id}", f"/admin/referrals/{referral.id}/purchase"
    fields = {**recorder.fields(page, url), "purchase-development": str(development),
              "purchase-building": "1", "purchase-unit_number": "201",
              "purchase-purchased_on": signed_on, "purchase-contract_number": "SD-0002"}
    with ThreadPoolExecutor(max_workers=2) as pool:
        with member_locked(referral.referrer_id):
            recorded = pool.submit(recorder.post, url, data=fields)
            lock_waiter()  # the staff request: the referral locked, waiting for the referrer
            imported = pool.submit(press_import)
            lock_waiters(2)  # and the import, waiting for the referral
        statuses = tally([recorded.result(timeout=30), imported.result(timeout=30)])
    assert statuses == {302: 2}, statuses
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).status == ReferralStatus.REWARDED
    assert sorted(referral_keys(referral).values()) == [1, 1]
    purchase = db.session.scalar(select(Purchase).where(Purchase.contract_no == "SD-0002"))
    # Linked to the referral as when staff record it before the file comes: a later
    # cancellation of the contract in the sales system then takes the reward back.
    assert purchase.referral_id == referral.id
    assert count(Ownership, Ownership.user_id == buyer.id) == 1
    assert_books_clean(site.app)
    report("staff record a referral purchase while the sales import converts the same contract", 2,
           "2 × 302, rewarded once, the purchase linked to the referral, 0 × 5xx")


def test_staff_linking_one_unit_from_four_tabs_link_it_once(site):
    [member] = members(1)
    unit = factories.make_unit("Link Terrace", "1", "101")
    db.session.commit()
    development = str(unit.building.development_id)
    desk = browsers(site, staff("service", 2))
    tabs = [desk[i % 2].twin() for i in range(4)]
    page, url = f"/admin/members/{member.id}", f"/admin/members/{member.id}/units"

    def prepare(i: int) -> Callable:
        fields = tabs[i].fields(page, url)
        return lambda: tabs[i].post(url, data={**fields, "development": development, "building": "1",
                                               "unit_number": "101"})

    responses = at_once(4, prepare)
    statuses = tally(responses)  # the losers were a 500 (UNIQUE(user, unit)) before
    assert statuses == {302: 1, 400: 3}, statuses
    assert all("This member already owns this unit." in r.text for r in responses if r.status_code == 400)
    assert count(Ownership, Ownership.user_id == member.id) == 1
    report("staff link one unit to one member from 4 tabs (2 staff)", 4,
           "1 × 302 linked, 3 × 400 already owns (some were 500s before the fix), 0 × 5xx")


# --- kill -9 in the middle of the work, then the re-run ---------------------------------------

def dropped_or(call: Callable[[], requests.Response]) -> requests.Response | str:
    try:
        return call()
    except requests.ConnectionError:
        return "connection dropped"


def referral_keys(referral: Referral) -> Counter:
    return ledger_keys(f"referral:{referral.id}:referrer", f"referral:{referral.id}:invitee")


def test_a_worker_killed_in_the_middle_of_an_import_leaves_nothing_and_the_re_run_imports_once(site):
    """The file is small, so it is imported inside the confirm request: a worker killed there
    takes the whole transaction with it."""
    buyers = members(3)
    referral = make_referral(invitee=buyers[2], days_ago=20)
    db.session.commit()
    # line 40 is in the second chunk of 25: the first is written (uncommitted) when the kill lands
    data = sales_file("Sales Park B", "SB", 60, {10: buyers[0], 20: buyers[1], 40: buyers[2]})
    [clerk] = browsers(site, staff("service", 1))
    batch_id = upload(clerk, data)
    press = confirm(clerk, batch_id)
    with ThreadPoolExecutor(max_workers=1) as pool, member_locked(referral.referrer_id):
        pressed = pool.submit(dropped_or, press)
        backend, port = lock_waiter()
        worker = owner_of_connection(port, site.server.worker_pids())
        assert worker is not None, "the waiting connection is no worker's"
        os.kill(worker, signal.SIGKILL)
        outcome = pressed.result(timeout=30)
    assert outcome == "connection dropped"
    wait_until_gone(backend)
    site.server.wait_until_serving()  # the master has replaced the worker
    db.session.rollback()
    assert db.session.get(ImportBatch, batch_id).status == "preview"  # the confirmation went too
    assert purchases("SB") == [] and referral_keys(referral) == {}
    assert db.session.get(Referral, referral.id).status != ReferralStatus.REWARDED

    again = confirm(clerk, batch_id)()
    assert again.status_code == 302, again.text[:500]
    db.session.expire_all()
    batch = db.session.get(ImportBatch, batch_id)
    assert batch.status == "done" and batch.result["created"] == 60
    contracts = purchases("SB")
    assert len(contracts) == len(set(contracts)) == 60
    assert db.session.get(Referral, referral.id).status == ReferralStatus.REWARDED
    assert sorted(referral_keys(referral).values()) == [1, 1]
    assert_books_clean(site.app)
    report("gunicorn worker kill -9 during an inline 60-row import (chunk 2 of 3 in flight)", 1,
           "connection dropped, nothing written, the batch back in preview; re-confirmed: 302, "
           "60 purchases once, the referral rewarded once")


def test_the_consumer_killed_in_the_middle_of_a_grant_the_resumed_run_credits_each_member_once(site):
    audience = factories.make_homeowners_in_bulk(CHUNK_SIZE + 50, "Crash Towers")
    db.session.commit()
    segment = {"development_id": db.session.get(User, audience[0]).ownerships[0].unit.building.development_id}
    marketer = staff("marketing", 1)
    grant = campaign_services.save_draft(None, grant_input(points=10, budget=10 * len(audience),
                                                           segment=segment), actor=marketer[0])
    db.session.commit()
    [desk] = browsers(site, marketer)
    url = f"/admin/campaigns/{grant.id}/launch"
    fields = desk.fields(url)
    with member_locked(audience[CHUNK_SIZE]):  # the first member of the second chunk
        assert desk.post(url, data=fields).status_code == 302
        backend, port = lock_waiter()
        assert owner_of_connection(port, [site.consumer.process.pid]) == site.consumer.process.pid
        db.session.rollback()
        assert db.session.get(Campaign, grant.id).processed == CHUNK_SIZE  # the first chunk committed
        site.consumer.kill_9()
    wait_until_gone(backend)
    db.session.rollback()
    campaign = db.session.get(Campaign, grant.id)
    assert (campaign.status, campaign.processed, campaign.reached) == ("running", CHUNK_SIZE, CHUNK_SIZE)

    site.consumer.start()
    with unit_of_work():  # the scheduler's minute, once the grant has been quiet for STALLED_AFTER
        resumed = execution.start_due(utcnow() + execution.STALLED_AFTER)
    assert grant.id in resumed
    wait_for(lambda: campaign_finished(grant.id), "the resumed grant to finish")
    campaign = db.session.get(Campaign, grant.id)
    assert (campaign.processed, campaign.reached, campaign.spent) == (len(audience), len(audience),
                                                                     10 * len(audience))
    credited = db.session.scalars(select(LedgerEntry.member_id).where(
        LedgerEntry.source_type == "campaigns", LedgerEntry.source_id == grant.id)).all()
    assert sorted(credited) == audience
    assert count(Notification, Notification.kind == "campaign", Notification.user_id.in_(audience)) \
        == len(audience)
    assert_books_clean(site.app)
    report(f"job consumer kill -9 during a grant to {len(audience):,} (chunk 2 in flight)", 1,
           f"chunk 1 kept ({CHUNK_SIZE:,}), chunk 2 lost; resumed by the scheduler: "
           f"{len(audience):,} credited once each, one notification each")


def test_the_consumer_killed_in_the_middle_of_an_import_job_the_resumed_import_finishes_once(site):
    buyers = members(3)
    referral = make_referral(invitee=buyers[2], days_ago=20)
    db.session.commit()
    rows = 150  # more than SALES_INLINE_ROWS: a job, chunk by chunk; line 90 is in the 4th chunk
    data = sales_file("Sales Park C", "SC", rows, {5: buyers[0], 30: buyers[1], 90: buyers[2]})
    [clerk] = browsers(site, staff("service", 1))
    batch_id = upload(clerk, data)
    press = confirm(clerk, batch_id)
    with member_locked(referral.referrer_id):
        assert press().status_code == 302
        backend, port = lock_waiter()
        assert owner_of_connection(port, [site.consumer.process.pid]) == site.consumer.process.pid
        site.consumer.kill_9()
    wait_until_gone(backend)
    db.session.rollback()
    batch = db.session.get(ImportBatch, batch_id)
    assert (batch.status, batch.progress_done) == ("importing", 3 * SALES_CHUNK)
    assert len(purchases("SC")) == 3 * SALES_CHUNK and referral_keys(referral) == {}

    # Staff may resume once the import has made no progress for SALES_IMPORT_STALL_MINUTES.
    stalled = site.app.config["SALES_IMPORT_STALL_MINUTES"] + 1
    db.session.execute(update(ImportBatch).where(ImportBatch.id == batch_id)
                       .values(updated_at=ImportBatch.updated_at - timedelta(minutes=stalled)))
    db.session.commit()
    site.consumer.start()
    resume = f"/admin/sales/batches/{batch_id}/resume"
    fields = clerk.fields(f"/admin/sales/batches/{batch_id}", resume)  # the button shows now
    assert clerk.post(resume, data=fields).status_code == 302
    wait_for(lambda: import_done(batch_id), "the resumed import to finish")
    batch = db.session.get(ImportBatch, batch_id)
    assert batch.progress_done == rows and batch.result["created"] == rows
    contracts = purchases("SC")
    assert len(contracts) == len(set(contracts)) == rows
    assert db.session.get(Referral, referral.id).status == ReferralStatus.REWARDED
    assert sorted(referral_keys(referral).values()) == [1, 1]
    assert_books_clean(site.app)
    report(f"job consumer kill -9 during a {rows}-row import job (chunk 4 of 6 in flight)", 1,
           f"3 chunks kept ({3 * SALES_CHUNK} purchases), chunk 4 lost; resumed by staff: "
           f"{rows} purchases once, the referral rewarded once")


def import_done(batch_id: int) -> bool:
    db.session.rollback()
    return db.session.get(ImportBatch, batch_id).status == "done"
