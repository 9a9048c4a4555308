"""Complaints: the workflow (`workflow`), its two service-level clocks (`clocks`),
escalation and the periodic sweep (`escalation`), the staff queue (`queue`), the
homeowners' handling satisfaction (`satisfaction`), ticket numbers (`tickets`) and the
homeowner's progress line (`progress`), and who is told of what: the staff of each
department (`routing`).

Everything callers use is importable from `portal.forum.complaints`.
"""

from portal.forum.complaints.clocks import Clock, clock, overdue_reason
from portal.forum.complaints.escalation import (
    ESCALATION_NOTICES,
    Sweep,
    escalate,
    escalate_overdue,
    escalation_sweep,
    member_escalate,
    sweep,
)
from portal.forum.complaints.progress import RATING_WORDS, Progress, Step, progress, rating_word
from portal.forum.complaints.queue import (
    QUEUE_PER_PAGE,
    QueueFilters,
    QueuePage,
    handlers,
    queue_page,
    queue_query,
)
from portal.forum.complaints.routing import (
    StaffPage,
    add_department_staff,
    add_department_staff_by_id,
    alert_department,
    department_member,
    department_staff_ids,
    departments_of,
    remove_department_staff,
    staff_page,
)
from portal.forum.complaints.satisfaction import RatingFigure, complaint_satisfaction
from portal.forum.complaints.tickets import format_ticket, parse_ticket
from portal.forum.complaints.workflow import (
    STAFF_TRANSITIONS,
    STATUS_NOTICES,
    LeadsPage,
    assign,
    bulk_assign,
    change_status,
    complaint_link,
    complaints_by_ids,
    department_leads,
    homeowner_replied,
    leads_page,
    notice_params,
    open_complaint,
    rate,
    record_first_response,
    reopen,
    set_department_lead,
    set_department_lead_by_id,
    update_complaint,
)

__all__ = [
    "RATING_WORDS", "Progress", "Step", "format_ticket", "parse_ticket", "progress", "rating_word",
    "ESCALATION_NOTICES", "QUEUE_PER_PAGE", "STAFF_TRANSITIONS", "STATUS_NOTICES", "Clock", "LeadsPage",
    "QueueFilters", "QueuePage", "RatingFigure", "Sweep", "assign", "bulk_assign", "change_status", "clock",
    "complaint_satisfaction", "complaints_by_ids",
    "department_leads", "escalate", "escalate_overdue", "escalation_sweep",
    "handlers", "homeowner_replied", "leads_page", "member_escalate", "open_complaint", "overdue_reason",
    "queue_page", "queue_query", "rate", "record_first_response", "reopen",
    "set_department_lead", "set_department_lead_by_id", "sweep", "update_complaint",
    "StaffPage", "add_department_staff", "add_department_staff_by_id", "alert_department",
    "complaint_link", "department_member", "department_staff_ids", "departments_of", "notice_params",
    "remove_department_staff", "staff_page",
]
