"""Expiry: lots past their date become `expire` rows, oldest first, once."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import force_locale
from sqlalchemy import select

from portal.core.timeutil import utcnow
from portal.points.models import LedgerEntry, LedgerKind, PointsLot
from portal.points.services import credit, debit, find_differences, render_reason
from portal.points.services.expiry import expire_for_members, expiring_soon, members_with_due_lots
from tests.factories import make_member


def earn(member, amount, key):
    return credit(member, amount, kind=LedgerKind.EARN, reason="Welcome bonus", idempotency_key=key)


def expire_rows(db):
    return db.session.execute(
        select(LedgerEntry.member_id, LedgerEntry.amount, LedgerEntry.idempotency_key)
        .where(LedgerEntry.kind == "expire").order_by(LedgerEntry.id)).all()


def test_expire_takes_what_is_left_of_each_due_lot(app, db):
    member, other = make_member(), make_member()
    app.config["POINTS_EXPIRY_MONTHS"] = 1
    first = earn(member, 100, "a")
    earn(other, 40, "b")
    app.config["POINTS_EXPIRY_MONTHS"] = 24
    earn(member, 500, "c")
    debit(member, 30, kind=LedgerKind.REDEEM, reason="x", idempotency_key="d")  # from the 1-month lot
    later = utcnow() + timedelta(days=40)
    assert members_with_due_lots(later) == [member.id, other.id]
    assert expire_for_members([member.id, other.id], later) == (2, 110)
    lot_id = db.session.scalar(select(PointsLot.id).where(PointsLot.entry_id == first.id))
    assert expire_rows(db)[0] == (member.id, -70, f"expire:lot:{lot_id}")
    assert (member.points_balance, other.points_balance) == (500, 0)
    assert member.points_lifetime == 600  # expiry does not undo what was earned
    assert expire_for_members([member.id, other.id], later) == (0, 0)
    assert members_with_due_lots(later) == []
    assert find_differences() == []
    entry = db.session.scalar(select(LedgerEntry).where(LedgerEntry.kind == "expire"))
    with force_locale("en"):
        assert render_reason(entry) == f"Points earned on {first.created_at.date().isoformat()} expired"


def test_expire_command_runs_in_chunks_and_is_idempotent(app, db, runner):
    app.config["POINTS_EXPIRY_MONTHS"] = 1
    members = [make_member() for _ in range(5)]
    for index, member in enumerate(members):
        earn(member, 100 + index, f"k{index}")
    app.config["POINTS_EXPIRY_MONTHS"] = 0
    earn(members[0], 7, "never")
    db.session.commit()
    when = (utcnow() + timedelta(days=60)).isoformat()
    result = runner.invoke(args=["points", "expire", "--now", when, "--chunk", "2"])
    assert result.exit_code == 0, result.output
    assert "Expired 510 points in 5 ledger rows." in result.output
    result = runner.invoke(args=["points", "expire", "--now", when])
    assert "Expired 0 points in 0 ledger rows." in result.output
    db.session.expire_all()
    assert [m.points_balance for m in members] == [7, 0, 0, 0, 0]
    assert len(expire_rows(db)) == 5
    assert runner.invoke(args=["points", "verify"]).exit_code == 0


def test_expire_command_refuses_a_bad_date(runner):
    result = runner.invoke(args=["points", "expire", "--now", "tomorrow"])
    assert result.exit_code == 2 and "ISO date" in result.output


def test_nothing_is_due_today(db, runner):
    earn(make_member(), 100, "k")
    db.session.commit()
    result = runner.invoke(args=["points", "expire"])
    assert "Expired 0 points in 0 ledger rows." in result.output


def test_expiring_soon_lists_points_due_within_90_days(app, db):
    member = make_member()
    app.config["POINTS_EXPIRY_MONTHS"] = 2
    soon = earn(member, 100, "a")
    earn(member, 50, "b")
    app.config["POINTS_EXPIRY_MONTHS"] = 24
    earn(member, 1000, "c")
    debit(member, 30, kind=LedgerKind.REDEEM, reason="x", idempotency_key="d")
    result = expiring_soon(member.id)
    assert result.total == 120
    assert result.lots[0][0] == soon.expires_at and sum(p for _, p in result.lots) == 120
    assert expiring_soon(make_member().id).total == 0
