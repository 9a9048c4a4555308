"""Points figures on a hand-made ledger: issued, redeemed net of refunds, expired, what is
outstanding, members by tier — also for one development."""

from __future__ import annotations

from datetime import date, datetime

from portal.core.figures import Period
from portal.points import figures
from portal.points import services as points
from portal.points.services import ledger
from tests import factories

PERIOD = Period(date(2026, 1, 1), date(2026, 3, 31))


def test_points_by_month_outstanding_and_tiers(db, english, monkeypatch):
    owner, other = factories.make_member(), factories.make_member()
    development_id = factories.make_ownership(owner).unit.building.development_id

    def on(when, write, member, amount, key, **kind):
        monkeypatch.setattr(ledger, "utcnow", lambda: when)  # the ledger is append-only
        write(member, amount, reason="x", idempotency_key=key, **kind)

    on(datetime(2026, 1, 5), points.credit, owner, 1000, "a", kind="earn")
    on(datetime(2026, 2, 5), points.credit, other, 300, "b", kind="campaign")
    on(datetime(2026, 2, 6), points.debit, owner, 400, "c", kind="redeem")
    on(datetime(2026, 2, 7), points.refund, owner, 100, "d")
    on(datetime(2026, 3, 1), points.debit, other, 50, "e", kind="expire")
    on(datetime(2025, 12, 31), points.credit, other, 999, "f", kind="earn")
    rows = figures.points_by_month(PERIOD).rows
    # Issued 1,000 (Jan) and 300 (Feb); redeemed 400 − 100 refunded; expired 50 in March.
    assert rows == [("2026-01", 1000, 0, 0), ("2026-02", 300, 300, 0), ("2026-03", 0, 0, 50)]
    in_development = Period(PERIOD.start, PERIOD.end, development_id)
    assert figures.points_by_month(in_development).rows[1] == ("2026-02", 0, 300, 0)
    # Balances now: owner 1000 − 400 + 100 = 700; other 300 − 50 + 999 = 1,249.
    assert [row[1] for row in figures.outstanding(PERIOD).rows] == [1949, 2]
    assert [row[1] for row in figures.outstanding(in_development).rows] == [700, 1]
    tiers = figures.members_by_tier(PERIOD).rows
    assert sum(count for _name, count in tiers) == 2
