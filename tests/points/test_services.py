"""The points service: balances, idempotency, lots and the ledger's invariants."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from portal.audit.models import AuditEntry
from portal.notifications.models import Notification
from portal.points import services
from portal.points.models import LedgerEntry, LedgerKind, PointsLot
from portal.points.services import (
    InsufficientPoints,
    PointsError,
    add_months,
    adjust,
    clawback,
    credit,
    debit,
    find_differences,
    gift,
    refund,
)
from tests.factories import make_member, make_user


def ledger_rows(db, member) -> list[LedgerEntry]:
    return list(db.session.scalars(select(LedgerEntry).where(LedgerEntry.member_id == member.id)
                                   .order_by(LedgerEntry.id)))


def lots(db, member) -> list[tuple[int, int]]:
    return [tuple(row) for row in db.session.execute(
        select(PointsLot.amount, PointsLot.remaining).where(PointsLot.member_id == member.id)
        .order_by(PointsLot.id))]


def earn(member, amount, key, kind=LedgerKind.EARN):
    return credit(member, amount, kind=kind, reason="Welcome bonus", idempotency_key=key)


def test_credit_raises_balance_and_lifetime(db):
    member = make_member()
    entry = credit(member, 500, kind=LedgerKind.EARN, reason="Purchase reward %(ref)s",
                   reason_params={"ref": "A-1"}, idempotency_key="t:1", source=member)
    assert (member.points_balance, member.points_lifetime) == (500, 500)
    db.session.commit()
    db.session.expire_all()
    assert (member.points_balance, member.points_lifetime) == (500, 500)
    assert (entry.amount, entry.kind, entry.reason_params) == (500, "earn", {"ref": "A-1"})
    assert (entry.source_type, entry.source_id) == ("users", member.id)
    assert entry.expires_at == add_months(entry.created_at, 24)
    assert lots(db, member) == [(500, 500)]


def test_refund_and_gift_do_not_count_as_lifetime_earned(db):
    member = make_member()
    refund(member, 300, reason="Voucher cancelled", idempotency_key="t:refund")
    earn(member, 200, "t:gift", kind=LedgerKind.GIFT)
    assert (member.points_balance, member.points_lifetime) == (500, 0)
    assert find_differences() == []


def test_replaying_a_credit_returns_the_first_entry_and_changes_nothing(db):
    member = make_member()
    first = earn(member, 100, "campaign:3:member:1")
    again = credit(member, 999, kind=LedgerKind.CAMPAIGN, reason="other",
                   idempotency_key="campaign:3:member:1")
    assert again.id == first.id and again.amount == 100
    assert member.points_balance == 100
    assert len(ledger_rows(db, member)) == 1


def test_debit_takes_points_and_refuses_to_go_below_zero(db):
    member = make_member()
    earn(member, 100, "t:earn")
    entry = debit(member, 60, kind=LedgerKind.REDEEM, reason="Perk", idempotency_key="t:d1")
    assert entry.amount == -60 and member.points_balance == 40 and member.points_lifetime == 100
    with pytest.raises(InsufficientPoints) as error, force_locale("en"):
        debit(member, 41, kind=LedgerKind.REDEEM, reason="Perk", idempotency_key="t:d2")
    with force_locale("en"):
        assert str(error.value) == "Not enough points: this needs 41."
    db.session.commit()
    db.session.expire_all()
    assert member.points_balance == 40
    assert [row.amount for row in ledger_rows(db, member)] == [100, -60]
    assert services.find_entry("t:d2") is None


def test_debit_replay_returns_first_entry_even_when_balance_is_now_short(db):
    member = make_member()
    earn(member, 100, "t:earn")
    first = debit(member, 100, kind=LedgerKind.REDEEM, reason="Perk", idempotency_key="perk-redeem:n1")
    again = debit(member, 100, kind=LedgerKind.REDEEM, reason="Perk", idempotency_key="perk-redeem:n1")
    assert again.id == first.id and member.points_balance == 0


def test_concurrent_replay_unique_violation_rolls_back_and_returns_first(db, monkeypatch):
    """The look-up misses (as when another transaction is inserting the same key): the insert
    fails on the unique key inside the savepoint and nothing of the second call remains."""
    member = make_member()
    first = earn(member, 100, "t:race")
    db.session.commit()
    real_find = services.find_entry
    calls = []

    def miss_first_time(key):
        calls.append(key)
        return None if len(calls) == 1 else real_find(key)

    monkeypatch.setattr(services.ledger, "find_entry", miss_first_time)
    again = earn(member, 100, "t:race")
    assert again.id == first.id and len(calls) == 2
    db.session.commit()
    db.session.expire_all()
    assert member.points_balance == 100 and lots(db, member) == [(100, 100)]
    assert find_differences() == []


def test_other_integrity_errors_are_not_taken_for_replays(db):
    class Ghost:
        id = 987654

    with pytest.raises(IntegrityError):
        credit(Ghost(), 10, kind=LedgerKind.EARN, reason="x", idempotency_key="t:ghost")


@pytest.mark.parametrize("amount", [0, -1, 1.5, True, "10", None, 10_000_001])
def test_amounts_must_be_positive_whole_numbers(db, amount):
    member = make_member()
    with pytest.raises(PointsError):
        earn(member, amount, "t:bad")
    with pytest.raises(PointsError):
        debit(member, amount, kind=LedgerKind.REDEEM, reason="x", idempotency_key="t:bad")
    assert ledger_rows(db, member) == []


@pytest.mark.parametrize("key", ["", None, "k" * 161])
def test_idempotency_key_is_required(db, key):
    with pytest.raises(ValueError):
        earn(make_member(), 10, key)


def test_debits_consume_the_soonest_expiring_points_first(app, db):
    member = make_member()
    earn(member, 100, "t:long")  # 24 months
    app.config["POINTS_EXPIRY_MONTHS"] = 0
    earn(member, 100, "t:never")
    app.config["POINTS_EXPIRY_MONTHS"] = 1
    earn(member, 100, "t:short")
    debit(member, 150, kind=LedgerKind.REDEEM, reason="x", idempotency_key="t:d")
    assert lots(db, member) == [(100, 50), (100, 100), (100, 0)]
    debit(member, 100, kind=LedgerKind.REDEEM, reason="x", idempotency_key="t:d2")
    assert lots(db, member) == [(100, 0), (100, 50), (100, 0)]
    assert find_differences() == []


def test_clawback_takes_what_is_there_and_reports_the_shortfall(db):
    member = make_member()
    earn(member, 50, "t:earn")
    entry, short = clawback(member, 80, kind=LedgerKind.REFERRAL, reason="Referral cancelled",
                            idempotency_key="referral:1:referrer:clawback")
    assert (entry.amount, short, member.points_balance) == (-50, 30, 0)
    again, short_again = clawback(member, 80, kind=LedgerKind.REFERRAL, reason="x",
                                  idempotency_key="referral:1:referrer:clawback")
    assert again.id == entry.id and short_again == 30
    assert clawback(member, 20, kind=LedgerKind.REFERRAL, reason="x",
                    idempotency_key="referral:2:referrer:clawback") == (None, 20)
    entry, short = clawback(make_member(), 10, kind=LedgerKind.REFERRAL, reason="x",
                            idempotency_key="referral:3:referrer:clawback")
    assert entry is None and short == 10


def test_clawback_of_less_than_the_balance_takes_all_of_it(db):
    member = make_member()
    earn(member, 500, "t:earn")
    entry, short = clawback(member, 200, kind=LedgerKind.REFERRAL, reason="x", idempotency_key="c")
    assert (entry.amount, short, member.points_balance, member.points_lifetime) == (-200, 0, 300, 500)


# --- gifts -------------------------------------------------------------------------------------


def test_gift_moves_points_between_members(db):
    sender, recipient = make_member(display_name="Ann"), make_member(display_name="Bob")
    earn(sender, 1000, "t:earn")
    out = gift(sender, recipient, 300, nonce="n1")
    assert (out.amount, out.kind, out.reason_params) == (-300, "gift", {"name": "Bob"})
    assert (sender.points_balance, recipient.points_balance) == (700, 300)
    assert recipient.points_lifetime == 0  # pooling points does not lift anyone's tier
    incoming = services.find_entry(f"gift:{sender.id}:n1:in")
    assert (incoming.member_id, incoming.amount, incoming.reason_params) == (recipient.id, 300,
                                                                            {"name": "Ann"})
    note = db.session.scalar(select(Notification).where(Notification.user_id == recipient.id))
    assert note.params == {"name": "Ann", "points": 300}
    # A double submit (same form nonce) gifts once.
    assert gift(sender, recipient, 300, nonce="n1").id == out.id
    assert (sender.points_balance, recipient.points_balance) == (700, 300)
    assert find_differences() == []


@pytest.mark.parametrize(("amount", "message"), [
    (99, "A gift is at least 100 points."),
    (2000, "Not enough points: this needs 2,000."),
    (0, "Enter a whole number of points between 1 and 10,000,000."),
])
def test_gift_amount_rules(db, amount, message):
    sender, recipient = make_member(), make_member()
    earn(sender, 1000, "t:earn")
    with pytest.raises(PointsError) as error:
        gift(sender, recipient, amount, nonce="n")
    with force_locale("en"):
        assert str(error.value) == message
    assert len(ledger_rows(db, sender)) == 1 and ledger_rows(db, recipient) == []


def test_gift_recipient_rules(db):
    sender = make_member()
    earn(sender, 1000, "t:earn")
    with force_locale("en"):
        for recipient, message in [
            (None, "There is no member with this email."),
            (make_user("partner"), "There is no member with this email."),
            (make_member(is_active_account=False), "There is no member with this email."),
            (sender, "You cannot gift points to yourself."),
        ]:
            with pytest.raises(PointsError) as error:
                gift(sender, recipient, 100, nonce="n")
            assert str(error.value) == message
    assert sender.points_balance == 1000


def test_gift_daily_cap_per_sender(app, db):
    app.config["POINTS_GIFT_DAILY_CAP"] = 500
    sender, recipient = make_member(), make_member()
    earn(sender, 5000, "t:earn")
    gift(sender, recipient, 300, nonce="a")
    with pytest.raises(PointsError) as error:
        gift(sender, recipient, 300, nonce="b")
    with force_locale("en"):
        assert str(error.value) == "You can gift at most 500 points in 24 hours; 200 left."
    gift(sender, recipient, 200, nonce="c")
    assert services.gifted_in_last_day(sender.id) == 500
    assert recipient.points_balance == 500


# --- adjustments -------------------------------------------------------------------------------


def test_adjust_adds_and_removes_with_audit_and_notification(db):
    admin, member = make_user("admin"), make_member()
    added = adjust(member, 250, note="Missed purchase reward", actor=admin, nonce="x1", ip="10.0.0.1")
    assert added.created and added.entry.amount == 250 and added.entry.actor_id == admin.id
    assert (member.points_balance, member.points_lifetime) == (250, 250)
    removed = adjust(member, -50, note="Duplicate", actor=admin, nonce="x2")
    assert removed.entry.amount == -50 and member.points_balance == 200
    replay = adjust(member, -50, note="Duplicate", actor=admin, nonce="x2")
    assert not replay.created and replay.entry.id == removed.entry.id
    audit = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(a.action, a.target_id, a.details["amount"], a.details["reason"]) for a in audit] == [
        ("points.adjust", member.id, 250, "Missed purchase reward"),
        ("points.adjust", member.id, -50, "Duplicate")]
    assert audit[0].ip == "10.0.0.1" and audit[1].details["balance_after"] == 200
    notes = db.session.scalars(select(Notification).where(Notification.user_id == member.id)
                               .order_by(Notification.id)).all()
    assert [n.kind for n in notes] == ["points_adjust", "points_adjust"]
    with force_locale("en"):
        assert services.render_reason(added.entry) == "Adjustment by the club: Missed purchase reward"


@pytest.mark.parametrize(("amount", "note", "message"), [
    (100, "  ", "Give a reason for the adjustment."),
    (0, "why", "Enter a whole number of points other than zero."),
    (1.5, "why", "Enter a whole number of points other than zero."),
    (-10_000_001, "why", "Enter a whole number of points between 1 and 10,000,000."),
    (-1, "why", "Not enough points: this needs 1."),
])
def test_adjust_rules(db, amount, note, message):
    admin, member = make_user("admin"), make_member()
    with pytest.raises(PointsError) as error:
        adjust(member, amount, note=note, actor=admin, nonce="n")
    with force_locale("en"):
        assert str(error.value) == message
    assert ledger_rows(db, member) == []
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


# --- the ledger's invariants -------------------------------------------------------------------


def test_the_ledger_is_append_only(db):
    member = make_member()
    earn(member, 10, "t:earn")
    db.session.commit()
    for statement in ("UPDATE points_ledger SET amount = 1000", "DELETE FROM points_ledger"):
        with pytest.raises(IntegrityError):
            db.session.execute(text(statement))
        db.session.rollback()
    assert db.session.scalar(select(LedgerEntry.amount)) == 10


def test_verify_is_clean_then_lists_each_member_that_differs(db, runner):
    good, bad, lots_off = make_member(), make_member(email="bad@example.com"), make_member()
    for index, member in enumerate((good, bad, lots_off)):
        earn(member, 100, f"t:{index}")
    debit(good, 30, kind=LedgerKind.REDEEM, reason="x", idempotency_key="t:d")
    db.session.commit()
    result = runner.invoke(args=["points", "verify"])
    assert result.exit_code == 0, result.output
    assert "match the ledger" in result.output

    db.session.execute(text("UPDATE users SET points_balance = 2000, points_lifetime = 5 "
                            "WHERE id = :id"), {"id": bad.id})
    db.session.execute(text("UPDATE points_lots SET remaining = 1 WHERE member_id = :id"),
                       {"id": lots_off.id})
    db.session.commit()
    result = runner.invoke(args=["points", "verify"])
    assert result.exit_code == 1
    assert f"member {bad.id} <bad@example.com>: balance 2000 vs ledger 100; lifetime 5 vs ledger 100" \
        in result.output
    assert f"member {lots_off.id} " in result.output and "unexpired lots 1" in result.output
    assert f"member {good.id} " not in result.output
    assert "2 member(s) and 0 monthly total(s) differ from the ledger." in result.output
    db.session.execute(text("UPDATE points_month_totals SET credits = credits + 1"))
    db.session.commit()
    result = runner.invoke(args=["points", "verify"])
    assert "monthly total(s) differ from the ledger." in result.output and ": totals (" in result.output


@pytest.mark.parametrize(("start", "months", "expected"), [
    (datetime(2024, 1, 31, 8), 1, datetime(2024, 2, 29, 8)),
    (datetime(2023, 1, 31), 1, datetime(2023, 2, 28)),
    (datetime(2024, 11, 15), 24, datetime(2026, 11, 15)),
    (datetime(2024, 12, 1), 13, datetime(2026, 1, 1)),
])
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected
