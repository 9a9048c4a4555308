"""Partner figures for the KPI dashboard, side by side for every partner, from the
partners' own report functions (`partners.reports`): complaints attributed, repairs and
their rate, median hours to resolve, satisfaction, and the contract renewal rate."""

from __future__ import annotations

import statistics

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.core.charts import horizontal_bars
from portal.core.figures import Figure, Period, share
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.partners import reports
from portal.partners.models import PartnerOrganisation


def _total(by_month: dict) -> int:
    return sum(by_month.values())


def partner_performance(period: Period) -> Figure:
    """Per partner over the months of the period (complaints by the month raised)."""
    months = period.months()
    attributed = reports.complaints_attributed(None, months)
    repaired = reports.repairs(None, months)
    hours = reports.median_hours_to_resolve(None, months)
    ratings = reports.satisfaction(None, months)
    names = dict(db.session.execute(select(PartnerOrganisation.id, PartnerOrganisation.name)).all())
    rows = []
    for organisation_id in sorted(attributed, key=lambda i: names.get(i, "")):
        complaints = _total(attributed[organisation_id])
        repairs = _total(repaired.get(organisation_id, {}))
        monthly_hours = list(hours.get(organisation_id, {}).values())
        scored = list(ratings.get(organisation_id, {}).values())
        count = sum(r.count for r in scored)
        mean = sum(r.mean * r.count for r in scored) / count if count else None
        rows.append((names.get(organisation_id, str(organisation_id)), complaints, repairs,
                     share(repairs, complaints),
                     round(statistics.median(monthly_hours), 1) if monthly_hours else None,
                     round(mean, 2) if mean is not None else None))
    return Figure("partner-performance", _l("Partners: complaints and repairs"),
                  [_l("Partner"), _l("Complaints attributed"), _l("Repairs"), _l("Repair rate (%)"),
                   _l("Median hours to resolve"), _l("Mean rating (1–5)")], rows,
                  chart=horizontal_bars(_l("Complaints attributed"), [(r[0], r[1]) for r in rows])
                  if rows else None,
                  definition=_l("Complaints raised in the months of the period and attributed to the "
                                "partner (all developments); median hours: the median of the monthly "
                                "medians, waiting for the homeowner not counted."))


def renewal_rate(period: Period) -> Figure:
    """Contracts renewed ÷ contracts that ended, by the year they ended (all scopes)."""
    by_year = reports.renewal_rate_by_year(reports.renewal_rates(utcnow().date()))
    rows = [(str(year), r.ended, r.renewed, share(r.renewed, r.ended))
            for year, r in by_year.items() if period.start.year <= year <= period.end.year]
    return Figure("renewals", _l("Contract renewal rate"),
                  [_l("Year"), _l("Contracts ended"), _l("Renewed"), _l("Renewal rate (%)")], rows,
                  chart=horizontal_bars(_l("Renewal rate (%)"), [(r[0], r[3]) for r in rows])
                  if rows else None,
                  definition=_l("Contracts whose end date fell in the year, and how many were renewed "
                                "(all developments)."))
