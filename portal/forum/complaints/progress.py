"""The progress line a homeowner reads on their complaint: submitted → accepted → in
progress → resolved, each step with when it was reached and by whom, and what is due next.

Built from what the workflow already keeps (the complaint's status, clocks and its
`ComplaintEvent` history); nothing here writes. Steps a complaint skipped (staff may
resolve straight from "open") are shown as reached, without a time of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_pgettext as _lp

from portal.accounts.models import User
from portal.core.timeutil import utcnow
from portal.forum.models import Complaint, ComplaintStatus

S = ComplaintStatus

# step → the statuses that reach it
STEPS = (
    ("submitted", _lp("complaint progress", "Submitted"), (S.OPEN,)),
    ("accepted", _lp("complaint progress", "Accepted"), (S.ACKNOWLEDGED,)),
    ("in_progress", _lp("complaint progress", "In progress"), (S.IN_PROGRESS, S.WAITING)),
    ("resolved", _lp("complaint progress", "Resolved"), (S.RESOLVED, S.CLOSED)),
)
RANK = {S.OPEN: 0, S.ACKNOWLEDGED: 1, S.IN_PROGRESS: 2, S.WAITING: 2, S.RESOLVED: 3, S.CLOSED: 3}

# The words beside the stars of a rating (1 … 5).
RATING_WORDS = {
    1: _lp("complaint rating", "Very dissatisfied"),
    2: _lp("complaint rating", "Dissatisfied"),
    3: _lp("complaint rating", "Neutral"),
    4: _lp("complaint rating", "Satisfied"),
    5: _lp("complaint rating", "Very satisfied"),
}


def rating_word(rating: int | None) -> str:
    return str(RATING_WORDS[rating]) if rating in RATING_WORDS else ""


@dataclass(frozen=True)
class Step:
    code: str
    label: str
    done: bool
    current: bool
    at: datetime | None  # when it was (last) reached; None when skipped or not yet
    by: User | None  # who moved it there (the author for "submitted")


@dataclass(frozen=True)
class Progress:
    steps: list[Step]
    ticket_number: str
    # What the owner waits for next, with its deadline (None once resolved).
    reply_due_at: datetime | None  # no official reply yet
    resolution_due_at: datetime | None  # still being handled
    is_waiting_for_owner: bool
    reply_overdue: bool
    resolution_overdue: bool
    escalated_at: datetime | None
    escalation_note: str


def progress(complaint: Complaint, now: datetime | None = None) -> Progress:
    """The progress line of `complaint` (its `history` must be loaded, or is loaded here)."""
    now = now or utcnow()
    rank = RANK[S(complaint.status)]
    steps = []
    for index, (code, label, statuses) in enumerate(STEPS):
        reached = [event for event in complaint.history
                   if event.kind != "escalated" and event.to_status in statuses]
        last = reached[-1] if reached else None
        if index == 0:
            at, by = complaint.created_at, complaint.thread.author
        elif last is not None and index <= rank:
            at, by = last.created_at, last.actor
        else:
            at, by = None, None
        steps.append(Step(code, str(label), done=index <= rank, current=index == rank,
                          at=at, by=by))
    active = rank < 3
    waiting = complaint.status == S.WAITING
    reply_due = complaint.first_response_due_at if active and complaint.first_response_at is None \
        else None
    resolution_due = complaint.resolution_due_at if active and not waiting else None
    return Progress(steps, complaint.ticket_number or "", reply_due, resolution_due, waiting,
                    reply_overdue=reply_due is not None and reply_due < now,
                    resolution_overdue=resolution_due is not None and resolution_due < now,
                    escalated_at=complaint.escalated_at,
                    escalation_note=complaint.escalation_note)

