"""The points rules under real concurrency, on PostgreSQL.

Each worker is a thread with its own app context (its own session and connection),
released together by a threading.Barrier. After each scenario `flask points verify`
must be clean. SQLite proves nothing here (it serialises writers).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.extensions import db
from portal.points import services
from portal.points.models import LedgerEntry, LedgerKind
from tests import factories
from tests.support.race import assert_points_verify_clean as assert_verify_clean
from tests.support.race import migrated_postgres_app, race

pytestmark = pytest.mark.postgres

WORKERS = 20


@pytest.fixture
def pg_app(tmp_path, postgres_server):
    with migrated_postgres_app(tmp_path, postgres_server, "points") as app:
        yield app  # the real migrations, append-only trigger included


def run_together(app, count: int, work: Callable[[int], object]) -> list[object]:
    return race(app, count, work, refusal=services.PointsError).results


def member(user_id: int) -> User:
    return db.session.get(User, user_id)


def total_points() -> int:
    return db.session.scalar(select(func.sum(User.points_balance)))


def ledger_rows(**where) -> int:
    query = select(func.count()).select_from(LedgerEntry)
    for name, value in where.items():
        query = query.where(getattr(LedgerEntry, name) == value)
    return db.session.scalar(query)


def make_members(balances: list[int]) -> list[int]:
    ids = []
    for index, balance in enumerate(balances):
        user = factories.make_member()
        if balance:
            services.credit(user, balance, kind=LedgerKind.EARN, reason="Welcome bonus",
                            idempotency_key=f"setup:{index}")
        ids.append(user.id)
    db.session.commit()
    return ids


@pytest.mark.parametrize("run", range(3))
def test_twenty_gifts_from_a_member_holding_one_gift(pg_app, run):
    sender, *recipients = make_members([100] + [0] * WORKERS)
    before = total_points()

    def give(i):
        services.gift(member(sender), member(recipients[i]), 100, nonce=f"run{run}-gift-{i:04d}-nonce")
        return "gift"

    results = run_together(pg_app, WORKERS, give)
    assert Counter(results) == {"gift": 1, "InsufficientPoints": WORKERS - 1}, results
    db.session.expire_all()
    assert member(sender).points_balance == 0
    assert sorted(member(r).points_balance for r in recipients) == [0] * (WORKERS - 1) + [100]
    assert total_points() == before == 100
    assert ledger_rows(kind="gift") == 2
    assert_verify_clean(pg_app)


def test_crossed_gifts_do_not_deadlock(pg_app):
    """Half give A→B while the other half give B→A: rows are locked lowest id first."""
    a, b = make_members([1000, 1000])

    def give(i):
        sender, recipient = (a, b) if i % 2 else (b, a)
        services.gift(member(sender), member(recipient), 100, nonce=f"cross-gift-{i:04d}-nonce")
        return "gift"

    results = run_together(pg_app, WORKERS, give)
    assert Counter(results) == {"gift": WORKERS}, results
    db.session.expire_all()
    assert (member(a).points_balance, member(b).points_balance) == (1000, 1000)
    assert ledger_rows(kind="gift") == 2 * WORKERS
    assert_verify_clean(pg_app)


def test_daily_gift_cap_holds_under_concurrency(pg_app):
    pg_app.config["POINTS_GIFT_DAILY_CAP"] = 500
    sender, recipient = make_members([10_000, 0])

    def give(i):
        services.gift(member(sender), member(recipient), 100, nonce=f"cap-gift-{i:04d}-nonce")
        return "gift"

    results = run_together(pg_app, WORKERS, give)
    assert Counter(results) == {"gift": 5, "PointsError": WORKERS - 5}, results
    db.session.expire_all()
    assert member(recipient).points_balance == 500
    assert_verify_clean(pg_app)


@pytest.mark.parametrize("run", range(3))
def test_twenty_debits_by_a_member_whose_balance_covers_one(pg_app, run):
    (spender,) = make_members([100])

    def spend(i):
        services.debit(member(spender), 100, kind=LedgerKind.REDEEM, reason="Perk",
                       idempotency_key=f"perk-redeem:{run}:{i}")
        return "debit"

    results = run_together(pg_app, WORKERS, spend)
    assert Counter(results) == {"debit": 1, "InsufficientPoints": WORKERS - 1}, results
    db.session.expire_all()
    assert member(spender).points_balance == 0
    assert ledger_rows(kind="redeem") == 1
    assert_verify_clean(pg_app)


def test_one_idempotency_key_replayed_from_ten_threads(pg_app):
    (earner,) = make_members([0])

    def grant(_i):
        entry = services.credit(member(earner), 500, kind=LedgerKind.CAMPAIGN, reason="Campaign",
                                idempotency_key=f"campaign:3:member:{earner}")
        return entry.id

    results = run_together(pg_app, 10, grant)
    assert len(set(results)) == 1 and isinstance(results[0], int), results
    db.session.expire_all()
    assert ledger_rows(idempotency_key=f"campaign:3:member:{earner}") == 1
    assert (member(earner).points_balance, member(earner).points_lifetime) == (500, 500)
    assert_verify_clean(pg_app)


def test_one_debit_key_replayed_from_ten_threads(pg_app):
    (spender,) = make_members([1000])

    def spend(_i):
        entry = services.debit(member(spender), 300, kind=LedgerKind.REDEEM, reason="Perk",
                               idempotency_key="perk-redeem:same-nonce")
        return entry.id

    results = run_together(pg_app, 10, spend)
    assert len(set(results)) == 1 and isinstance(results[0], int), results
    db.session.expire_all()
    assert member(spender).points_balance == 700
    assert ledger_rows(kind="redeem") == 1
    assert_verify_clean(pg_app)


def test_mixed_credits_debits_and_clawbacks_lose_no_update(pg_app):
    (busy,) = make_members([100])

    def act(i):
        user = member(busy)
        if i % 3 == 0:
            services.credit(user, 10, kind=LedgerKind.CAMPAIGN, reason="c", idempotency_key=f"c{i}")
        elif i % 3 == 1:
            services.debit(user, 10, kind=LedgerKind.REDEEM, reason="d", idempotency_key=f"d{i}")
        else:
            services.clawback(user, 10, kind=LedgerKind.REFERRAL, reason="r", idempotency_key=f"r{i}")
        return "ok"

    results = run_together(pg_app, 21, act)
    assert Counter(results) == {"ok": 21}, results
    db.session.expire_all()
    assert member(busy).points_balance == 100 + 70 - 70 - 70
    assert_verify_clean(pg_app)


def test_expiry_job_and_debits_at_once(pg_app):
    """The expiry job and live debits lock the same member rows; the lots stay consistent."""
    from datetime import timedelta

    from portal.core.timeutil import utcnow
    from portal.points.services.expiry import expire_for_members

    pg_app.config["POINTS_EXPIRY_MONTHS"] = 1
    ids = make_members([100] * 5)
    pg_app.config["POINTS_EXPIRY_MONTHS"] = 24
    for index, user_id in enumerate(ids):
        services.credit(member(user_id), 100, kind=LedgerKind.EARN, reason="x",
                        idempotency_key=f"long:{index}")
    db.session.commit()
    later = utcnow() + timedelta(days=45)

    def act(i):
        if i == 0:
            return expire_for_members(ids, later)
        services.debit(member(ids[i % 5]), 30, kind=LedgerKind.REDEEM, reason="d",
                       idempotency_key=f"d{i}")
        return "debit"

    results = run_together(pg_app, 11, act)
    assert results.count("debit") == 10, results
    db.session.expire_all()
    assert_verify_clean(pg_app)
    # Whatever the order, each member kept 200 - 60 - what expired, and never went below 0.
    for user_id in ids:
        expired = -(db.session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
            LedgerEntry.member_id == user_id, LedgerEntry.kind == "expire")))
        assert member(user_id).points_balance == 200 - 60 - expired
        assert expired <= 100


def test_the_ledger_is_append_only_on_postgres(pg_app):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    make_members([100])
    for statement in ("UPDATE points_ledger SET amount = 5", "DELETE FROM points_ledger"):
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
    assert ledger_rows() == 1
