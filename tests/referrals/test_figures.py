"""The dashboard's referral figures: the share of purchases by referred buyers per
development and year (from the report's query), and the funnel."""

from __future__ import annotations

from datetime import date

from portal.core.figures import Period
from portal.referrals import figures
from portal.referrals.models import ReferralStatus
from tests import factories
from tests.referrals.helpers import make_referral, selling_unit

PERIOD = Period(date(2025, 1, 1), date(2026, 6, 30))


def _buyer(development: str, purchased_on: date):
    ownership = factories.make_ownership(factories.make_member(), unit=selling_unit(development))
    ownership.purchased_on = purchased_on
    return ownership


def test_referred_share_per_development_and_year(db, english):
    for day in (date(2025, 3, 1), date(2025, 4, 1), date(2026, 2, 1)):
        _buyer("Jade Lake", day)
    referred = make_referral(status=ReferralStatus.REWARDED.value)
    referred.ownership_id = _buyer("Jade Lake", date(2025, 5, 1)).id
    _buyer("Cloud Peak", date(2026, 1, 5))
    rows = [tuple(str(v) if not isinstance(v, int | float | type(None)) else v for v in row)
            for row in figures.referred_purchase_share(PERIOD).rows]
    # Jade Lake 2025: 1 referred of 3 → 33.3 %; 2026: 0 of 1; Cloud Peak 2026: 0 of 1.
    assert rows == [("Cloud Peak", "2026", 0, 1, 0.0), ("Jade Lake", "2025", 1, 3, 33.3),
                    ("Jade Lake", "2026", 0, 1, 0.0), ("All developments", "", 1, 5, 20.0)]
    jade = Period(PERIOD.start, PERIOD.end, referred.ownership.unit.building.development_id)
    assert figures.referred_purchase_share(jade).rows[-1][2:] == (1, 4, 25.0)
    assert len(figures.referral_funnel(PERIOD).rows) == 18
