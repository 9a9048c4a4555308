"""Perk figures for the KPI dashboard (most redeemed, stock running out) and the staff
home's count of perks running out."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.accounts.figures import has_verified_home
from portal.core.charts import horizontal_bars
from portal.core.figures import Figure, Period, count_rows
from portal.extensions import db
from portal.perks.models import Perk, Redemption, RedemptionStatus

TOP = 10
LOW_STOCK = 10  # a perk with this many vouchers left or fewer is running out


def most_redeemed(period: Period) -> Figure:
    """Vouchers issued per perk in the period (cancelled ones not counted), top ten."""
    query = (select(Redemption.perk_id, func.count(Redemption.id).label("n"))
             .where(Redemption.created_at >= period.starts_at, Redemption.created_at < period.ends_before,
                    Redemption.status != RedemptionStatus.CANCELLED.value)
             .group_by(Redemption.perk_id).order_by(func.count(Redemption.id).desc(), Redemption.perk_id)
             .limit(TOP))
    if period.development_id is not None:
        query = query.where(has_verified_home(Redemption.member_id, period.development_id))
    counts = db.session.execute(query).all()
    perks = {p.id: p for p in db.session.scalars(select(Perk).where(Perk.id.in_([c[0] for c in counts])))}
    locale = str(get_locale())
    rows = [(perks[perk_id].title(locale), n) for perk_id, n in counts]
    return Figure("most-redeemed", _l("Most redeemed perks"), [_l("Perk"), _l("Vouchers")], rows,
                  chart=horizontal_bars(_l("Most redeemed perks"), rows) if rows else None)


def _running_out():
    return select(Perk).where(Perk.is_active.is_(True), Perk.stock.is_not(None), Perk.stock <= LOW_STOCK)


def running_out(period: Period) -> Figure:
    locale = str(get_locale())
    perks = db.session.scalars(_running_out().order_by(Perk.stock, Perk.id)).all()
    return Figure("low-stock", _l("Stock running out"), [_l("Perk"), _l("Left")],
                  [(perk.title(locale), perk.stock) for perk in perks],
                  definition=_l("Active perks with %(count)s vouchers left or fewer, today.",
                                count=LOW_STOCK))


def running_out_count(_user) -> int:
    return count_rows(_running_out())
