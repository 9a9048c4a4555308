"""Complaint handling satisfaction: the homeowners' 1–5 ratings after resolution, on the
0–100 scale of the satisfaction index ((rating − 1) / 4 × 100), overall, per development
(of the complaint's unit) and per year (of the rating). Feedback shows it beside the
survey index; it reads it here, not from forum tables."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import extract, func, select

from portal.accounts.models import Building, Unit
from portal.extensions import db
from portal.forum.models import Complaint


@dataclass(frozen=True)
class RatingFigure:
    key: int | None  # the development id or the year; None for overall / no unit
    ratings: int
    average: float  # 1–5

    @property
    def score(self) -> float:
        """The average on the 0–100 scale, one decimal."""
        return round((self.average - 1) / 4 * 100, 1)


def complaint_satisfaction(by: str | None = None) -> list[RatingFigure]:
    """Rated complaints' figures: overall (`by` None, one row), per "development" or per "year"."""
    rated = Complaint.rating.is_not(None)
    columns = [func.count(Complaint.id), func.avg(Complaint.rating)]
    if by is None:
        count, average = db.session.execute(select(*columns).where(rated)).one()
        return [RatingFigure(None, count, float(average))] if count else []
    if by == "development":
        key = Building.development_id
        query = (select(key, *columns).select_from(Complaint)
                 .outerjoin(Unit, Unit.id == Complaint.unit_id)
                 .outerjoin(Building, Building.id == Unit.building_id))
    elif by == "year":
        key = extract("year", Complaint.rated_at)
        query = select(key, *columns)
    else:
        raise ValueError(f"unknown grouping {by!r}")
    rows = db.session.execute(query.where(rated).group_by(key).order_by(key)).all()
    return [RatingFigure(int(k) if k is not None else None, count, float(avg)) for k, count, avg in rows]
