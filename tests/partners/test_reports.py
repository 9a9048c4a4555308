"""Each figure of portal/partners/reports.py against a small data set computed by hand."""

from __future__ import annotations

from datetime import date

import pytest

from portal.partners import reports
from tests.partners.helpers import MONTHS, make_contract, make_organisation


def test_complaints_attributed(data):
    a, b = data
    assert reports.complaints_attributed(None, MONTHS) == {a: {"2026-01": 3, "2026-02": 1}, b: {"2026-01": 1}}
    assert reports.complaints_attributed([b], MONTHS) == {b: {"2026-01": 1}}
    assert reports.complaints_attributed([a], ["2026-02"]) == {a: {"2026-02": 1}}
    assert reports.complaints_attributed(None, []) == {}


def test_repairs(data):
    a, b = data
    assert reports.repairs(None, MONTHS) == {a: {"2026-01": 2, "2026-02": 1}}


def test_repair_rate(data):
    a, b = data
    rates = reports.repair_rate(None, MONTHS)
    assert rates[a]["2026-01"] == pytest.approx(2 / 3) and rates[a]["2026-02"] == 1.0
    assert rates[b] == {"2026-01": 0.0}


def test_median_hours_to_resolve(data):
    a, b = data
    # January: 24 h and 48 h − 12 h waiting = 36 h → median 30 h; the unresolved one is not counted.
    assert reports.median_hours_to_resolve(None, MONTHS) == {
        a: {"2026-01": pytest.approx(30), "2026-02": pytest.approx(10)}, b: {"2026-01": pytest.approx(6)}}


def test_satisfaction(data):
    a, b = data
    ratings = reports.satisfaction(None, MONTHS)
    assert ratings == {a: {"2026-01": reports.Ratings(2, 3.0, {2: 1, 4: 1}),
                           "2026-02": reports.Ratings(1, 5.0, {5: 1})}}


def test_renewal_rates(db):
    organisation = make_organisation()
    for scope, ends_on, renewed in (("main_construction", date(2024, 6, 30), True),
                                    ("main_construction", date(2024, 12, 31), False),
                                    ("lifts", date(2024, 3, 1), True),
                                    ("lifts", date(2025, 5, 1), False),
                                    ("lifts", date(2027, 1, 1), True),  # not ended
                                    ("lifts", date(2026, 1, 1), True)):  # ends today: not ended yet
        make_contract(organisation, scope=scope, starts_on=date(2020, 1, 1), ends_on=ends_on, renewed=renewed)
    other = make_organisation()
    make_contract(other, scope="windows", starts_on=date(2020, 1, 1), ends_on=date(2024, 1, 1), renewed=False)
    db.session.commit()

    rates = reports.renewal_rates(date(2026, 1, 1), [organisation.id])
    assert rates == {(2024, "main_construction"): reports.Renewals(2, 1),
                     (2024, "lifts"): reports.Renewals(1, 1), (2025, "lifts"): reports.Renewals(1, 0)}
    assert rates[(2024, "main_construction")].rate == 0.5 and rates[(2025, "lifts")].rate == 0.0
    everyone = reports.renewal_rates(date(2026, 1, 1))
    assert everyone[(2024, "windows")] == reports.Renewals(1, 0)
    by_year = reports.renewal_rate_by_year(everyone)
    assert by_year == {2024: reports.Renewals(4, 2), 2025: reports.Renewals(1, 0)}
    assert reports.Renewals(0, 0).rate is None
