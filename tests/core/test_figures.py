"""The period of the dashboard's filters, medians in SQL, shares and charts."""

from __future__ import annotations

from datetime import date

from sqlalchemy import literal, select, union_all

from portal.core.charts import columns, horizontal_bars
from portal.core.figures import Period, default_period, median, medians, parse_period, share

TODAY = date(2026, 12, 2)


def test_default_period_is_the_last_twelve_months():
    period = default_period(TODAY)
    assert (period.start, period.end) == (date(2026, 1, 1), TODAY)
    assert period.months()[0] == "2026-01" and period.months()[-1] == "2026-12"
    assert len(period.months()) == 12
    winter = Period(date(2025, 11, 30), date(2026, 2, 1))
    assert winter.months() == ["2025-11", "2025-12", "2026-01", "2026-02"] and winter.years() == [2025, 2026]


def test_parse_period_takes_good_values_and_reports_bad_ones(english):
    good = parse_period({"start": "2026-03-01", "end": "2026-03-31", "development": "7"}, TODAY)
    assert good.errors == {} and good.period == Period(date(2026, 3, 1), date(2026, 3, 31), 7)
    assert good.period.to_args() == {"start": "2026-03-01", "end": "2026-03-31", "development": "7"}
    for args, field in [({"start": "2026-02-30"}, "start"), ({"end": "１２３"}, "end"),
                        ({"start": "1900-01-01"}, "start"),
                        ({"start": "2026-05-01", "end": "2026-04-01"}, "end"),
                        ({"start": "2000-01-01", "end": "2026-01-01"}, "start"),
                        ({"development": "99999999999"}, "development"),
                        ({"development": "-1"}, "development")]:
        parsed = parse_period(args, TODAY)
        assert field in parsed.errors, args
        assert parsed.period.start == date(2026, 1, 1) or field == "development"


def test_medians_in_sql(db):
    rows = [("a", 1.0), ("a", 9.0), ("a", 4.0), ("b", 2.0), ("b", 8.0), ("b", 3.0), ("b", 5.0)]
    values = union_all(*[select(literal(g).label("g"), literal(v).label("v")) for g, v in rows])
    inner = values.subquery()
    assert medians(select(inner.c.g, inner.c.v)) == {"a": 4.0, "b": 4.0}  # b: (3 + 5) / 2
    assert median(select(inner.c.v)) == 4.0
    assert median(select(inner.c.v).where(inner.c.g == "none")) is None


def test_share_and_charts(app):
    assert share(1, 3) == 33.3 and share(5, 0) is None and share(None, 4) == 0.0
    with app.test_request_context("/?lang=en"):
        chart = horizontal_bars("Handling", [("A", 50.0), ("B", 100.0), ("C", None)])
        assert [bar.width for bar in chart.bars] == [145, 290, 0]
        assert [bar.text for bar in chart.bars] == ["50", "100", "—"]
        months = columns("New", [("2026-01", 3), ("2026-02", 0), ("2026-03", 12)])
        assert [bar.height for bar in months.bars] == [40, 0, 160] and months.bars[2].text == "12"

