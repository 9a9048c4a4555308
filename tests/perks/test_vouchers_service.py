"""Redeeming without HTTP: a nonce that a parallel request committed first is a replay,
found after the unique violation, and the savepoint leaves nothing half-written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.perks import vouchers
from portal.perks.errors import NonceReused
from portal.perks.models import Perk, Redemption
from portal.points.services import find_differences
from tests.factories import make_member, make_perk
from tests.perks.helpers import fund


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context("/?lang=en"):
        yield


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_nonce_committed_meanwhile_is_a_replay_not_an_error(db, monkeypatch):
    member = make_member()
    fund(member, 1000)
    perk = make_perk(cost=100, stock=5)
    first, created = vouchers.redeem_perk(member, perk, nonce="n" * 32)
    db.session.commit()
    assert created
    real = vouchers._replayed
    calls = []

    def miss_first_time(*args):
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(vouchers, "_replayed", miss_first_time)
    again, created = vouchers.redeem_perk(member, perk, nonce="n" * 32)
    assert (again.id, created, len(calls)) == (first.id, False, 2)
    db.session.commit()
    db.session.expire_all()
    assert _count(db, Redemption) == 1 and db.session.get(Perk, perk.id).stock == 4
    assert member.points_balance == 900 and find_differences() == []


def test_another_members_nonce_after_a_unique_violation_is_refused(db, monkeypatch):
    owner, other = make_member(), make_member()
    fund(owner, 500)
    fund(other, 500)
    perk = make_perk(cost=100)
    vouchers.redeem_perk(owner, perk, nonce="m" * 32)
    db.session.commit()
    real = vouchers._replayed
    calls = []

    def miss_first_time(*args):
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(vouchers, "_replayed", miss_first_time)
    with pytest.raises(NonceReused):
        vouchers.redeem_perk(other, perk, nonce="m" * 32)
    db.session.commit()
    db.session.expire_all()
    assert other.points_balance == 500 and _count(db, Redemption) == 1
