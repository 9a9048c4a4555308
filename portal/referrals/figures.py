"""Referral figures for the KPI dashboard, from the referral report's own queries
(`referrals.reports`): the funnel and the share of purchases made by referred buyers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.accounts.models import Development
from portal.core.charts import columns, horizontal_bars
from portal.core.figures import Figure, Period, share
from portal.extensions import db
from portal.referrals.reports import funnel, referral_share


def referral_funnel(period: Period) -> Figure:
    rows = [(row.month, row.registered, row.visited, row.purchased) for row in funnel(period.months())]
    return Figure("referral-funnel", _l("Referral funnel"),
                  [_l("Month"), _l("Referred"), _l("Visited"), _l("Bought")], rows,
                  chart=columns(_l("Referred friends who bought, by month referred"),
                                [(r[0], r[3]) for r in rows]),
                  definition=_l("Friends referred in each month and how far they went (all developments)."))


def referred_purchase_share(period: Period) -> Figure:
    """Purchases by referred buyers ÷ all recorded purchases, per development and year."""
    report = referral_share(period.months())
    wanted = db.session.get(Development, period.development_id).name if period.development_id else None
    totals: dict[tuple[str, str], list[int]] = {}
    for (name, month), cell in report.cells.items():
        if wanted is not None and name != wanted:
            continue
        counts = totals.setdefault((name, month[:4]), [0, 0])
        counts[0] += cell.referred
        counts[1] += cell.total
    rows = [(name, year, referred, total, share(referred, total))
            for (name, year), (referred, total) in sorted(totals.items())]
    all_referred, all_total = sum(r[2] for r in rows), sum(r[3] for r in rows)
    rows.append((_l("All developments"), "", all_referred, all_total, share(all_referred, all_total)))
    return Figure("referred-share", _l("Share of purchases by referred buyers"),
                  [_l("Development"), _l("Year"), _l("By referred buyers"), _l("Purchases"), _l("Share (%)")],
                  rows, chart=horizontal_bars(_l("Share of purchases by referred buyers (%)"),
                                              [(f"{r[0]} {r[1]}", r[4]) for r in rows[:-1]]),
                  definition=_l("Purchases recorded in the period whose buyer was referred by a member."))
