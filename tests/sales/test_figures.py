"""The dashboard's sales figures on purchases imported through the real import."""

from __future__ import annotations

from datetime import date

from portal.core.figures import Period
from portal.sales import figures
from tests import factories
from tests.referrals.helpers import make_referral
from tests.sales.helpers import confirm, sale, units, uploaded_batch


def test_referred_share_per_development_and_year_and_by_month(client, staff, db, english):
    units(3)
    units(1, development="Cloud Peak")
    make_referral(invitee=factories.make_member(email="friend@example.com"), days_ago=400)
    rows = [sale(1, signed_on="2025-03-02"),
            sale(2, signed_on="2025-11-20", buyer_email="friend@example.com"),
            sale(3, signed_on="2026-01-10"),
            sale(4, unit="101", development="Cloud Peak", signed_on="2026-01-15")]
    assert confirm(client, uploaded_batch(client, rows), valid_only=True).status_code == 302
    period = Period(date(2025, 1, 1), date(2026, 1, 31))
    shares = [tuple(str(v) if not isinstance(v, int | float | type(None)) else v for v in row)
              for row in figures.referred_share(period).rows]
    # Jade Lake 2025: 1 referred of 2 → 50 %; 2026: 0 of 1; Cloud Peak 2026: 0 of 1; all: 1 of 4.
    assert shares == [("Cloud Peak", "2026", 0, 1, 0.0), ("Jade Lake", "2025", 1, 2, 50.0),
                      ("Jade Lake", "2026", 0, 1, 0.0), ("All developments", "", 1, 4, 25.0)]
    by_month = {row[0]: row[1:] for row in figures.purchases_by_month(period).rows}
    assert len(by_month) == 13 and by_month["2026-01"] == (2, 0, 0.0) and by_month["2025-11"] == (1, 1, 100.0)
