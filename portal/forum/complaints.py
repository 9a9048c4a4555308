"""The complaint workflow and its two service-level clocks.

Status: open → acknowledged → in progress → (waiting for homeowner) → resolved → closed.
Staff move a complaint along `STAFF_TRANSITIONS`; the author may reopen it within
14 days of its resolution. Any other move is refused.

Clocks (targets copied from the category when the complaint is raised):
- first response: from creation to the first official staff reply (`first_response_at`);
- resolution: from creation to `resolved_at`, minus the time spent waiting for the
  homeowner (`paused_seconds`; while waiting, `waiting_since` is set and the deadline
  `resolution_due_at` is pushed back by the pause when it ends). The time between a
  resolution and a reopen is not counted either.
`next_due_at` is the earliest deadline still running and is what the staff queue sorts
by; a complaint past it is overdue and `escalate_overdue` (the `flask complaints
escalate` cron job) escalates it exactly once.

Every function takes `now` (default: the current UTC time) so tests can drive the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import nulls_last, select
from sqlalchemy.orm import contains_eager, joinedload

from portal.accounts.models import Building, Unit, User
from portal.accounts.permissions import ROLE_PERMISSIONS, P
from portal.audit.services import record_action
from portal.core.i18n import N_
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.forum.common import ForumError, Outbox
from portal.forum.models import (
    ACTIVE_STATUSES,
    Category,
    Complaint,
    ComplaintEvent,
    ComplaintStatus,
    Department,
    DepartmentLead,
    Priority,
    Thread,
)
from portal.forum.rules import can_escalate, can_handle_complaint, can_rate, can_reopen

S = ComplaintStatus
STAFF_TRANSITIONS: dict[str, set[str]] = {
    S.OPEN: {S.ACKNOWLEDGED, S.IN_PROGRESS, S.WAITING, S.RESOLVED},
    S.ACKNOWLEDGED: {S.IN_PROGRESS, S.WAITING, S.RESOLVED},
    S.IN_PROGRESS: {S.WAITING, S.RESOLVED},
    S.WAITING: {S.IN_PROGRESS, S.RESOLVED},
    S.RESOLVED: {S.CLOSED},
    S.CLOSED: set(),
}

# What the author is told on each status change (msgids, translated when read).
STATUS_NOTICES = {
    S.ACKNOWLEDGED: N_("Your complaint “%(title)s” has been acknowledged."),
    S.IN_PROGRESS: N_("Your complaint “%(title)s” is being worked on."),
    S.WAITING: N_("Staff are waiting for your answer on “%(title)s”."),
    S.RESOLVED: N_("Your complaint “%(title)s” is resolved. Please rate how it was handled."),
    S.CLOSED: N_("Your complaint “%(title)s” is closed."),
}
ESCALATION_NOTICES = {
    "first_response": N_("Complaint “%(title)s” is escalated: no official reply within the target."),
    "resolution": N_("Complaint “%(title)s” is escalated: not resolved within the target."),
    "member": N_("Complaint “%(title)s” is escalated at the homeowner's request."),
}


def _link(complaint: Complaint) -> str:
    return f"/forum/t/{complaint.thread_id}"


def open_complaint(thread: Thread, category: Category, unit: Unit | None,
                   now: datetime | None = None) -> Complaint:
    """Start the clocks of a new complaint thread (called by `services.start_thread`)."""
    now = now or utcnow()
    complaint = Complaint(
        thread=thread, unit=unit, department=category.default_department, created_at=now,
        status=S.OPEN.value, paused_seconds=0,
        first_response_due_at=now + timedelta(hours=category.first_response_hours),
        resolution_due_at=now + timedelta(hours=category.resolution_hours),
    )
    _refresh_next_due(complaint)
    db.session.add(complaint)
    _event(complaint, thread.author, "", S.OPEN, "status", now)
    return complaint


def _lock(complaint: Complaint) -> None:
    """Reload the complaint under a row lock (PostgreSQL) before changing it, so that
    concurrent replies, status changes and the escalation sweep apply one after another."""
    if complaint.id is not None:
        db.session.execute(select(Complaint.id).where(Complaint.id == complaint.id).with_for_update())
        db.session.refresh(complaint)  # what the previous lock holder committed


def _refresh_next_due(complaint: Complaint) -> None:
    deadlines = []
    if complaint.status not in (S.RESOLVED, S.CLOSED):
        if complaint.first_response_at is None:
            deadlines.append(complaint.first_response_due_at)
        if complaint.status != S.WAITING:
            deadlines.append(complaint.resolution_due_at)
    complaint.next_due_at = min(deadlines) if deadlines else None


def _pause_resolution_clock(complaint: Complaint, since: datetime, now: datetime) -> None:
    """Count `since`..`now` as paused: the resolution deadline moves back by as much."""
    paused = timedelta(seconds=max(0, int((now - since).total_seconds())))
    complaint.paused_seconds += int(paused.total_seconds())
    complaint.resolution_due_at += paused


def _event(complaint: Complaint, actor, old: str, new: str, kind: str, now: datetime) -> None:
    db.session.add(ComplaintEvent(complaint=complaint, actor_id=getattr(actor, "id", None),
                                  from_status=str(old), to_status=str(new), kind=kind,
                                  created_at=now))


def _set_status(complaint: Complaint, new: str, actor, now: datetime, kind: str = "status") -> str:
    old = complaint.status
    if old == S.WAITING and complaint.waiting_since is not None:
        _pause_resolution_clock(complaint, complaint.waiting_since, now)
        complaint.waiting_since = None
    complaint.status = str(new)
    if new == S.WAITING:
        complaint.waiting_since = now
    elif new == S.RESOLVED:
        complaint.resolved_at = now
    elif new == S.CLOSED:
        complaint.closed_at = now
    _refresh_next_due(complaint)
    _event(complaint, actor, old, new, kind, now)
    return old


def change_status(complaint: Complaint, actor: User, new_status: str, *,
                  now: datetime | None = None, ip: str | None = None) -> Outbox:
    """A complaint handler moves the complaint on; refuses moves not in STAFF_TRANSITIONS."""
    now = now or utcnow()
    if not can_handle_complaint(actor):
        raise ForumError(_l("Only complaint handlers can change the status."))
    _lock(complaint)
    if new_status not in {s.value for s in S}:
        raise ForumError(_l("Unknown status."))
    if new_status not in STAFF_TRANSITIONS[S(complaint.status)]:
        raise ForumError(_l("This complaint cannot move from its current status to the one chosen."))
    old = _set_status(complaint, new_status, actor, now)
    db.session.flush()
    record_action(actor, "complaint.status", complaint, {"from": old, "to": new_status}, ip)
    outbox = Outbox()
    author = complaint.thread.author
    wants_mail = new_status in (S.WAITING, S.RESOLVED)
    outbox.notify(author, "complaint", STATUS_NOTICES[S(new_status)],
                  {"title": complaint.thread.title}, _link(complaint),
                  subject=N_("Your complaint: %(title)s") if wants_mail else None)
    return outbox


def record_first_response(complaint: Complaint, staff: User, now: datetime | None = None) -> None:
    """An official reply was posted: stop the first-response clock (once) and acknowledge."""
    now = now or utcnow()
    _lock(complaint)
    if complaint.first_response_at is None:
        complaint.first_response_at = now
        if complaint.status == S.OPEN:
            _set_status(complaint, S.ACKNOWLEDGED, staff, now)
        _refresh_next_due(complaint)


def homeowner_replied(complaint: Complaint, author: User, now: datetime | None = None) -> None:
    """The author answered while staff waited: the resolution clock runs again."""
    _lock(complaint)
    if complaint.status == S.WAITING:
        _set_status(complaint, S.IN_PROGRESS, author, now or utcnow())


def reopen(complaint: Complaint, author: User, *, now: datetime | None = None,
           ip: str | None = None) -> Outbox:
    """The author reopens a resolved (or closed) complaint within 14 days of its resolution."""
    now = now or utcnow()
    _lock(complaint)
    if not can_reopen(author, complaint, now):
        raise ForumError(_l("This complaint can no longer be reopened."))
    resolved_at = complaint.resolved_at
    old = complaint.status
    complaint.status = S.IN_PROGRESS.value
    _pause_resolution_clock(complaint, resolved_at, now)
    complaint.resolved_at = complaint.closed_at = complaint.rated_at = complaint.rating = None
    complaint.rating_comment = ""
    _refresh_next_due(complaint)
    _event(complaint, author, old, S.IN_PROGRESS, "reopened", now)
    db.session.flush()
    record_action(author, "complaint.reopen", complaint, {"from": old}, ip)
    outbox = Outbox()
    if complaint.assignee is not None:
        outbox.notify(complaint.assignee, "complaint",
                      N_("The homeowner reopened the complaint “%(title)s”."),
                      {"title": complaint.thread.title}, _link(complaint))
    return outbox


def rate(complaint: Complaint, author: User, rating: int, comment: str = "", *,
         now: datetime | None = None) -> None:
    """The author rates the handling of a resolved complaint, 1 (poor) to 5 (excellent)."""
    _lock(complaint)
    if not can_rate(author, complaint):
        raise ForumError(_l("You can rate a complaint once, after it is resolved."))
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ForumError(_l("Choose a rating from 1 to 5."))
    complaint.rating = rating
    complaint.rating_comment = comment.strip()[:1000]
    complaint.rated_at = now or utcnow()
    db.session.flush()


def assign(complaint: Complaint, actor: User, *, department: str | None = None,
           assignee: User | None | bool = False, priority: str | None = None,
           ip: str | None = None) -> Outbox:
    """Set department, assignee (None: nobody; False: unchanged) and priority."""
    if not can_handle_complaint(actor):
        raise ForumError(_l("Only complaint handlers can assign complaints."))
    _lock(complaint)
    changes: dict[str, list] = {}
    if department is not None and department != complaint.department:
        if department not in {d.value for d in Department}:
            raise ForumError(_l("Unknown department."))
        changes["department"] = [complaint.department, department]
        complaint.department = department
    if priority is not None and priority != complaint.priority:
        if priority not in {p.value for p in Priority}:
            raise ForumError(_l("Unknown priority."))
        changes["priority"] = [complaint.priority, priority]
        complaint.priority = priority
    outbox = Outbox()
    if assignee is not False and getattr(assignee, "id", None) != complaint.assignee_id:
        if assignee is not None and not can_handle_complaint(assignee):
            raise ForumError(_l("Complaints can only be assigned to complaint handlers."))
        changes["assignee"] = [complaint.assignee_id, getattr(assignee, "id", None)]
        complaint.assignee = assignee
        if assignee is not None and assignee.id != actor.id:
            outbox.notify(assignee, "complaint", N_("You were assigned the complaint “%(title)s”."),
                          {"title": complaint.thread.title}, _link(complaint))
    if changes:
        db.session.flush()
        record_action(actor, "complaint.assign", complaint, changes, ip)
    return outbox


def bulk_assign(complaints: list[Complaint], actor: User, assignee: User | None,
                ip: str | None = None) -> Outbox:
    outbox = Outbox()
    for complaint in complaints:
        result = assign(complaint, actor, assignee=assignee, ip=ip)
        outbox.mails.extend(result.mails)
    return outbox


def _admins() -> list[User]:
    roles = [role.value for role, perms in ROLE_PERMISSIONS.items() if P.MANAGE_SETTINGS in perms]
    return list(db.session.scalars(
        select(User).where(User.role.in_(roles), User.is_active_account).order_by(User.id)))


def escalate(complaint: Complaint, reason: str, *, actor: User | None = None,
             now: datetime | None = None, ip: str | None = None, outbox: Outbox | None = None) -> Outbox:
    """Mark the complaint escalated (once) and tell its department lead and the admins."""
    now = now or utcnow()
    outbox = outbox if outbox is not None else Outbox()
    _lock(complaint)
    if complaint.escalated_at is not None:
        return outbox
    complaint.escalated_at = now
    complaint.escalation_reason = reason
    _event(complaint, actor, complaint.status, complaint.status, "escalated", now)
    db.session.flush()
    record_action(actor, "complaint.escalate", complaint, {"reason": reason}, ip)
    recipients = {u.id: u for u in _admins()}
    lead = db.session.get(DepartmentLead, complaint.department)
    if lead is not None:
        recipients.setdefault(lead.user_id, lead.user)
    for user in recipients.values():
        outbox.notify(user, "complaint", ESCALATION_NOTICES[reason],
                      {"title": complaint.thread.title}, _link(complaint),
                      subject=N_("Escalated complaint: %(title)s"))
    return outbox


def member_escalate(complaint: Complaint, author: User, *, now: datetime | None = None,
                    ip: str | None = None) -> Outbox:
    now = now or utcnow()
    _lock(complaint)
    if not can_escalate(author, complaint, now):
        raise ForumError(_l("This complaint cannot be escalated now."))
    return escalate(complaint, "member", actor=author, now=now, ip=ip)


def overdue_reason(complaint: Complaint, now: datetime) -> str:
    if complaint.first_response_at is None and now > complaint.first_response_due_at:
        return "first_response"
    return "resolution"


def escalate_overdue(now: datetime | None = None, batch: int = 200) -> tuple[int, Outbox]:
    """Escalate every active complaint past a deadline that is not escalated yet.

    Idempotent: an escalated complaint is never picked again. Flushes per batch; the
    caller commits.
    """
    now = now or utcnow()
    outbox, count, last_id = Outbox(), 0, 0
    while True:
        due = db.session.scalars(
            select(Complaint).options(joinedload(Complaint.thread).joinedload(Thread.author))
            .where(Complaint.escalated_at.is_(None), Complaint.next_due_at < now,
                   Complaint.status.in_([s.value for s in ACTIVE_STATUSES]), Complaint.id > last_id)
            .order_by(Complaint.id).limit(batch)).all()
        if not due:
            return count, outbox
        for complaint in due:
            _lock(complaint)  # a reply or resolve may have landed since the select
            if (complaint.escalated_at is None and complaint.status in ACTIVE_STATUSES
                    and complaint.next_due_at is not None and complaint.next_due_at < now):
                escalate(complaint, overdue_reason(complaint, now), now=now, outbox=outbox)
                count += 1
        last_id = due[-1].id


def set_department_lead(department: str, user: User | None, actor: User,
                        ip: str | None = None) -> None:
    if department not in {d.value for d in Department}:
        raise ForumError(_l("Unknown department."))
    if user is not None and not can_handle_complaint(user):
        raise ForumError(_l("A department lead must be a complaint handler."))
    lead = db.session.get(DepartmentLead, department)
    before = lead.user_id if lead else None
    if user is None:
        if lead is not None:
            db.session.delete(lead)
    elif lead is None:
        db.session.add(DepartmentLead(department=department, user_id=user.id))
    else:
        lead.user_id = user.id
    db.session.flush()
    record_action(actor, "complaint.department_lead", None,
                  {"department": department, "before": before, "after": getattr(user, "id", None)}, ip)


# --- what people see -------------------------------------------------------------------

@dataclass(frozen=True)
class Clock:
    """Both clocks of one complaint at `now`, for the thread page and the queue."""

    first_response_seconds: int | None  # "answered in 3 h"
    waiting_seconds: int | None  # "waiting 26 h" (no official reply yet)
    first_response_overdue: bool
    resolution_due_at: datetime  # pushed back while paused
    resolution_overdue: bool
    resolved_in_seconds: int | None  # handling time without pauses
    is_paused: bool
    due_in_seconds: int | None  # until next_due_at (negative: overdue)

    @property
    def is_overdue(self) -> bool:
        return self.due_in_seconds is not None and self.due_in_seconds < 0


def clock(complaint: Complaint, now: datetime | None = None) -> Clock:
    now = now or utcnow()
    answered = complaint.first_response_at
    due = complaint.resolution_due_at
    if complaint.waiting_since is not None:
        due = due + (now - complaint.waiting_since)
    if complaint.resolved_at is not None:
        resolution_overdue = complaint.resolved_at > due
        resolved_in = int((complaint.resolved_at - complaint.created_at).total_seconds()) \
            - complaint.paused_seconds
    else:
        resolution_overdue, resolved_in = now > due, None
    return Clock(
        first_response_seconds=int((answered - complaint.created_at).total_seconds())
        if answered else None,
        waiting_seconds=None if answered else int((now - complaint.created_at).total_seconds()),
        first_response_overdue=(answered or now) > complaint.first_response_due_at,
        resolution_due_at=due,
        resolution_overdue=resolution_overdue,
        resolved_in_seconds=resolved_in,
        is_paused=complaint.waiting_since is not None,
        due_in_seconds=int((complaint.next_due_at - now).total_seconds())
        if complaint.next_due_at else None,
    )


@dataclass(frozen=True)
class QueueFilters:
    status: str = "active"  # "active", "all" or a status
    department: str = ""
    assignee: str = ""  # "", "me", "none" or a user id
    overdue: bool = False
    development_id: int | None = None


def queue_query(filters: QueueFilters, me: User, now: datetime | None = None):
    """The staff queue: what falls due first on top, then complaints with no running clock."""
    now = now or utcnow()
    query = (
        select(Complaint).join(Complaint.thread)
        .options(contains_eager(Complaint.thread).joinedload(Thread.author),
                 contains_eager(Complaint.thread).joinedload(Thread.category),
                 joinedload(Complaint.assignee),
                 joinedload(Complaint.unit).joinedload(Unit.building).joinedload(Building.development))
        .where(Thread.merged_into_id.is_(None))
        .order_by(nulls_last(Complaint.next_due_at.asc()), Complaint.id)
    )
    if filters.status == "active":
        query = query.where(Complaint.status.in_([s.value for s in ACTIVE_STATUSES]))
    elif filters.status in {s.value for s in S}:
        query = query.where(Complaint.status == filters.status)
    if filters.department in {d.value for d in Department}:
        query = query.where(Complaint.department == filters.department)
    if filters.assignee == "me":
        query = query.where(Complaint.assignee_id == me.id)
    elif filters.assignee == "none":
        query = query.where(Complaint.assignee_id.is_(None))
    elif filters.assignee.isdigit():
        query = query.where(Complaint.assignee_id == int(filters.assignee))
    if filters.overdue:
        query = query.where(Complaint.next_due_at < now)
    if filters.development_id:
        query = query.where(Complaint.unit_id.in_(
            select(Unit.id).join(Building).where(Building.development_id == filters.development_id)))
    return query


def handlers() -> list[User]:
    """Staff who may be assigned complaints."""
    roles = [role.value for role, perms in ROLE_PERMISSIONS.items() if P.HANDLE_COMPLAINTS in perms]
    return list(db.session.scalars(
        select(User).where(User.role.in_(roles), User.is_active_account).order_by(User.display_name)))
