"""Referral figures for the KPI dashboard, from the referral report's own query
(`referrals.reports.funnel`). The share of purchases by referred buyers comes from the
imported sales (`sales.figures`), which hold every purchase."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.core.charts import columns
from portal.core.figures import Figure, Period
from portal.referrals.reports import funnel


def referral_funnel(period: Period) -> Figure:
    rows = [(row.month, row.registered, row.visited, row.purchased) for row in funnel(period.months())]
    return Figure("referral-funnel", _l("Referral funnel"),
                  [_l("Month"), _l("Referred"), _l("Visited"), _l("Bought")], rows,
                  chart=columns(_l("Referred friends who bought, by month referred"),
                                [(r[0], r[3]) for r in rows]),
                  definition=_l("Friends referred in each month and how far they went (all developments)."))
