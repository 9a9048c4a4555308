"""The partner figures, one function each (the dashboard reuses them).

Monthly figures count the complaints attributed to a partner by the month (UTC) the
complaint was raised, merged duplicates left out:

- `complaints_attributed`  complaints attributed
- `repairs`                those that needed a repair (rework)
- `repair_rate`            repairs ÷ complaints attributed (None without complaints)
- `median_hours_to_resolve` median of resolved_at − created_at minus the time spent
                           waiting for the homeowner (the partner's clock), in hours
- `satisfaction`           the homeowners' 1–5 ratings: how many, their mean, each score

and, for contracts, `renewal_rates`: contracts renewed ÷ contracts that ended, by the year
they ended and their scope (a contract has ended once its end date is before `today`).

Each monthly function takes the organisation ids (None: every partner) and the months
('YYYY-MM', see portal.core.months) and returns `{organisation id: {month: value}}` with
only the months that have data. Two grouped queries at most per figure, whatever the data.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, extract, func, select

from portal.core.months import month_range
from portal.core.sql import year_month
from portal.extensions import db
from portal.forum.models import Complaint, Thread
from portal.partners.models import ComplaintAttribution, PartnerContract

Figures = dict[int, dict[str, object]]


def _attributed(columns, organisation_ids: list[int] | None, months: list[str]):
    """SELECT `columns` over attributed complaints raised within `months`."""
    start, end = month_range(months[0])[0], month_range(months[-1])[1]
    query = (select(*columns).select_from(ComplaintAttribution)
             .join(Complaint, Complaint.id == ComplaintAttribution.complaint_id)
             .join(Thread, Thread.id == Complaint.thread_id)
             .where(Complaint.created_at >= start, Complaint.created_at < end,
                    Thread.merged_into_id.is_(None)))
    if organisation_ids is not None:
        query = query.where(ComplaintAttribution.organisation_id.in_(organisation_ids))
    return query


def _nest(rows) -> Figures:
    nested: Figures = defaultdict(dict)
    for organisation_id, month, value in rows:
        nested[organisation_id][month] = value
    return dict(nested)


def complaints_attributed(organisation_ids: list[int] | None, months: list[str]) -> Figures:
    """Complaints attributed to each partner, by the month they were raised."""
    if not months:
        return {}
    month = year_month(Complaint.created_at)
    query = (_attributed((ComplaintAttribution.organisation_id, month, func.count()),
                         organisation_ids, months)
             .group_by(ComplaintAttribution.organisation_id, month))
    return _nest(db.session.execute(query).all())


def repairs(organisation_ids: list[int] | None, months: list[str]) -> Figures:
    """Of those, the complaints that needed a repair (rework)."""
    if not months:
        return {}
    month = year_month(Complaint.created_at)
    query = (_attributed((ComplaintAttribution.organisation_id, month, func.count()),
                         organisation_ids, months)
             .where(ComplaintAttribution.needed_repair.is_(True))
             .group_by(ComplaintAttribution.organisation_id, month))
    return _nest(db.session.execute(query).all())


def repair_rate(organisation_ids: list[int] | None, months: list[str]) -> Figures:
    """Repairs ÷ complaints attributed, as a fraction (0.25 = 25 %)."""
    attributed = complaints_attributed(organisation_ids, months)
    repaired = repairs(organisation_ids, months)
    return {organisation_id: {month: repaired.get(organisation_id, {}).get(month, 0) / count
                              for month, count in by_month.items()}
            for organisation_id, by_month in attributed.items()}


def median_hours_to_resolve(organisation_ids: list[int] | None, months: list[str]) -> Figures:
    """Median hours from raising to resolving, without the time spent waiting for the
    homeowner, over the resolved complaints raised that month."""
    if not months:
        return {}
    query = (_attributed((ComplaintAttribution.organisation_id, Complaint.created_at,
                          Complaint.resolved_at, Complaint.paused_seconds), organisation_ids, months)
             .where(Complaint.resolved_at.is_not(None)))
    hours: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for organisation_id, created_at, resolved_at, paused in db.session.execute(query):
        seconds = max(0.0, (resolved_at - created_at).total_seconds() - (paused or 0))
        hours[organisation_id][created_at.strftime("%Y-%m")].append(seconds / 3600)
    return {organisation_id: {month: statistics.median(values) for month, values in by_month.items()}
            for organisation_id, by_month in hours.items()}


@dataclass(frozen=True)
class Ratings:
    """The homeowners' ratings of a partner's complaints in one month."""

    count: int
    mean: float | None
    by_score: dict[int, int] = field(default_factory=dict)  # score (1–5) -> how many


def satisfaction(organisation_ids: list[int] | None, months: list[str]) -> Figures:
    """The 1–5 ratings homeowners gave the handling of those complaints."""
    if not months:
        return {}
    month = year_month(Complaint.created_at)
    query = (_attributed((ComplaintAttribution.organisation_id, month, Complaint.rating, func.count()),
                         organisation_ids, months)
             .where(Complaint.rating.is_not(None))
             .group_by(ComplaintAttribution.organisation_id, month, Complaint.rating))
    scores: dict[int, dict[str, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for organisation_id, month_, rating, count in db.session.execute(query):
        scores[organisation_id][month_][int(rating)] = count
    result: Figures = {}
    for organisation_id, by_month in scores.items():
        result[organisation_id] = {}
        for month_, by_score in by_month.items():
            count = sum(by_score.values())
            mean = sum(score * n for score, n in by_score.items()) / count
            result[organisation_id][month_] = Ratings(count, mean, dict(sorted(by_score.items())))
    return result


@dataclass(frozen=True)
class Renewals:
    ended: int
    renewed: int

    @property
    def rate(self) -> float | None:
        return self.renewed / self.ended if self.ended else None


def renewal_rates(today: date, organisation_ids: list[int] | None = None) -> dict[tuple[int, str], Renewals]:
    """`{(year ended, scope): Renewals}` over the contracts that have ended before `today`."""
    year = extract("year", PartnerContract.ends_on)
    renewed = func.sum(case((PartnerContract.is_renewed.is_(True), 1), else_=0))
    query = (select(year, PartnerContract.scope, func.count(), renewed)
             .where(PartnerContract.ends_on < today)
             .group_by(year, PartnerContract.scope))
    if organisation_ids is not None:
        query = query.where(PartnerContract.organisation_id.in_(organisation_ids))
    return {(int(year_), scope): Renewals(ended, int(renewed_ or 0))
            for year_, scope, ended, renewed_ in db.session.execute(query)}


def renewal_rate_by_year(rates: dict[tuple[int, str], Renewals]) -> dict[int, Renewals]:
    """Every scope together, per year (from `renewal_rates`)."""
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for (year, _scope), renewals in rates.items():
        totals[year][0] += renewals.ended
        totals[year][1] += renewals.renewed
    return {year: Renewals(ended, renewed) for year, (ended, renewed) in sorted(totals.items())}
