"""Sales figures for the KPI dashboard, from the imported purchases (`sales.reports`): the
share of purchases made by referred buyers per development and year, and purchases by month."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.core.charts import columns, horizontal_bars
from portal.core.figures import Figure, Period, share
from portal.core.i18n import in_reader_script
from portal.sales.reports import sales_figures


def referred_share(period: Period) -> Figure:
    """Purchases signed in the months of the period (not cancelled) and how many referred
    buyers made, per development and year."""
    figures = sales_figures(period.months(), period.development_id)
    totals: dict[tuple[str, str], list[int]] = {}
    for (name, month), cell in figures.cells.items():
        counts = totals.setdefault((name, month[:4]), [0, 0])
        counts[0] += cell.referred
        counts[1] += cell.purchases
    rows = [(in_reader_script(name), year, referred, total, share(referred, total))
            for (name, year), (referred, total) in sorted(totals.items())]
    whole = figures.total
    rows.append((_l("All developments"), "", whole.referred, whole.purchases,
                 share(whole.referred, whole.purchases)))
    return Figure("referred-share", _l("Share of purchases by referred buyers"),
                  [_l("Development"), _l("Year"), _l("By referred buyers"), _l("Purchases"), _l("Share (%)")],
                  rows, chart=horizontal_bars(_l("Share of purchases by referred buyers (%)"),
                                              [(f"{r[0]} {r[1]}", r[4]) for r in rows[:-1]]),
                  definition=_l("Purchases imported from the sales system, signed in the period and "
                                "not cancelled, whose buyer a member referred."))


def purchases_by_month(period: Period) -> Figure:
    figures = sales_figures(period.months(), period.development_id)
    rows = [(month, f.purchases, f.referred, share(f.referred, f.purchases))
            for month, f in figures.by_month.items()]
    return Figure("purchases", _l("Purchases by month"),
                  [_l("Month"), _l("Purchases"), _l("By referred buyers"), _l("Share (%)")], rows,
                  chart=columns(_l("Purchases by month"), [(r[0], r[1]) for r in rows]))
