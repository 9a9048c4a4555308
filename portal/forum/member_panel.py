"""The complaints block on the staff page of one member (`/admin/members/<id>`)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from portal.extensions import db
from portal.forum.models import Complaint, Thread

RECENT = 5


def member_complaints(member) -> dict:
    """The member's last complaints (public and private: staff see both) and how many."""
    mine = select(Complaint).join(Complaint.thread).where(
        Thread.author_id == member.id, Thread.merged_into_id.is_(None))
    recent = db.session.scalars(
        mine.options(contains_eager(Complaint.thread))
        .order_by(Complaint.created_at.desc(), Complaint.id.desc()).limit(RECENT)).all()
    total = db.session.scalar(select(func.count()).select_from(mine.subquery())) or 0
    return {"complaints": recent, "total": total}
