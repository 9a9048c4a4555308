"""The dashboard's satisfaction figure: the survey index and complaint handling satisfaction
(both 0–100) per year of the period, for all developments or the one chosen."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import extract

from portal.core.charts import horizontal_bars
from portal.core.figures import Figure, Period
from portal.extensions import db
from portal.feedback.models import SurveyResponse
from portal.feedback.results import index_of, rating_totals
from portal.forum.complaints import complaint_satisfaction


def satisfaction(period: Period) -> Figure:
    """Per year: rating answers and the survey index; complaint ratings and their score."""
    where = [SurveyResponse.submitted_at >= period.starts_at,
             SurveyResponse.submitted_at < period.ends_before]
    if period.development_id:
        where.append(SurveyResponse.development_id == period.development_id)
    year = extract("year", SurveyResponse.submitted_at)
    surveys = {int(y): (count, index_of(total, count)) for total, count, y in db.session.execute(
        rating_totals(*where).add_columns(year).group_by(year)).all()}
    complaints = {f.key: f for f in complaint_satisfaction(
        "year", rated_from=period.starts_at, rated_before=period.ends_before,
        development_id=period.development_id)}
    rows, bars = [], []
    for y in period.years():
        answers, index = surveys.get(y, (0, None))
        rating = complaints.get(y)
        rows.append((y, answers, index, rating.ratings if rating else 0, rating.score if rating else None))
        bars += [(_l("%(year)s survey index", year=y), index),
                 (_l("%(year)s complaint handling", year=y), rating.score if rating else None)]
    return Figure("satisfaction", _l("Satisfaction index (0–100)"),
                  [_l("Year"), _l("Rating answers"), _l("Survey index"), _l("Ratings"),
                   _l("Complaint handling satisfaction")], rows,
                  chart=horizontal_bars(_l("Satisfaction index per year"), bars, top=100),
                  definition=_l("Survey index: the mean of all answers to rating questions (0–10) × 10. "
                                "Complaint handling: the homeowners' 1–5 ratings as (rating − 1) ÷ 4 × 100. "
                                "Target: above 85."))
