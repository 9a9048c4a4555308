"""What the partner pages and panels show, assembled from the figures of `reports.py`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.core.months import months_back
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.forum.models import Complaint, Thread
from portal.partners import reports
from portal.partners.models import ComplaintAttribution, ContractScope, PartnerOrganisation

CHART_WIDTH = 300  # px of a 100 % bar
PANEL_MONTHS = 6
RECENT = 5


@dataclass(frozen=True)
class MonthFigures:
    month: str
    attributed: int
    repairs: int
    repair_rate: float | None
    median_hours: float | None
    ratings: reports.Ratings | None


def month_figures(organisation_ids: list[int] | None, months: list[str]) -> dict[int, list[MonthFigures]]:
    """Every figure for each organisation and month (months without complaints show zeros)."""
    attributed = reports.complaints_attributed(organisation_ids, months)
    repaired = reports.repairs(organisation_ids, months)
    rates = reports.repair_rate(organisation_ids, months)
    medians = reports.median_hours_to_resolve(organisation_ids, months)
    ratings = reports.satisfaction(organisation_ids, months)
    ids = organisation_ids if organisation_ids is not None else sorted(attributed)
    return {organisation_id: [
        MonthFigures(month, attributed.get(organisation_id, {}).get(month, 0),
                     repaired.get(organisation_id, {}).get(month, 0),
                     rates.get(organisation_id, {}).get(month),
                     medians.get(organisation_id, {}).get(month),
                     ratings.get(organisation_id, {}).get(month))
        for month in months] for organisation_id in ids}


def organisations() -> list[PartnerOrganisation]:
    return list(db.session.scalars(select(PartnerOrganisation).order_by(PartnerOrganisation.name)))


def side_by_side(month: str) -> list[tuple[PartnerOrganisation, MonthFigures]]:
    """One month's figures for every partner, by name."""
    everyone = organisations()
    figures = month_figures([o.id for o in everyone], [month])
    return [(organisation, figures[organisation.id][0]) for organisation in everyone]


@dataclass(frozen=True)
class Bar:
    label: str
    y: int
    width: int
    renewals: reports.Renewals


@dataclass(frozen=True)
class RenewalReport:
    years: list[int]
    scopes: list[str]
    cells: dict[tuple[int, str], reports.Renewals]
    by_year: dict[int, reports.Renewals]
    bars: list[Bar]
    chart_height: int


def renewal_report(today: date | None = None) -> RenewalReport:
    """The renewal rate per year and scope (table) and per year (chart)."""
    cells = reports.renewal_rates(today or utcnow().date())
    by_year = reports.renewal_rate_by_year(cells)
    years = sorted(by_year)
    scopes = [scope.value for scope in ContractScope if any(key[1] == scope for key in cells)]
    bars = [Bar(str(year), 10 + index * 30, round((renewals.rate or 0) * CHART_WIDTH), renewals)
            for index, (year, renewals) in enumerate(by_year.items())]
    return RenewalReport(years, scopes, cells, by_year, bars, 20 + len(bars) * 30)


@dataclass(frozen=True)
class PartnerPanel:
    organisation: PartnerOrganisation
    months: list[MonthFigures]  # newest first
    recent: list[ComplaintAttribution]


def recent_attributions(organisation_id: int, limit: int = RECENT) -> list[ComplaintAttribution]:
    return list(db.session.scalars(
        select(ComplaintAttribution)
        .options(joinedload(ComplaintAttribution.complaint).joinedload(Complaint.thread))
        .join(Complaint, Complaint.id == ComplaintAttribution.complaint_id)
        .join(Thread, Thread.id == Complaint.thread_id)
        .where(ComplaintAttribution.organisation_id == organisation_id, Thread.merged_into_id.is_(None))
        .order_by(ComplaintAttribution.attributed_at.desc(), ComplaintAttribution.id.desc())
        .limit(limit)))


def partner_panel(organisation: PartnerOrganisation, today: date | None = None) -> PartnerPanel:
    months = months_back(PANEL_MONTHS, today)
    figures = month_figures([organisation.id], months)[organisation.id]
    return PartnerPanel(organisation, list(reversed(figures)), recent_attributions(organisation.id))

