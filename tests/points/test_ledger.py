"""The one ledger write (`post`) behind credit, debit and refund; the errors' one base;
the adjustment e-mail queued by the service and sent only after the commit."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from portal.core.errors import DomainError
from portal.core.timeutil import utcnow
from portal.points import services
from portal.points.errors import InsufficientPoints, PointsError, RecipientError
from portal.points.models import LedgerEntry, LedgerKind
from tests.factories import make_member, make_user


def test_points_errors_derive_from_the_one_domain_error():
    for error in (PointsError, InsufficientPoints, RecipientError):
        assert issubclass(error, DomainError)
    assert services.PointsError is PointsError  # still importable where callers catch it
    assert PointsError("x").field == "amount" and RecipientError("x").field == "email"


def test_post_credits_and_debits_by_sign(db):
    member = make_member()
    credit = services.post(member, 300, kind=LedgerKind.EARN, reason="x", idempotency_key="p:1")
    debit = services.post(member, -100, kind=LedgerKind.REDEEM, reason="x", idempotency_key="p:2")
    assert (credit.amount, debit.amount) == (300, -100)
    assert (member.points_balance, member.points_lifetime) == (200, 300)
    with pytest.raises(InsufficientPoints):
        services.post(member, -201, kind=LedgerKind.REDEEM, reason="x", idempotency_key="p:3")
    assert services.find_differences() == []


@pytest.mark.parametrize("amount", [0, 1.5, True, None, "5", 10_000_001, -10_000_001])
def test_post_refuses_amounts_that_are_not_whole_points(db, amount):
    with pytest.raises(PointsError):
        services.post(make_member(), amount, kind=LedgerKind.EARN, reason="x", idempotency_key="k")


def test_credit_and_debit_take_positive_amounts_only(db):
    """The sign belongs to the name: credit(-5) is refused, never a silent debit."""
    member = make_member()
    services.credit(member, 100, kind=LedgerKind.EARN, reason="x", idempotency_key="c")
    with pytest.raises(PointsError):
        services.credit(member, -5, kind=LedgerKind.EARN, reason="x", idempotency_key="c2")
    with pytest.raises(PointsError):
        services.debit(member, -5, kind=LedgerKind.REDEEM, reason="x", idempotency_key="d2")
    assert member.points_balance == 100


def test_a_credit_dated_in_the_past_expires_from_that_date(db):
    member = make_member()
    earned_at = utcnow() - timedelta(days=700)
    entry = services.credit(member, 100, kind=LedgerKind.EARN, reason="x", idempotency_key="old",
                            earned_at=earned_at)
    assert entry.created_at == earned_at
    assert entry.expires_at == services.add_months(earned_at, 24)
    with pytest.raises(ValueError):
        services.post(member, -10, kind=LedgerKind.REDEEM, reason="x", idempotency_key="d",
                      earned_at=earned_at)


def test_refund_is_a_credit_of_kind_refund(db):
    member = make_member()
    entry = services.refund(member, 40, reason="Voucher cancelled", idempotency_key="r")
    assert (entry.kind, member.points_balance, member.points_lifetime) == ("refund", 40, 0)


def test_ledger_kinds_carry_their_labels(app):
    with app.test_request_context("/?lang=zh_Hant"), force_locale("zh_Hant"):
        assert services.kind_label("gift") == LedgerKind.GIFT.label
        assert services.kind_label("no-such-kind") == "no-such-kind"
    assert LedgerKind("earn") is LedgerKind.EARN and LedgerKind.EARN == "earn"


# --- the adjustment e-mail: queued by the service, sent after the commit -------------------------

def _adjust(member, admin, nonce="n1", amount=250):
    return services.adjust(member, amount, note="Missed reward", actor=admin, nonce=nonce)


def test_adjustment_email_is_sent_after_the_commit_only(db, caplog):
    caplog.set_level(logging.INFO, logger="portal.notifications.services")
    admin, member = make_user("admin"), make_member(email="chan@example.com")
    _adjust(member, admin)
    assert "e-mail to" not in caplog.text  # queued, not sent
    db.session.commit()
    assert "e-mail to chan@example.com" in caplog.text
    assert "Your balance is now 250 points." in caplog.text


def test_rolled_back_adjustment_sends_no_email(db, caplog):
    caplog.set_level(logging.INFO, logger="portal.notifications.services")
    admin, member = make_user("admin"), make_member()
    _adjust(member, admin)
    db.session.rollback()
    db.session.commit()
    assert "e-mail to" not in caplog.text
    assert db.session.scalar(select(LedgerEntry)) is None


def test_a_replayed_adjustment_sends_no_second_email(db, caplog):
    caplog.set_level(logging.INFO, logger="portal.notifications.services")
    admin, member = make_user("admin"), make_member()
    _adjust(member, admin)
    db.session.commit()
    assert not _adjust(member, admin).created
    db.session.commit()
    assert caplog.text.count("e-mail to") == 1


def test_a_refused_adjustment_sends_nothing(db, caplog):
    caplog.set_level(logging.INFO, logger="portal.notifications.services")
    admin, member = make_user("admin"), make_member()
    with pytest.raises(InsufficientPoints):
        _adjust(member, admin, amount=-10)
    db.session.commit()
    assert "e-mail to" not in caplog.text
