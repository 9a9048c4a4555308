"""Blocks the forum adds to the member home page (two queries each, whatever the data)."""

from __future__ import annotations

from flask_babel import get_locale
from sqlalchemy import nulls_last, select
from sqlalchemy.orm import contains_eager

from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.forum import complaints as complaint_rules
from portal.forum.models import ACTIVE_STATUSES, Category, CategoryKind, Complaint, Thread
from portal.forum.rules import can_handle_complaint, visible_threads

PANEL_SIZE = 5


def my_complaints_panel(user) -> dict:
    """Complaint handlers: the complaints assigned to them still being handled, what falls
    due first on top. Everyone else: their own complaints still being handled. With clocks."""
    now = utcnow()
    if can_handle_complaint(user):
        assigned = db.session.scalars(
            select(Complaint).join(Complaint.thread).options(contains_eager(Complaint.thread))
            .where(Complaint.assignee_id == user.id, Thread.merged_into_id.is_(None),
                   Complaint.status.in_([s.value for s in ACTIVE_STATUSES]))
            # ix_forum_complaints_assignee_id_next_due_at
            .order_by(nulls_last(Complaint.next_due_at.asc()), Complaint.id).limit(PANEL_SIZE)).all()
        return {"assigned": True,
                "complaints": [(c, complaint_rules.clock(c, now)) for c in assigned]}
    complaints = db.session.scalars(
        select(Complaint).join(Complaint.thread).options(contains_eager(Complaint.thread))
        .where(Thread.author_id == user.id, Thread.merged_into_id.is_(None),
               Complaint.status.in_([s.value for s in ACTIVE_STATUSES]))
        .order_by(Thread.created_at.desc()).limit(PANEL_SIZE)).all()
    return {"assigned": False,
            "complaints": [(c, complaint_rules.clock(c, now)) for c in complaints]}


def announcements_panel(user) -> dict:
    threads = db.session.scalars(
        select(Thread).join(Thread.category).options(contains_eager(Thread.category))
        .where(Category.kind == CategoryKind.ANNOUNCEMENT.value, visible_threads(user))
        # ix_forum_threads_latest, read backwards.
        .order_by(Thread.last_post_at.desc(), Thread.id.desc()).limit(PANEL_SIZE)).all()
    return {"threads": threads, "locale": str(get_locale())}
