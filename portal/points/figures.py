"""Points figures for the KPI dashboard: issued, redeemed and expired per month, what the
club owes (outstanding points) and members by tier. Aggregate SQL over the ledger
(ix_points_ledger_created_at serves the period)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from portal.accounts.figures import has_verified_home
from portal.accounts.models import User
from portal.accounts.permissions import Role
from portal.core.charts import columns, horizontal_bars
from portal.core.figures import Figure, Period
from portal.core.sql import year_month
from portal.extensions import db
from portal.points.models import LIFETIME_KINDS, LedgerEntry, LedgerKind
from portal.points.tiers import tiers


def _in_development(query, period: Period, member_id):
    if period.development_id is None:
        return query
    return query.where(has_verified_home(member_id, period.development_id))


def points_by_month(period: Period) -> Figure:
    """Issued: credits of earning kinds (not refunds or gifts between members); redeemed:
    what perks took, net of refunds; expired: what the expiry job took."""
    month = year_month(LedgerEntry.created_at)
    earning = [k.value for k in LIFETIME_KINDS]
    query = (select(month,
                    func.coalesce(func.sum(case((LedgerEntry.kind.in_(earning) & (LedgerEntry.amount > 0),
                                                 LedgerEntry.amount), else_=0)), 0),
                    func.coalesce(func.sum(case((LedgerEntry.kind.in_([LedgerKind.REDEEM.value,
                                                                       LedgerKind.REFUND.value]),
                                                 -LedgerEntry.amount), else_=0)), 0),
                    func.coalesce(func.sum(case((LedgerEntry.kind == LedgerKind.EXPIRE.value,
                                                 -LedgerEntry.amount), else_=0)), 0))
             .where(LedgerEntry.created_at >= period.starts_at, LedgerEntry.created_at < period.ends_before)
             .group_by(month))
    found = {row[0]: row[1:] for row in db.session.execute(
        _in_development(query, period, LedgerEntry.member_id)).all()}
    rows = [(m, *map(int, found.get(m, (0, 0, 0)))) for m in period.months()]
    return Figure("points-by-month", _l("Points issued, redeemed and expired"),
                  [_l("Month"), _l("Issued"), _l("Redeemed"), _l("Expired")], rows,
                  chart=columns(_l("Points issued by month"), [(r[0], r[1]) for r in rows]),
                  definition=_l("Issued: points earned (campaigns, referrals, surveys, suggestions, "
                                "adjustments); redeemed: spent on perks less refunds; expired: taken "
                                "by the expiry job."))


def outstanding(period: Period) -> Figure:
    """The points members hold now: what the club owes them if all were redeemed."""
    query = _in_development(select(func.count(User.id), func.coalesce(func.sum(User.points_balance), 0))
                            .where(User.points_balance > 0), period, User.id)
    holders, total = db.session.execute(query).one()
    return Figure("outstanding", _l("Outstanding points"), [_l("Figure"), _l("Value")],
                  [(_l("Points held by members"), int(total)), (_l("Members holding points"), holders)],
                  definition=_l("The club's liability: every balance above zero, today."))


def members_by_tier(period: Period) -> Figure:
    tier_list = tiers()
    rank = case(*[(User.points_lifetime >= t.threshold, t.rank) for t in reversed(tier_list)], else_=0)
    query = _in_development(select(rank, func.count(User.id)).where(
        User.role == Role.MEMBER.value, User.is_active_account.is_(True)).group_by(rank), period, User.id)
    found = dict(db.session.execute(query).all())
    rows = [(t.name, found.get(t.rank, 0)) for t in tier_list]
    return Figure("tiers", _l("Members by tier"), [_l("Tier"), _l("Members")], rows,
                  chart=horizontal_bars(_l("Members by tier"), rows))
