"""Feedback figures for the KPI dashboard: the satisfaction index per year beside complaint
handling satisfaction (from `feedback.results.club_index`, both on 0–100), and the
suggestion programme in the period: submitted, adopted, points paid."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.core.charts import columns
from portal.core.figures import Figure, Period
from portal.core.sql import year_month
from portal.extensions import db
from portal.feedback.models import PUBLIC_SUGGESTION_STATUSES, Suggestion
from portal.feedback.results import club_index


def satisfaction_index(period: Period) -> Figure:
    index = club_index()
    rows = [(str(year.year), year.survey.answers if year.survey else 0,
             year.survey.index if year.survey else None, year.complaint_ratings, year.complaints_score)
            for year in index.years if period.start.year <= year.year <= period.end.year]
    return Figure("satisfaction", _l("Satisfaction index"),
                  [_l("Year"), _l("Survey rating answers"), _l("Survey index (0–100)"),
                   _l("Complaint ratings"), _l("Complaint handling (0–100)")], rows,
                  chart=index.chart if rows else None,
                  definition=_l("Survey index: the mean of every rating answer (0–10) × 10. Complaint "
                                "handling: the mean 1–5 rating as (rating − 1) ÷ 4 × 100. The industry "
                                "target is above 85. Per year, all developments."))


def suggestions_by_month(period: Period) -> Figure:
    """Suggestions submitted per month of the period; of those, adopted (or implemented)
    and the points paid for them."""
    month = year_month(Suggestion.created_at)
    adopted = Suggestion.status.in_(PUBLIC_SUGGESTION_STATUSES)
    query = (select(month, func.count(Suggestion.id), func.count(Suggestion.id).filter(adopted),
                    func.coalesce(func.sum(Suggestion.paid_points), 0))
             .where(Suggestion.created_at >= period.starts_at, Suggestion.created_at < period.ends_before)
             .group_by(month))
    if period.development_id is not None:
        query = query.where(Suggestion.development_id == period.development_id)
    found = {row[0]: row[1:] for row in db.session.execute(query).all()}
    rows = [(m, *map(int, found.get(m, (0, 0, 0)))) for m in period.months()]
    rows.append((_l("Whole period"), *(sum(r[i] for r in rows) for i in (1, 2, 3))))
    return Figure("suggestions", _l("Suggestions"),
                  [_l("Month"), _l("Submitted"), _l("Adopted"), _l("Points paid")], rows,
                  chart=columns(_l("Suggestions submitted by month"), [(r[0], r[1]) for r in rows[:-1]]))
