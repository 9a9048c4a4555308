"""Issue 15's "Done when" on the demo: every panel of the dashboard's default view shows
real numbers, and the headline figures are what a plain count of the demo's own rows
gives (purchases from the sales import, complaints with their channels, points, partner
contracts)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from portal.accounts.demo import demo_user
from portal.core.figures import default_period
from portal.dashboard.services import sections_for
from portal.forum.models import Complaint
from portal.partners.models import PartnerContract
from portal.points.models import LedgerEntry
from portal.sales.models import Purchase


def _figures(app) -> dict[str, list[tuple]]:
    admin = demo_user("admin@demo.club")
    with app.test_request_context("/?lang=en"):
        return {f"{s.section.key}/{f.key}": [tuple(str(v) if hasattr(v, "__html__") or
                                                   not isinstance(v, int | float | type(None)) else v
                                                   for v in row) for row in f.rows]
                for s in sections_for(admin, default_period()) for f in s.figures}


def test_every_demo_panel_shows_numbers_a_count_reproduces(app, db, demo):
    figures = _figures(app)
    assert len(figures) >= 18
    for key, rows in figures.items():  # no empty panel, no panel of zeros
        assert any(isinstance(v, int | float) and v > 0 for row in rows for v in row), key
    period = default_period()

    # Points: the liability is every balance, which is the ledger's sum.
    held = dict(figures["points/outstanding"])["Points held by members"]
    assert held == db.session.scalar(select(func.sum(LedgerEntry.amount)))

    # Complaints by channel: the demo's online, phoned-in and walk-in complaints.
    by_channel = dict(db.session.execute(
        select(Complaint.channel, func.count()).where(Complaint.created_at >= period.starts_at)
        .group_by(Complaint.channel)).all())
    rows = {row[0]: row[1] for row in figures["complaints/channels"]}
    assert rows["Phone"] == by_channel["phone"] == 1 and rows["Walk-in"] == by_channel["walk_in"] == 1
    assert rows["All channels"] == sum(by_channel.values())

    # Referred buyers' share: purchases of the sales import signed in the period.
    signed = (Purchase.signed_on >= period.start, Purchase.signed_on <= period.end,
              Purchase.status == "active")
    total = db.session.scalar(select(func.count()).select_from(Purchase).where(*signed))
    referred = db.session.scalar(select(func.count()).select_from(Purchase).where(
        *signed, Purchase.referral_id.is_not(None)))
    whole = figures["sales/referred-share"][-1]
    assert whole[2:4] == (referred, total) and referred > 0
    assert whole[4] == round(100 * referred / total, 1)

    # Renewals: contracts that ended this year, and how many were renewed.
    this_year = [c for c in db.session.scalars(select(PartnerContract))
                 if c.ends_on.year == period.end.year and c.ends_on < date.today()]
    row = next(r for r in figures["partners/renewals"] if r[0] == str(period.end.year))
    assert row[1:3] == (len(this_year), sum(c.is_renewed for c in this_year))
