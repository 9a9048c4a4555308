"""Redemption rules under real concurrency, on PostgreSQL.

Each worker is a thread with its own app context (so its own session and connection),
released together by a threading.Barrier; workers call the same service the view calls
(`portal.perks.vouchers.redeem_perk`), and one scenario goes through the HTTP view with a
Flask test client per thread. After every scenario `flask points verify` must be clean.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.perks.models import Perk, Redemption
from portal.perks.services import PerkError
from portal.perks.vouchers import cancel_redemption, fulfil_voucher, redeem_perk
from portal.points.models import LedgerEntry, LedgerKind
from portal.points.services import credit
from tests import factories
from tests.conftest import log_in
from tests.support.race import assert_points_verify_clean as assert_verify_clean
from tests.support.race import migrated_postgres_app, race

pytestmark = pytest.mark.postgres



@pytest.fixture
def pg_app(tmp_path, postgres_server):
    with migrated_postgres_app(tmp_path, postgres_server, "perks") as app:
        yield app


def run_together(app, count: int, work: Callable[[int], object]) -> tuple[list[object], float]:
    outcome = race(app, count, work, refusal=PerkError)
    return outcome.results, outcome.seconds


def make_members(count: int, balance: int) -> list[int]:
    ids = []
    for _ in range(count):
        user = factories.make_member()
        credit(user, balance, kind=LedgerKind.EARN, reason="Welcome bonus",
               idempotency_key=f"setup:{user.id}")
        ids.append(user.id)
    db.session.commit()
    return ids


def make_perk(**fields) -> int:
    perk = factories.make_perk(**fields)
    db.session.commit()
    return perk.id


def redeem(member_id: int, perk_id: int, nonce: str) -> str:
    """What the view does, in the worker's own session."""
    member = db.session.get(User, member_id)
    perk = db.session.get(Perk, perk_id)
    _redemption, created = redeem_perk(member, perk, nonce=nonce)
    return "redeemed" if created else "replayed"


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def redeem_debits(perk_id: int | None = None) -> int:
    return count(LedgerEntry, LedgerEntry.kind == LedgerKind.REDEEM.value)


@pytest.mark.parametrize("run", range(3))
def test_last_unit_goes_to_exactly_one_of_fifty_members(pg_app, run):
    members = make_members(50, 500)
    perk_id = make_perk(cost=100, stock=1)

    results, seconds = run_together(
        pg_app, 50, lambda i: redeem(members[i], perk_id, f"last-unit-{run}-{i:03d}-nonce"))

    assert Counter(results) == {"redeemed": 1, "OutOfStock": 49}, results
    db.session.expire_all()
    assert db.session.get(Perk, perk_id).stock == 0
    assert count(Redemption) == 1 and redeem_debits() == 1
    winner = members[results.index("redeemed")]
    assert db.session.get(User, winner).points_balance == 400
    assert db.session.scalar(select(func.sum(User.points_balance))) == 50 * 500 - 100
    assert_verify_clean(pg_app)
    print(f"\n50 members, 1 unit: 1 redeemed, 49 out of stock in {seconds:.2f}s")


@pytest.mark.parametrize("run", range(3))
def test_one_member_whose_balance_covers_one_redemption(pg_app, run):
    [member] = make_members(1, 100)
    perk_id = make_perk(cost=100, stock=None)

    results, seconds = run_together(
        pg_app, 20, lambda i: redeem(member, perk_id, f"overspend-{run}-{i:03d}-nonce"))

    assert Counter(results) == {"redeemed": 1, "NotEnoughPoints": 19}, results
    db.session.expire_all()
    assert db.session.get(User, member).points_balance == 0
    assert count(Redemption) == 1 and redeem_debits() == 1
    assert_verify_clean(pg_app)
    print(f"\n20 attempts, balance for 1: 1 redeemed, 19 refused in {seconds:.2f}s")


@pytest.mark.parametrize("run", range(3))
def test_per_member_limit_of_two_with_ten_attempts(pg_app, run):
    [member] = make_members(1, 10_000)
    perk_id = make_perk(cost=100, stock=50, per_member_limit=2)

    results, seconds = run_together(
        pg_app, 10, lambda i: redeem(member, perk_id, f"limit-{run}-{i:03d}-nonce"))

    assert Counter(results) == {"redeemed": 2, "LimitReached": 8}, results
    db.session.expire_all()
    assert db.session.get(Perk, perk_id).stock == 48
    assert db.session.get(User, member).points_balance == 10_000 - 200
    assert count(Redemption) == 2 and redeem_debits() == 2
    assert_verify_clean(pg_app)
    print(f"\n10 attempts, limit 2: 2 redeemed, 8 refused in {seconds:.2f}s")


def test_the_same_nonce_ten_times_at_once_redeems_once(pg_app):
    [member] = make_members(1, 1000)
    perk_id = make_perk(cost=100, stock=5)

    results, _seconds = run_together(
        pg_app, 10, lambda i: redeem(member, perk_id, "double-click-same-nonce-0001"))

    assert Counter(results) == {"redeemed": 1, "replayed": 9}, results
    db.session.expire_all()
    assert db.session.get(Perk, perk_id).stock == 4
    assert count(Redemption) == 1 and redeem_debits() == 1
    assert_verify_clean(pg_app)


def test_cancel_and_counter_use_race_for_one_voucher(pg_app):
    [member_id] = make_members(1, 1000)
    staff = factories.make_user("service")
    perk_id = make_perk(cost=300, stock=3)
    member = db.session.get(User, member_id)
    redemption, _ = redeem_perk(member, db.session.get(Perk, perk_id), nonce="race-voucher-nonce-01")
    db.session.commit()
    redemption_id, code, staff_id = redemption.id, redemption.voucher_code, staff.id

    def act(i):
        if i % 2:
            return fulfil_voucher(code, actor=db.session.get(User, staff_id)).status
        me = db.session.get(User, member_id)
        return cancel_redemption(me, db.session.get(Redemption, redemption_id)).status

    results, _seconds = run_together(pg_app, 10, act)

    winners = [r for r in results if r in ("used", "cancelled")]
    assert len(winners) == 1 and results.count("VoucherError") == 9, results
    db.session.expire_all()
    final = db.session.get(Redemption, redemption_id)
    assert final.status == winners[0]
    refunds = count(LedgerEntry, LedgerEntry.kind == LedgerKind.REFUND.value)
    assert refunds == (1 if final.status == "cancelled" else 0)
    assert db.session.get(Perk, perk_id).stock == (3 if final.status == "cancelled" else 2)
    assert_verify_clean(pg_app)


def test_last_unit_through_the_http_view(pg_app):
    """Twenty members press "Confirm" at once on the real view (a test client per thread)."""
    members = make_members(20, 500)
    perk_id = make_perk(cost=100, stock=1, ends_at=utcnow() + timedelta(days=1))
    clients, forms = [], []
    for member_id in members:
        client = pg_app.test_client()
        log_in(client, db.session.get(User, member_id))
        page = client.get(f"/perks/{perk_id}/redeem").get_data(as_text=True)
        nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"', page).group(1)
        clients.append(client)
        forms.append({"nonce": nonce, "cost": "100"})
    barrier = threading.Barrier(len(members), timeout=30)
    statuses: list[int] = [0] * len(members)
    bodies: list[str] = [""] * len(members)

    def press(i):
        barrier.wait()
        response = clients[i].post(f"/perks/{perk_id}/redeem", data=forms[i])
        statuses[i], bodies[i] = response.status_code, response.get_data(as_text=True)

    threads = [threading.Thread(target=press, args=(i,)) for i in range(len(members))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)

    assert Counter(statuses) == {302: 1, 409: 19}, statuses
    assert all("Sorry, this perk is out of stock." in body
               for status, body in zip(statuses, bodies, strict=True) if status == 409)
    db.session.expire_all()
    assert db.session.get(Perk, perk_id).stock == 0
    assert count(Redemption) == 1 and redeem_debits() == 1
    assert_verify_clean(pg_app)
