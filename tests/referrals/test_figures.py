"""The dashboard's referral funnel: one row per month of the period."""

from __future__ import annotations

from datetime import date

from portal.core.figures import Period
from portal.referrals import figures
from tests.referrals.helpers import make_referral

PERIOD = Period(date(2025, 1, 1), date(2026, 6, 30))


def test_referral_funnel_has_every_month(db, english):
    make_referral()
    rows = figures.referral_funnel(PERIOD).rows
    assert len(rows) == 18 and rows[0][0] == "2025-01"
