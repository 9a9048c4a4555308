"""`staff_with`: the active accounts whose role has a staff permission, found through the
partial index of non-members rather than a scan of every member."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select, text

from portal.accounts.models import User
from portal.accounts.permissions import P, Role
from portal.accounts.services import staff_with
from tests import factories


def test_staff_with_a_permission_are_the_active_accounts_of_the_roles_that_have_it(db):
    service = factories.make_user(Role.SERVICE, display_name="Ada")
    admin = factories.make_user(Role.ADMIN, display_name="Bo")
    factories.make_user(Role.SERVICE, is_active_account=False)
    factories.make_user(Role.MARKETING)
    factories.make_user(Role.PARTNER)
    factories.make_member()
    db.session.flush()
    handlers = list(db.session.scalars(staff_with(P.HANDLE_COMPLAINTS)))
    assert set(handlers) == {service, admin}
    assert list(db.session.scalars(staff_with(P.MANAGE_SETTINGS))) == [admin]


def test_a_permission_members_have_is_refused():
    with pytest.raises(ValueError, match="not a staff permission"):
        staff_with(P.POST_FORUM)


# The statistics ANALYZE writes for the users of a club of 100,000 members and one admin
# (bench/'s seed): half the rows per role, by which the role index looks worse than a scan.
CLUB_STATISTICS = {
    "ix_users_non_members": "1 1 1",
    "ix_users_role_active_created": "100001 50001 50001 111",
    "ix_users_phone": "100001 100001",
    "ix_users_created_at": "100001 111",
    "sqlite_autoindex_users_1": "100001 1",  # the e-mail's UNIQUE
}


def test_sqlite_plan_reads_the_non_members_index_where_statistics_say_scan(db, tmp_path):
    # A database of its own: loaded statistics outlive a rolled-back transaction.
    engine = create_engine(f"sqlite:///{tmp_path / 'plan.db'}")
    db.metadata.create_all(engine, tables=[User.__table__])
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
        connection.execute(text("DELETE FROM sqlite_stat1"))
        for index, stat in CLUB_STATISTICS.items():
            connection.execute(text("INSERT INTO sqlite_stat1 VALUES ('users', :index, :stat)"),
                               {"index": index, "stat": stat})
        connection.execute(text("ANALYZE sqlite_schema"))  # load them

        def plan(statement) -> list[str]:
            compiled = statement.compile(engine, compile_kwargs={"literal_binds": True})
            return [row[-1] for row in connection.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))]

        roles = [Role.SERVICE.value, Role.ADMIN.value]
        by_role_alone = select(User).where(User.role.in_(roles), User.is_active_account)
        assert plan(by_role_alone.order_by(User.display_name))[0] == "SCAN users"
        assert plan(staff_with(P.HANDLE_COMPLAINTS)) == ["SCAN users USING INDEX ix_users_non_members"]
    engine.dispose()
