"""The complaint side of a thread: status, owner, clocks, channel, history, department
leads and the staff of each department.

A complaint's `next_due_at` (what the staff queue sorts by) is kept up to date by the
workflow services that change it (portal/forum/complaints/).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Unit, User
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.forum.models.enums import Channel, ComplaintStatus, Department, Priority, sql_in
from portal.forum.models.threads import Thread


class Complaint(db.Model):
    """The complaint side of a thread in a complaint category: status, owner and clocks.

    The service targets are copied from the category when the complaint is raised, so a
    later change of the category's targets does not move the goalposts of open complaints.
    `resolution_due_at` moves later by the time spent waiting for the homeowner;
    `next_due_at` is the earliest running deadline (None when no clock runs).
    """

    __tablename__ = "forum_complaints"
    __table_args__ = (
        Index("ix_forum_complaints_next_due_at_id", "next_due_at", "id"),
        Index("ix_forum_complaints_status_next_due_at", "status", "next_due_at"),
        Index("ix_forum_complaints_assignee_id_next_due_at", "assignee_id", "next_due_at"),
        CheckConstraint(sql_in("status", ComplaintStatus), name="status_known"),
        CheckConstraint(sql_in("department", Department), name="department_known"),
        CheckConstraint(sql_in("priority", Priority), name="priority_known"),
        CheckConstraint(sql_in("channel", Channel), name="channel_known"),
        # Only complaints recorded by staff came by another channel than the portal.
        CheckConstraint("(channel = 'online') = (recorded_by_id IS NULL)",
                        name="recorded_iff_offline"),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating_1_to_5"),
        CheckConstraint("paused_seconds >= 0", name="paused_not_negative"),
        CheckConstraint("(status = 'waiting') = (waiting_since IS NOT NULL)",
                        name="waiting_since_iff_waiting"),
        CheckConstraint("(status IN ('resolved', 'closed')) = (resolved_at IS NOT NULL)",
                        name="resolved_at_iff_resolved"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_threads.id"), unique=True)
    # "C-2026-000123": the year it was raised (club time zone) and the id; set once by
    # `open_complaint` right after the insert gives the id (see complaints/tickets.py).
    ticket_number: Mapped[str | None] = mapped_column(String(20), unique=True, index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=ComplaintStatus.OPEN.value)
    department: Mapped[str] = mapped_column(String(32), default=Department.CUSTOMER_SERVICE.value)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    priority: Mapped[str] = mapped_column(String(8), default=Priority.NORMAL.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_response_due_at: Mapped[datetime]
    first_response_at: Mapped[datetime | None]
    resolution_due_at: Mapped[datetime]
    paused_seconds: Mapped[int] = mapped_column(default=0)
    waiting_since: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    next_due_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    escalation_reason: Mapped[str] = mapped_column(String(16), default="")
    # What the homeowner wrote when escalating (the sweep's escalations have none).
    escalation_note: Mapped[str] = mapped_column(String(500), default="")
    rating: Mapped[int | None]
    rating_comment: Mapped[str] = mapped_column(String(1000), default="")
    rated_at: Mapped[datetime | None]
    # How it reached the club; staff who recorded it for the homeowner (the author).
    channel: Mapped[str] = mapped_column(String(16), default=Channel.ONLINE.value,
                                         server_default=Channel.ONLINE.value)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    thread: Mapped[Thread] = relationship(back_populates="complaint")
    unit: Mapped[Unit | None] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    history: Mapped[list[ComplaintEvent]] = relationship(
        back_populates="complaint", order_by="ComplaintEvent.id")


class ComplaintEvent(db.Model):
    """One change of status (or escalation) of a complaint, for its timeline."""

    __tablename__ = "forum_complaint_events"
    __table_args__ = (Index("ix_forum_complaint_events_complaint_id_id", "complaint_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("forum_complaints.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_status: Mapped[str] = mapped_column(String(16), default="")
    to_status: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16), default="status")  # status/escalated/reopened
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    complaint: Mapped[Complaint] = relationship(back_populates="history")
    actor: Mapped[User | None] = relationship()


class DepartmentLead(db.Model):
    """Who is told when a complaint of a department is escalated (besides admins)."""

    __tablename__ = "forum_department_leads"

    department: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship()


class DepartmentStaff(db.Model):
    """A complaint handler who belongs to a department: told when one of its complaints
    arrives, is escalated or is reopened (in the app, and by e-mail per their setting)."""

    __tablename__ = "forum_department_staff"
    __table_args__ = (
        CheckConstraint(sql_in("department", Department), name="department_known"),
        Index("ix_forum_department_staff_user_id", "user_id"),
    )

    department: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
