"""Complaint figures against a small data set computed by hand (tests/forum/figures_data.py)."""

from __future__ import annotations

from datetime import date

import pytest

from portal.core.figures import Period
from portal.forum import figures
from tests import factories
from tests.forum.figures_data import PERIOD, hand_counted_complaints


@pytest.fixture
def complaints(db):
    return hand_counted_complaints()


def _rows(figure):
    return [tuple(str(v) if not isinstance(v, int | float | type(None)) else v for v in row)
            for row in figure.rows]


def test_complaint_rate_per_100_verified_households(complaints):
    rows = _rows(figures.complaint_rate(Period(PERIOD.start, PERIOD.end, complaints)))
    # 4 verified Jade Lake households: March 2 → 50.0, April 1 → 25.0, May 1 → 25.0.
    assert rows[:6] == [("2026-01", 0, 0.0), ("2026-02", 0, 0.0), ("2026-03", 2, 50.0),
                        ("2026-04", 1, 25.0), ("2026-05", 1, 25.0), ("2026-06", 0, 0.0)]
    assert rows[6][1:] == (4, 100.0)
    # Over all developments there are 5 verified households.
    assert _rows(figures.complaint_rate(PERIOD))[6][1:] == (4, 80.0)


def test_handling_rate_and_median_first_response(complaints, english):
    rows = {row[0]: row[1:] for row in _rows(figures.handling(PERIOD))}
    assert rows["Customer service"] == (3, 1, 33.3, 4.0)  # median of 2, 6, 4 h
    assert rows["Property management"] == (1, 1, 100.0, 1.0)
    assert rows["Sales"] == (0, 0, None, None)
    assert rows["All departments"] == (4, 2, 50.0, 3.0)  # median of 1, 2, 4, 6 h


def test_overdue_and_satisfaction(complaints, english):
    overdue = {row[0]: row[1] for row in _rows(figures.overdue_now(PERIOD))}
    assert overdue["Customer service"] == 1 and overdue["All departments"] == 1
    satisfaction = _rows(figures.handling_satisfaction(PERIOD))
    assert satisfaction[2] == ("2026-03", 2, 62.5)  # (100 + 25) / 2
    assert satisfaction[-1][1:] == (2, 62.5)
    assert figures.handling_satisfaction_score(Period(date(2026, 4, 1), date(2026, 6, 30))) == (0, None)


def test_staff_counts(complaints, db):
    agent = factories.make_user("service")
    assert figures.assigned_to(agent) == 0
    assert figures.overdue_for(agent) == 1
    assert figures.overdue_link(agent) == {"overdue": "1"}


def test_complaints_by_channel(complaints, db, english):
    from portal.forum.models import Complaint

    made = db.session.scalars(db.select(Complaint).order_by(Complaint.id)).all()
    staff = factories.make_user("service")
    for complaint, channel in ((made[1], "phone"), (made[3], "walk_in")):  # recorded by staff
        complaint.channel, complaint.recorded_by_id = channel, staff.id
    rows = _rows(figures.complaints_by_channel(PERIOD))
    assert rows == [("Online (portal)", 2, 50.0), ("Phone", 1, 25.0), ("Walk-in", 1, 25.0),
                    ("E-mail", 0, 0.0), ("On site", 0, 0.0), ("All channels", 4, 100.0)]
