"""Homes linked by staff on PostgreSQL with real concurrent connections (issue 14)."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from portal.accounts.models import Ownership, OwnershipStatus, Unit, User
from portal.accounts.services import AccountError, link_unit
from portal.extensions import db
from tests import factories
from tests.support.race import in_background, lock_waiters, member_locked, migrated_postgres_app

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(tmp_path, postgres_server):
    with migrated_postgres_app(tmp_path, postgres_server, "homes") as app:
        yield app


def test_two_staff_linking_one_unit_to_one_member_at_once_link_it_once(pg_app):
    """Both looked and found no ownership; both insert one. Made to collide: the test holds
    the member's row, so each insert waits at its foreign key check until both are there.
    The second is told the member already owns the unit (it was a UniqueViolation: a 500)."""
    member = factories.make_member()
    unit = factories.make_unit("Jade Lake", "1", "101")
    staff = [factories.make_user("service") for _ in range(2)]
    db.session.commit()
    ids = (member.id, unit.id)

    def link(staff_id: int) -> str:
        link_unit(db.session.get(User, ids[0]), db.session.get(Unit, ids[1]), db.session.get(User, staff_id),
                  contract_number="C-101")
        return "linked"

    with member_locked(member.id, "FOR UPDATE"):
        attempts = [in_background(pg_app, lambda s=s.id: link(s)) for s in staff]
        lock_waiters(2)
    outcomes = []
    for attempt in attempts:
        try:
            outcomes.append(attempt.result(timeout=30))
        except AccountError as error:
            with force_locale("en"):
                outcomes.append(str(error))
    assert sorted(outcomes) == ["This member already owns this unit.", "linked"], outcomes
    rows = db.session.scalars(select(Ownership).where(Ownership.user_id == member.id)).all()
    assert [(row.unit_id, row.status) for row in rows] == [(unit.id, OwnershipStatus.VERIFIED.value)]
    assert db.session.scalar(select(func.count()).select_from(Ownership)) == 1
