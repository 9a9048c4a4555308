"""Membership figures on a hand-made set: members, verified homeowners, joined in the period
and by month, households — overall and for one development."""

from __future__ import annotations

from datetime import date, datetime

from portal.accounts import figures
from portal.core.figures import Period
from tests import factories

PERIOD = Period(date(2026, 1, 1), date(2026, 3, 31))


def test_member_totals_and_new_members_by_month(db, english):
    jade = factories.make_member(created_at=datetime(2026, 1, 10))
    factories.make_ownership(jade, factories.make_unit("Jade Lake"))
    pine = factories.make_member(created_at=datetime(2026, 3, 3))
    factories.make_ownership(pine, factories.make_unit("Pine Hill"))
    factories.make_ownership(factories.make_member(created_at=datetime(2025, 6, 1)),
                             factories.make_unit("Jade Lake"), verified=False)
    factories.make_member(created_at=datetime(2026, 3, 20), is_active_account=False)  # not counted
    factories.make_user("service", created_at=datetime(2026, 2, 1))  # staff: not counted
    totals = {str(label): count for label, count in figures.member_totals(PERIOD).rows}
    assert totals["Members"] == 3 and totals["Verified homeowners"] == 2
    assert totals["Joined in the period"] == 2
    assert figures.new_members_by_month(PERIOD).rows == [("2026-01", 1), ("2026-02", 0), ("2026-03", 1)]
    jade_lake = Period(PERIOD.start, PERIOD.end, jade.ownerships[0].unit.building.development_id)
    assert [count for _label, count in figures.member_totals(jade_lake).rows][:3] == [1, 1, 1]
    assert figures.verified_households() == 2 and figures.verified_households(jade_lake.development_id) == 1
    assert figures.homes_waiting(None) == 1
