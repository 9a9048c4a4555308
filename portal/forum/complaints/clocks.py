"""The two service-level clocks of a complaint.

Targets are copied from the category when the complaint is raised:
- first response: from creation to the first official staff reply (`first_response_at`);
- resolution: from creation to `resolved_at`, minus the time spent waiting for the
  homeowner (`paused_seconds`; while waiting, `waiting_since` is set and the deadline
  `resolution_due_at` is pushed back by the pause when it ends). The time between a
  resolution and a reopen is not counted either.
`next_due_at` is the earliest deadline still running and is what the staff queue sorts
by; a complaint past it is overdue (portal/forum/complaints/escalation.py).

Every function takes `now` so tests can drive the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from portal.core.timeutil import utcnow
from portal.forum.models import Complaint, ComplaintStatus

S = ComplaintStatus


def refresh_next_due(complaint: Complaint) -> None:
    """Set `next_due_at` to the earliest deadline still running (None when none runs)."""
    deadlines = []
    if complaint.status not in (S.RESOLVED, S.CLOSED):
        if complaint.first_response_at is None:
            deadlines.append(complaint.first_response_due_at)
        if complaint.status != S.WAITING:
            deadlines.append(complaint.resolution_due_at)
    complaint.next_due_at = min(deadlines) if deadlines else None


def pause_resolution_clock(complaint: Complaint, since: datetime, now: datetime) -> None:
    """Count `since`..`now` as paused: the resolution deadline moves back by as much."""
    paused = timedelta(seconds=max(0, int((now - since).total_seconds())))
    complaint.paused_seconds += int(paused.total_seconds())
    complaint.resolution_due_at += paused


def overdue_reason(complaint: Complaint, now: datetime) -> str:
    """Which clock ran out: "first_response" while no official reply came, else "resolution"."""
    if complaint.first_response_at is None and now > complaint.first_response_due_at:
        return "first_response"
    return "resolution"


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
    """Where both clocks of `complaint` stand at `now`."""
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
