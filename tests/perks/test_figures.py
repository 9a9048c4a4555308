"""Perk figures: the most redeemed in the period (cancelled vouchers not counted) and the
perks running out of stock."""

from __future__ import annotations

from datetime import date, datetime

from portal.core.figures import Period
from portal.perks import figures
from tests import factories

PERIOD = Period(date(2026, 1, 1), date(2026, 1, 31))


def test_most_redeemed_and_running_out(db, english):
    member = factories.make_member()
    spa, dinner, gone = (factories.make_perk(title_en=t, stock=s) for t, s in
                         (("Spa", 3), ("Dinner", None), ("Old", 0)))
    gone.is_active = False
    in_january = datetime(2026, 1, 15)
    for _ in range(3):
        factories.make_redemption(member, dinner, created_at=in_january)
    factories.make_redemption(member, spa, created_at=in_january)
    factories.make_redemption(member, spa, created_at=in_january, status="cancelled", cancelled_at=in_january)
    factories.make_redemption(member, spa, created_at=datetime(2026, 2, 1))  # after the period
    assert figures.most_redeemed(PERIOD).rows == [("Dinner", 3), ("Spa", 1)]
    assert figures.running_out(PERIOD).rows == [("Spa", 3)]  # the inactive one is not listed
    assert figures.running_out_count(None) == 1
