"""The staff queue of complaints: filters, order, and what each row shows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import nulls_last, select
from sqlalchemy.orm import contains_eager, joinedload

from portal.accounts.models import Building, Development, Unit, User
from portal.accounts.permissions import P
from portal.accounts.services import developments, staff_with
from portal.core.loaders import query_id
from portal.core.pagination import paginate
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.forum.complaints.clocks import Clock, clock
from portal.forum.complaints.tickets import parse_ticket
from portal.forum.models import (
    ACTIVE_STATUSES,
    Channel,
    Complaint,
    ComplaintStatus,
    Department,
    Thread,
)

QUEUE_PER_PAGE = 30


@dataclass(frozen=True)
class QueueFilters:
    status: str = "active"  # "active", "all" or a status
    department: str = ""
    assignee: str = ""  # "", "me", "none" or a user id
    overdue: bool = False
    development_id: int | None = None
    ticket: str = ""  # a ticket number ("C-2026-000123"); anything else is ignored
    channel: str = ""  # "" (any) or a `Channel`

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> QueueFilters:
        """Filters from a query string; anything unknown (or a 20-digit id) is ignored."""
        status = args.get("status", "active")
        if status not in {"active", "all", *(s.value for s in ComplaintStatus)}:
            status = "active"
        department = args.get("department", "")
        assignee = args.get("assignee", "")
        if assignee not in ("me", "none"):
            assignee_id = query_id(assignee)
            assignee = str(assignee_id) if assignee_id is not None else ""
        return cls(status=status,
                   department=department if department in {d.value for d in Department} else "",
                   assignee=assignee, overdue=args.get("overdue") == "1",
                   development_id=query_id(args.get("development")),
                   ticket=parse_ticket(args.get("ticket", "")[:40]) or "",
                   channel=channel if (channel := args.get("channel", "")) in Channel.labels() else "")


def queue_query(filters: QueueFilters, me: User, now: datetime | None = None):
    """The staff queue: what falls due first on top, then complaints with no running clock."""
    now = now or utcnow()
    query = (
        select(Complaint).join(Complaint.thread)
        .options(contains_eager(Complaint.thread).joinedload(Thread.author),
                 contains_eager(Complaint.thread).joinedload(Thread.category),
                 joinedload(Complaint.assignee), joinedload(Complaint.recorded_by),
                 joinedload(Complaint.unit).joinedload(Unit.building).joinedload(Building.development))
        .where(Thread.merged_into_id.is_(None))
        .order_by(nulls_last(Complaint.next_due_at.asc()), Complaint.id)
    )
    if filters.status == "active":
        query = query.where(Complaint.status.in_([s.value for s in ACTIVE_STATUSES]))
    elif filters.status in {s.value for s in ComplaintStatus}:
        query = query.where(Complaint.status == filters.status)
    if filters.department in {d.value for d in Department}:
        query = query.where(Complaint.department == filters.department)
    if filters.assignee == "me":
        query = query.where(Complaint.assignee_id == me.id)
    elif filters.assignee == "none":
        query = query.where(Complaint.assignee_id.is_(None))
    elif (assignee_id := query_id(filters.assignee)) is not None:
        query = query.where(Complaint.assignee_id == assignee_id)
    if filters.overdue:
        query = query.where(Complaint.next_due_at < now)
    if filters.channel:
        query = query.where(Complaint.channel == filters.channel)
    if filters.ticket:
        query = query.where(Complaint.ticket_number == filters.ticket)
    if filters.development_id:
        query = query.where(Complaint.unit_id.in_(select(Unit.id).join(Building).where(
            Building.development_id == filters.development_id)))
    return query


def handlers() -> list[User]:
    """Staff who may be assigned complaints."""
    return list(db.session.scalars(staff_with(P.HANDLE_COMPLAINTS)))


@dataclass(frozen=True)
class QueuePage:
    page: Pagination
    clocks: dict[int, Clock]
    handlers: list[User]
    developments: list[Development]


def queue_page(filters: QueueFilters, me: User, page: int = 1,
               now: datetime | None = None) -> QueuePage:
    """One page of the queue with each complaint's clocks, and the filters' choices."""
    now = now or utcnow()
    result = paginate(queue_query(filters, me, now), QUEUE_PER_PAGE, page=page)
    return QueuePage(page=result, clocks={c.id: clock(c, now) for c in result.items},
                     handlers=handlers(), developments=developments())
