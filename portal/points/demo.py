"""Demo points: a realistic history for member@demo.club, some of it expiring soon."""

from __future__ import annotations

from datetime import timedelta

from portal.accounts.demo import demo_user
from portal.core.i18n import N_
from portal.core.timeutil import utcnow
from portal.points.models import LedgerKind
from portal.points.services import add_months, credit

# (months ago, days ago, kind, points, reason, params); reasons are examples other features reuse.
HISTORY = [
    (22, 0, LedgerKind.EARN, 1000, N_("Welcome bonus"), {}),
    (19, 0, LedgerKind.EARN, 5000, N_("Home purchase reward (%(contract)s)"),
     {"contract": "JL-2019-0801"}),
    (14, 0, LedgerKind.EARN, 200, N_("Took part in %(event)s"),
     {"event": "中秋燈會 Mid-Autumn Lantern Evening"}),
    (9, 0, LedgerKind.SURVEY, 300, N_("Answered the %(year)s satisfaction survey"), {"year": "2025"}),
    (5, 0, LedgerKind.CAMPAIGN, 500, N_("Campaign: %(name)s"),
     {"name": "雙倍積分週末 Double Points Weekend"}),
    (2, 0, LedgerKind.ADJUST, 150, N_("Adjustment by the club: %(note)s"),
     {"note": "維修延誤補償 Compensation for a delayed repair"}),
    (0, 10, LedgerKind.EARN, 200, N_("Took part in %(event)s"), {"event": "親子運動日 Family Sports Day"}),
]


def seed_points() -> None:
    member = demo_user("member@demo.club")
    admin = demo_user("admin@demo.club")
    now = utcnow()
    for index, (months, days, kind, points, reason, params) in enumerate(HISTORY):
        credit(member, points, kind=kind, reason=reason, reason_params=params,
                      idempotency_key=f"demo:points:{index}",
                      earned_at=add_months(now, -months) - timedelta(days=days),
                      actor=admin if kind == LedgerKind.ADJUST else None)
