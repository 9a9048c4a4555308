"""The dashboard's partner figures on the hand-computed data set (tests/partners/conftest.py)."""

from __future__ import annotations

from datetime import date

from portal.core.figures import Period
from portal.partners import figures
from tests.partners.helpers import make_contract, make_organisation

JAN_FEB = Period(date(2026, 1, 1), date(2026, 2, 28))


def test_partner_performance_side_by_side(data, english):
    rows = figures.partner_performance(JAN_FEB).rows
    # A: 4 complaints (3 + 1), 3 repairs → 75 %; monthly medians 30 h and 10 h → 20 h;
    # ratings 4, 2, 5 → 3.67. B: 1 complaint, no repair, 6 h, not rated.
    assert rows == [("A", 4, 3, 75.0, 20.0, 3.67), ("B", 1, 0, 0.0, 6.0, None)]


def test_renewal_rate_in_the_period(db, english):
    organisation = make_organisation()
    make_contract(organisation, starts_on=date(2022, 1, 1), ends_on=date(2024, 6, 30), renewed=True)
    make_contract(organisation, starts_on=date(2022, 1, 1), ends_on=date(2024, 12, 31), renewed=False)
    make_contract(organisation, starts_on=date(2023, 1, 1), ends_on=date(2025, 3, 31), renewed=True)
    rows = figures.renewal_rate(Period(date(2024, 1, 1), date(2025, 12, 31))).rows
    assert rows == [("2024", 2, 1, 50.0), ("2025", 1, 1, 100.0)]
