"""A small set of complaints whose figures are computed by hand (tests/forum/test_figures.py,
and again on PostgreSQL in tests/postgres/test_figures.py)."""

from __future__ import annotations

from datetime import date, datetime

from portal.core.figures import Period
from portal.extensions import db
from tests import factories
from tests.forum.helpers import make_category, make_complaint

PERIOD = Period(date(2026, 1, 1), date(2026, 6, 30))


def at(month, day, hour=0):
    return datetime(2026, month, day, hour)


def hand_counted_complaints() -> int:
    """Four verified homes in Jade Lake (one more pending, one in another development);
    four complaints about Jade Lake homes:
      c1 customer service, 2 h to first response, resolved on time, rated 5 (→ 100)
      c2 customer service, 6 h, resolved late, rated 2 (→ 25)
      c3 customer service, 4 h, still in progress and overdue
      c4 property, 1 h, resolved on time, not rated
    """
    units = [factories.make_unit("Jade Lake") for _ in range(4)]
    owners = [factories.make_member() for _ in units]
    for owner, unit in zip(owners, units, strict=True):
        factories.make_ownership(owner, unit)
    factories.make_ownership(factories.make_member(), factories.make_unit("Jade Lake"), verified=False)
    factories.make_ownership(factories.make_member(), factories.make_unit("Pine Hill"))
    category = make_category("complaint")
    specs = [
        ("customer_service", at(3, 2, 8), at(3, 2, 10), at(3, 5), at(3, 4), 5),
        ("customer_service", at(3, 10), at(3, 10, 6), at(3, 12), at(3, 15), 2),
        ("customer_service", at(4, 1), at(4, 1, 4), at(4, 3), None, None),
        ("property", at(5, 1), at(5, 1, 1), at(5, 3), at(5, 2), None),
    ]
    made = []
    for owner, unit, (department, created, first, due, resolved, rating) in zip(owners, units, specs,
                                                                                strict=True):
        complaint = make_complaint(owner, category=category, unit=unit)
        complaint.department, complaint.created_at, complaint.first_response_at = department, created, first
        complaint.resolution_due_at, complaint.next_due_at = due, None if resolved else due
        complaint.status = "resolved" if resolved else "in_progress"
        complaint.resolved_at, complaint.rating = resolved, rating
        complaint.rated_at = resolved if rating else None
        made.append(complaint)
    db.session.flush()
    return units[0].building.development_id  # Jade Lake
