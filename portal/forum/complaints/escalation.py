"""Escalation: a complaint past a deadline (or one the homeowner escalates) is marked
escalated once, and its department lead and the admins are told (always by e-mail), and
the department's staff (by e-mail per their own setting).

The sweep runs as a periodic job every 15 minutes (`escalation_sweep`, started by the
`flask jobs worker` scheduler) and as `flask complaints escalate`; both call `sweep`,
which is idempotent: an escalated complaint is never picked again, and row locks keep
concurrent sweeps and status changes apart.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.accounts.models import User
from portal.accounts.permissions import P
from portal.accounts.services import staff_with
from portal.audit.services import record_action
from portal.core.i18n import N_
from portal.core.jobs import crontab, periodic_job
from portal.core.timeutil import utcnow
from portal.core.uow import unit_of_work
from portal.extensions import db
from portal.forum.common import ForumError, tell
from portal.forum.complaints.clocks import overdue_reason
from portal.forum.complaints.routing import ESCALATED_SUBJECT, alert_department
from portal.forum.complaints.workflow import complaint_link, lock, notice_params, record_event
from portal.forum.models import ACTIVE_STATUSES, Complaint, DepartmentLead, Thread
from portal.forum.rules import can_escalate

log = logging.getLogger(__name__)

ESCALATION_NOTICES = {
    "first_response": N_("Complaint %(ticket)s “%(title)s” is escalated: no official reply "
                         "within the target."),
    "resolution": N_("Complaint %(ticket)s “%(title)s” is escalated: not resolved within the "
                     "target."),
    "member": N_("Complaint %(ticket)s “%(title)s” is escalated at the homeowner's request: "
                 "%(note)s"),
}
# Stored before ticket numbers (kept translated, see workflow.NOTICES_BEFORE_TICKETS).
ESCALATIONS_BEFORE_TICKETS = (
    N_("Complaint “%(title)s” is escalated: no official reply within the target."),
    N_("Complaint “%(title)s” is escalated: not resolved within the target."),
    N_("Complaint “%(title)s” is escalated at the homeowner's request."),
)
MAX_ESCALATION_NOTE = 500
SWEEP_BATCH = 200


class Sweep(NamedTuple):
    escalated: int
    emails: int


def _admins() -> list[User]:
    return list(db.session.scalars(staff_with(P.MANAGE_SETTINGS)))


def escalate(complaint: Complaint, reason: str, *, actor: User | None = None, note: str = "",
             now: datetime | None = None, ip: str | None = None) -> int:
    """Mark the complaint escalated (once) and tell its department lead and the admins,
    in the app and by e-mail, and the department's staff (e-mail per their setting, by
    the job queue). Returns the number of e-mails queued to the lead and the admins (0 if
    it already was escalated).
    `note` is the homeowner's own reason (member escalations)."""
    now = now or utcnow()
    lock(complaint)
    if complaint.escalated_at is not None:
        return 0
    complaint.escalated_at = now
    complaint.escalation_reason = reason
    complaint.escalation_note = note
    record_event(complaint, actor, complaint.status, complaint.status, "escalated", now)
    db.session.flush()
    record_action(actor, "complaint.escalate", complaint,
                  {"reason": reason, **({"note": note} if note else {})}, ip)
    recipients = {u.id: u for u in _admins()}
    lead = db.session.get(DepartmentLead, complaint.department)
    if lead is not None:
        recipients.setdefault(lead.user_id, lead.user)
    params = {**notice_params(complaint), "note": note}
    emails = sum(tell(user, "complaint", ESCALATION_NOTICES[reason], params,
                      complaint_link(complaint), subject=ESCALATED_SUBJECT)
                 for user in recipients.values())
    alert_department(complaint, ESCALATION_NOTICES[reason], params, complaint_link(complaint),
                     subject=ESCALATED_SUBJECT, urgent=True,
                     skip={*recipients, getattr(actor, "id", None)})
    return emails


def member_escalate(complaint: Complaint, author: User, reason: str, *,
                    now: datetime | None = None, ip: str | None = None) -> None:
    """The author's "escalate" button, once the first-response target has passed; the
    author must say why (stored, shown on the complaint, audited and sent to the lead)."""
    now = now or utcnow()
    lock(complaint)
    if not can_escalate(author, complaint, now):
        raise ForumError(_l("This complaint cannot be escalated now."))
    note = " ".join((reason or "").split())
    if not note:
        raise ForumError(_l("Say why the complaint needs escalating."), field="reason")
    if len(note) > MAX_ESCALATION_NOTE:
        raise ForumError(_l("The reason is too long (at most %(max)d characters).",
                            max=MAX_ESCALATION_NOTE), field="reason")
    escalate(complaint, "member", actor=author, note=note, now=now, ip=ip)


def _escalate_batch(now: datetime, after_id: int, batch: int) -> tuple[Sweep, int | None]:
    """Escalate the next `batch` overdue complaints with ids above `after_id`; returns
    what was done and the last id looked at (None when there were none left)."""
    due = db.session.scalars(
        select(Complaint).options(joinedload(Complaint.thread).joinedload(Thread.author))
        .where(Complaint.escalated_at.is_(None), Complaint.next_due_at < now,
               Complaint.status.in_([s.value for s in ACTIVE_STATUSES]), Complaint.id > after_id)
        .order_by(Complaint.id).limit(batch)).all()
    if not due:
        return Sweep(0, 0), None
    escalated = emails = 0
    for complaint in due:
        lock(complaint)  # a reply or resolve may have landed since the select
        if (complaint.escalated_at is None and complaint.status in ACTIVE_STATUSES
                and complaint.next_due_at is not None and complaint.next_due_at < now):
            emails += escalate(complaint, overdue_reason(complaint, now), now=now)
            escalated += 1
    return Sweep(escalated, emails), due[-1].id


def escalate_overdue(now: datetime | None = None, batch: int = SWEEP_BATCH) -> Sweep:
    """Escalate every active complaint past a deadline that is not escalated yet.

    Idempotent. Flushes only: the caller's unit of work commits (see `sweep` for the
    chunked entry point of the job and the CLI).
    """
    now = now or utcnow()
    escalated = emails = 0
    after_id: int | None = 0
    while after_id is not None:
        done, after_id = _escalate_batch(now, after_id, batch)
        escalated, emails = escalated + done.escalated, emails + done.emails
    return Sweep(escalated, emails)


def sweep(now: datetime | None = None, batch: int = SWEEP_BATCH) -> Sweep:
    """`escalate_overdue` with one unit of work per batch, for the periodic job and
    `flask complaints escalate`: a crash loses one batch at most, and the e-mails of a
    batch leave once it is committed."""
    now = now or utcnow()
    escalated = emails = 0
    after_id: int | None = 0
    while after_id is not None:
        with unit_of_work():
            done, after_id = _escalate_batch(now, after_id, batch)
        escalated, emails = escalated + done.escalated, emails + done.emails
    return Sweep(escalated, emails)


@periodic_job(crontab(minute="*/15"))
def escalation_sweep() -> None:
    """Every 15 minutes: escalate the complaints that fell overdue since the last run."""
    result = sweep()
    if result.escalated:
        log.info("escalated %d complaint(s); %d e-mail(s) queued", *result)
