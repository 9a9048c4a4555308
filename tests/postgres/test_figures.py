"""Dashboard figures on PostgreSQL give the numbers they give on SQLite (months, hours
between times and medians are dialect-specific SQL)."""

from __future__ import annotations

import pytest

from portal.core.figures import Period
from portal.forum import figures
from tests.forum.figures_data import PERIOD, hand_counted_complaints
from tests.support.race import migrated_postgres_app

pytestmark = pytest.mark.postgres


def test_complaint_figures_match_the_hand_count(tmp_path, postgres_server):
    with migrated_postgres_app(tmp_path, postgres_server, "figures") as app, \
            app.test_request_context("/?lang=en"):
        development_id = hand_counted_complaints()
        rate = figures.complaint_rate(Period(PERIOD.start, PERIOD.end, development_id)).rows
        assert [row[1:] for row in rate[2:5]] == [(2, 50.0), (1, 25.0), (1, 25.0)]
        handling = {str(row[0]): row[1:] for row in figures.handling(PERIOD).rows}
        assert handling["Customer service"] == (3, 1, 33.3, 4.0)
        assert handling["All departments"] == (4, 2, 50.0, 3.0)
        assert figures.handling_satisfaction_score(PERIOD) == (2, 62.5)
