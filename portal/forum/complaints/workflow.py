"""The complaint workflow: status, assignment, the homeowner's reopen and rating.

Status: open → acknowledged → in progress → (waiting for homeowner) → resolved → closed.
Staff move a complaint along `STAFF_TRANSITIONS`; the author may reopen it within
14 days of its resolution. Any other move is refused. The clocks each move starts,
pauses or stops are in `clocks.py`.

Services flush; the request's unit of work commits. What the author or an assignee is
told is written here once: the in-app notice now, the e-mail sent after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.accounts.models import Unit, User
from portal.audit.services import record_action
from portal.core.i18n import N_
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.forum.common import ForumError, tell
from portal.forum.complaints.clocks import pause_resolution_clock, refresh_next_due
from portal.forum.complaints.queue import handlers
from portal.forum.complaints.routing import (
    ARRIVED,
    ASSIGNED,
    RECORDED,
    REOPENED,
    alert_assignee,
    alert_department,
)
from portal.forum.complaints.tickets import format_ticket
from portal.forum.models import (
    Category,
    Channel,
    Complaint,
    ComplaintEvent,
    ComplaintStatus,
    Department,
    DepartmentLead,
    Priority,
    Thread,
)
from portal.forum.rules import can_handle_complaint, can_rate, can_reopen
from portal.points import services as points

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
    S.ACKNOWLEDGED: N_("Your complaint %(ticket)s “%(title)s” has been accepted."),
    S.IN_PROGRESS: N_("Your complaint %(ticket)s “%(title)s” is being worked on."),
    S.WAITING: N_("Staff are waiting for your answer on complaint %(ticket)s “%(title)s”."),
    S.RESOLVED: N_("Your complaint %(ticket)s “%(title)s” is resolved. Please rate how it was "
                   "handled."),
    S.CLOSED: N_("Your complaint %(ticket)s “%(title)s” is closed."),
}
# Notifications stored before ticket numbers are read with these msgids: keep them in the
# catalogs so they stay translated.
NOTICES_BEFORE_TICKETS = (
    N_("Your complaint “%(title)s” has been acknowledged."),
    N_("Your complaint “%(title)s” is being worked on."),
    N_("Staff are waiting for your answer on “%(title)s”."),
    N_("Your complaint “%(title)s” is resolved. Please rate how it was handled."),
    N_("Your complaint “%(title)s” is closed."),
    N_("The homeowner reopened the complaint “%(title)s”."),
    N_("You were assigned the complaint “%(title)s”."),
)
# Status changes the author also hears of by e-mail: the ball is in their court.
EMAILED_STATUSES = (S.WAITING, S.RESOLVED)


def complaint_link(complaint: Complaint) -> str:
    return f"/forum/t/{complaint.thread_id}"


def notice_params(complaint: Complaint) -> dict:
    """What every complaint notice and e-mail names: the ticket number and the title."""
    return {"ticket": complaint.ticket_number or "", "title": complaint.thread.title}


def open_complaint(thread: Thread, category: Category, unit: Unit | None,
                   now: datetime | None = None, *, recorded_by: User | None = None,
                   channel: str = Channel.ONLINE.value) -> Complaint:
    """Start the clocks of a new complaint thread (called by `services.start_thread`) and
    tell the staff of its department. `recorded_by`: the staff member who recorded it for
    the author, who phoned or came by (`channel`)."""
    now = now or utcnow()
    complaint = Complaint(
        thread=thread, unit=unit, department=category.default_department, created_at=now,
        status=S.OPEN.value, paused_seconds=0, channel=str(channel),
        recorded_by_id=getattr(recorded_by, "id", None),
        first_response_due_at=now + timedelta(hours=category.first_response_hours),
        resolution_due_at=now + timedelta(hours=category.resolution_hours),
    )
    refresh_next_due(complaint)
    db.session.add(complaint)
    db.session.flush()  # the id the ticket number is made of
    complaint.ticket_number = format_ticket(complaint.id, now)
    record_event(complaint, recorded_by or thread.author, "", S.OPEN, "status", now)
    alert_department(complaint, RECORDED if recorded_by is not None else ARRIVED,
                     notice_params(complaint), complaint_link(complaint),
                     skip={thread.author.id, getattr(recorded_by, "id", None)})
    return complaint


def lock(complaint: Complaint) -> None:
    """Reload the complaint under a row lock (PostgreSQL) before changing it, so that
    concurrent replies, status changes and the escalation sweep apply one after another."""
    if complaint.id is not None:
        db.session.execute(select(Complaint.id).where(Complaint.id == complaint.id).with_for_update())
        db.session.refresh(complaint)  # what the previous lock holder committed


def record_event(complaint: Complaint, actor, old: str, new: str, kind: str,
                 now: datetime) -> None:
    """One line of the complaint's timeline (status change, escalation, reopen)."""
    db.session.add(ComplaintEvent(complaint=complaint, actor_id=getattr(actor, "id", None),
                                  from_status=str(old), to_status=str(new), kind=kind,
                                  created_at=now))


def _set_status(complaint: Complaint, new: str, actor, now: datetime, kind: str = "status") -> str:
    old = complaint.status
    if old == S.WAITING and complaint.waiting_since is not None:
        pause_resolution_clock(complaint, complaint.waiting_since, now)
        complaint.waiting_since = None
    complaint.status = str(new)
    if new == S.WAITING:
        complaint.waiting_since = now
    elif new == S.RESOLVED:
        complaint.resolved_at = now
    elif new == S.CLOSED:
        complaint.closed_at = now
    refresh_next_due(complaint)
    record_event(complaint, actor, old, new, kind, now)
    return old


def change_status(complaint: Complaint, actor: User, new_status: str, *,
                  now: datetime | None = None, ip: str | None = None) -> None:
    """A complaint handler moves the complaint on; refuses moves not in STAFF_TRANSITIONS.
    The author is told (by e-mail too when it is their turn: waiting, resolved)."""
    now = now or utcnow()
    if not can_handle_complaint(actor):
        raise ForumError(_l("Only complaint handlers can change the status."), field="status")
    lock(complaint)
    if new_status not in {s.value for s in S}:
        raise ForumError(_l("Unknown status."), field="status")
    if new_status not in STAFF_TRANSITIONS[S(complaint.status)]:
        raise ForumError(_l("This complaint cannot move from its current status to the one "
                            "chosen."), field="status")
    old = _set_status(complaint, new_status, actor, now)
    db.session.flush()
    record_action(actor, "complaint.status", complaint, {"from": old, "to": new_status}, ip)
    tell(complaint.thread.author, "complaint", STATUS_NOTICES[S(new_status)],
         notice_params(complaint), complaint_link(complaint),
         subject=N_("Your complaint %(ticket)s: %(title)s") if new_status in EMAILED_STATUSES
         else None)


def record_first_response(complaint: Complaint, staff: User, now: datetime | None = None) -> None:
    """An official reply was posted: stop the first-response clock (once) and acknowledge."""
    now = now or utcnow()
    lock(complaint)
    if complaint.first_response_at is None:
        complaint.first_response_at = now
        if complaint.status == S.OPEN:
            _set_status(complaint, S.ACKNOWLEDGED, staff, now)
        refresh_next_due(complaint)


def homeowner_replied(complaint: Complaint, author: User, now: datetime | None = None) -> None:
    """The author answered while staff waited: the resolution clock runs again."""
    lock(complaint)
    if complaint.status == S.WAITING:
        _set_status(complaint, S.IN_PROGRESS, author, now or utcnow())


def reopen(complaint: Complaint, author: User, *, now: datetime | None = None,
           ip: str | None = None) -> None:
    """The author reopens a resolved (or closed) complaint within 14 days of its resolution."""
    now = now or utcnow()
    lock(complaint)
    if not can_reopen(author, complaint, now):
        raise ForumError(_l("This complaint can no longer be reopened."))
    resolved_at = complaint.resolved_at
    old = complaint.status
    complaint.status = S.IN_PROGRESS.value
    pause_resolution_clock(complaint, resolved_at, now)
    complaint.resolved_at = complaint.closed_at = complaint.rated_at = complaint.rating = None
    complaint.rating_comment = ""
    refresh_next_due(complaint)
    record_event(complaint, author, old, S.IN_PROGRESS, "reopened", now)
    db.session.flush()
    record_action(author, "complaint.reopen", complaint, {"from": old}, ip)
    # The department's staff and the assignee, each once.
    alert_department(complaint, REOPENED, notice_params(complaint), complaint_link(complaint),
                     also=(complaint.assignee_id,), skip={author.id})


def rate(complaint: Complaint, author: User, rating: int, comment: str = "", *,
         now: datetime | None = None) -> None:
    """The author rates the handling of a resolved complaint, 1 (poor) to 5 (excellent)."""
    lock(complaint)
    if not can_rate(author, complaint):
        raise ForumError(_l("You can rate a complaint once, after it is resolved."), field="rating")
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ForumError(_l("Choose a rating from 1 to 5."), field="rating")
    complaint.rating = rating
    complaint.rating_comment = comment.strip()[:1000]
    complaint.rated_at = now or utcnow()
    db.session.flush()
    points.reward_complaint_rating(author, complaint.thread_id)


def _handler(user_id: int | None) -> User | None:
    """The complaint handler with this id (None: nobody); refuses anyone else."""
    if user_id is None:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.is_active_account or not can_handle_complaint(user):
        raise ForumError(_l("Complaints can only be assigned to complaint handlers."),
                         field="assignee")
    return user


def assign(complaint: Complaint, actor: User, *, department: str | None = None,
           assignee: User | None | bool = False, priority: str | None = None,
           ip: str | None = None) -> None:
    """Set department, assignee (None: nobody; False: unchanged) and priority; a new
    assignee (other than the actor) is told in the app, and by e-mail per their setting."""
    if not can_handle_complaint(actor):
        raise ForumError(_l("Only complaint handlers can assign complaints."))
    lock(complaint)
    changes: dict[str, list] = {}
    if department is not None and department != complaint.department:
        if department not in {d.value for d in Department}:
            raise ForumError(_l("Unknown department."), field="department")
        changes["department"] = [complaint.department, department]
        complaint.department = department
    if priority is not None and priority != complaint.priority:
        if priority not in {p.value for p in Priority}:
            raise ForumError(_l("Unknown priority."), field="priority")
        changes["priority"] = [complaint.priority, priority]
        complaint.priority = priority
    if assignee is not False and getattr(assignee, "id", None) != complaint.assignee_id:
        if assignee is not None and not can_handle_complaint(assignee):
            raise ForumError(_l("Complaints can only be assigned to complaint handlers."),
                             field="assignee")
        changes["assignee"] = [complaint.assignee_id, getattr(assignee, "id", None)]
        complaint.assignee = assignee
        if assignee is not None and assignee.id != actor.id:
            alert_assignee(assignee, ASSIGNED, notice_params(complaint), complaint_link(complaint))
    if changes:
        db.session.flush()
        record_action(actor, "complaint.assign", complaint, changes, ip)


def update_complaint(complaint: Complaint, actor: User, *, status: str, department: str,
                     assignee_id: int | None, priority: str, ip: str | None = None) -> None:
    """The staff panel of a complaint thread: status, department, assignee and priority
    in one go (the status first, so its audit entry and notice come first)."""
    if status != complaint.status:
        change_status(complaint, actor, status, ip=ip)
    assign(complaint, actor, department=department, assignee=_handler(assignee_id),
           priority=priority, ip=ip)


def complaints_by_ids(ids: list[int]) -> list[Complaint] | None:
    """The complaints with these ids, or None when any of them does not exist."""
    wanted = set(ids)
    complaints = list(db.session.scalars(select(Complaint).where(Complaint.id.in_(wanted))
                                         .order_by(Complaint.id)))
    return complaints if len(complaints) == len(wanted) else None


def bulk_assign(complaints: list[Complaint], actor: User, assignee_id: int | None,
                ip: str | None = None) -> int:
    """Assign every complaint to one handler (None: nobody); returns how many."""
    assignee = _handler(assignee_id)
    for complaint in complaints:
        assign(complaint, actor, assignee=assignee, ip=ip)
    return len(complaints)


def set_department_lead(department: str, user: User | None, actor: User,
                        ip: str | None = None) -> None:
    """Who is told (besides the admins) when a complaint of `department` is escalated."""
    if department not in {d.value for d in Department}:
        raise ForumError(_l("Unknown department."), field="department")
    if user is not None and not can_handle_complaint(user):
        raise ForumError(_l("A department lead must be a complaint handler."), field="lead")
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


def set_department_lead_by_id(department: str, user_id: int | None, actor: User,
                              ip: str | None = None) -> None:
    """`set_department_lead` for a posted user id (None: nobody)."""
    user = db.session.get(User, user_id) if user_id is not None else None
    if user_id is not None and user is None:
        raise ForumError(_l("A department lead must be a complaint handler."), field="lead")
    set_department_lead(department, user, actor, ip)


def department_leads() -> dict[str, User]:
    """The lead of each department that has one."""
    return {lead.department: lead.user for lead in db.session.scalars(select(DepartmentLead))}


@dataclass(frozen=True)
class LeadsPage:
    leads: dict[str, User]  # department → its lead
    handlers: list[User]  # who may be made a lead


def leads_page() -> LeadsPage:
    """The department leads page: each department's lead and the handlers to choose from."""
    return LeadsPage(department_leads(), handlers())
