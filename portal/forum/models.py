"""Forum and complaint tables.

Reading a page must not write (no view counters, no last-seen stamps), so every
figure a list shows is kept up to date by the service that writes: a thread's
`reply_count` and `last_post_at`, a complaint's `next_due_at` (what the staff
queue sorts by). Each list has an index matching its ORDER BY.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Unit, User
from portal.core.i18n import localized
from portal.core.timeutil import utcnow
from portal.extensions import db


class CategoryKind(StrEnum):
    COMPLAINT = "complaint"
    DISCUSSION = "discussion"
    ANNOUNCEMENT = "announcement"


CATEGORY_KIND_LABELS = {
    CategoryKind.COMPLAINT: _l("Complaints"),
    CategoryKind.DISCUSSION: _l("Discussion"),
    CategoryKind.ANNOUNCEMENT: _l("Announcements"),
}


class ComplaintStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"  # for the homeowner; the resolution clock is paused
    RESOLVED = "resolved"
    CLOSED = "closed"


STATUS_LABELS = {
    ComplaintStatus.OPEN: _l("Open"),
    ComplaintStatus.ACKNOWLEDGED: _l("Acknowledged"),
    ComplaintStatus.IN_PROGRESS: _l("In progress"),
    ComplaintStatus.WAITING: _l("Waiting for homeowner"),
    ComplaintStatus.RESOLVED: _l("Resolved"),
    ComplaintStatus.CLOSED: _l("Closed"),
}
ACTIVE_STATUSES = (ComplaintStatus.OPEN, ComplaintStatus.ACKNOWLEDGED,
                   ComplaintStatus.IN_PROGRESS, ComplaintStatus.WAITING)


class Department(StrEnum):
    CUSTOMER_SERVICE = "customer_service"
    ENGINEERING = "engineering"
    PROPERTY = "property"
    SALES = "sales"
    DESIGN = "design"


DEPARTMENT_LABELS = {
    Department.CUSTOMER_SERVICE: _l("Customer service"),
    Department.ENGINEERING: _l("Engineering & quality"),
    Department.PROPERTY: _l("Property management"),
    Department.SALES: _l("Sales"),
    Department.DESIGN: _l("Design"),
}


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


PRIORITY_LABELS = {
    Priority.LOW: _l("Low"),
    Priority.NORMAL: _l("Normal"),
    Priority.HIGH: _l("High"),
    Priority.URGENT: _l("Urgent"),
}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class Category(db.Model):
    """A forum section. Names and descriptions are written by admins in each language."""

    __tablename__ = "forum_categories"
    __table_args__ = (
        CheckConstraint(_in("kind", CategoryKind), name="kind_known"),
        CheckConstraint("first_response_hours > 0", name="first_response_positive"),
        CheckConstraint("resolution_hours > 0", name="resolution_positive"),
        Index("ix_forum_categories_position_id", "position", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default=CategoryKind.DISCUSSION.value)
    name_zh_hant: Mapped[str] = mapped_column(String(80), default="")
    name_zh_hans: Mapped[str] = mapped_column(String(80), default="")
    name_en: Mapped[str] = mapped_column(String(80), default="")
    description_zh_hant: Mapped[str] = mapped_column(String(300), default="")
    description_zh_hans: Mapped[str] = mapped_column(String(300), default="")
    description_en: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(default=0)
    # Service levels (complaint categories): first official reply and resolution.
    first_response_hours: Mapped[int] = mapped_column(default=24)
    resolution_hours: Mapped[int] = mapped_column(default=7 * 24)
    default_department: Mapped[str] = mapped_column(
        String(32), default=Department.CUSTOMER_SERVICE.value)

    def name(self, locale: str) -> str:
        return localized({"zh_Hant": self.name_zh_hant, "zh_Hans": self.name_zh_hans,
                          "en": self.name_en}, locale)

    def description(self, locale: str) -> str:
        return localized({"zh_Hant": self.description_zh_hant,
                          "zh_Hans": self.description_zh_hans, "en": self.description_en}, locale)

    @property
    def is_complaint(self) -> bool:
        return self.kind == CategoryKind.COMPLAINT

    @property
    def is_announcement(self) -> bool:
        return self.kind == CategoryKind.ANNOUNCEMENT


class Thread(db.Model):
    __tablename__ = "forum_threads"
    __table_args__ = (
        # The category page: pinned first, then latest activity.
        Index("ix_forum_threads_category_list", "category_id", "is_pinned", "last_post_at", "id"),
        # "My threads" and the home panel.
        Index("ix_forum_threads_author_id_created_at", "author_id", "created_at"),
        # The forum front page: latest activity everywhere.
        Index("ix_forum_threads_last_post_at_id", "last_post_at", "id"),
        CheckConstraint("reply_count >= 0", name="reply_count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("forum_categories.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(160))
    # Private complaints: the author and complaint handlers only (see rules.can_see_thread).
    is_private: Mapped[bool] = mapped_column(default=False)
    is_pinned: Mapped[bool] = mapped_column(default=False)
    is_locked: Mapped[bool] = mapped_column(default=False)
    # Set when a moderator hides the opening post: the thread disappears for others.
    is_hidden: Mapped[bool] = mapped_column(default=False)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("forum_threads.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_post_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Public replies (the opening post and internal notes are not counted).
    reply_count: Mapped[int] = mapped_column(default=0)

    category: Mapped[Category] = relationship()
    author: Mapped[User] = relationship()
    complaint: Mapped[Complaint | None] = relationship(back_populates="thread", uselist=False)


class Post(db.Model):
    __tablename__ = "forum_posts"
    __table_args__ = (
        Index("ix_forum_posts_thread_id_id", "thread_id", "id"),
        # Duplicate-body check and "my posts".
        Index("ix_forum_posts_author_id_created_at", "author_id", "created_at"),
        CheckConstraint("NOT (is_internal AND is_official)", name="internal_not_official"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_threads.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)  # Markdown source
    body_html: Mapped[str] = mapped_column(Text)  # rendered and sanitised on write
    is_opening: Mapped[bool] = mapped_column(default=False)
    is_official: Mapped[bool] = mapped_column(default=False)
    is_internal: Mapped[bool] = mapped_column(default=False)  # staff-only note
    is_hidden: Mapped[bool] = mapped_column(default=False)
    hidden_at: Mapped[datetime | None]
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Where a merge took the post from, so the merge can be undone.
    moved_from_thread_id: Mapped[int | None] = mapped_column(ForeignKey("forum_threads.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]

    thread: Mapped[Thread] = relationship(foreign_keys=[thread_id])
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    photos: Mapped[list[Photo]] = relationship(back_populates="post", order_by="Photo.position")
    revisions: Mapped[list[PostRevision]] = relationship(
        back_populates="post", order_by="PostRevision.id")


class PostRevision(db.Model):
    """The text a post had before an edit."""

    __tablename__ = "forum_post_revisions"
    __table_args__ = (Index("ix_forum_post_revisions_post_id_id", "post_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id"))
    title: Mapped[str] = mapped_column(String(160), default="")  # opening posts only
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    written_at: Mapped[datetime]  # when this text was first shown
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)

    post: Mapped[Post] = relationship(back_populates="revisions")


MAX_PHOTOS_PER_POST = 6


class Photo(db.Model):
    """A defect photo: re-encoded by core.images, served only to who may see the thread."""

    __tablename__ = "forum_photos"
    __table_args__ = (
        UniqueConstraint("post_id", "position"),
        CheckConstraint(f"position >= 0 AND position < {MAX_PHOTOS_PER_POST}",
                        name="at_most_six_per_post"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id"))
    position: Mapped[int]
    stored_name: Mapped[str] = mapped_column(String(64))
    thumb_name: Mapped[str] = mapped_column(String(64))
    width: Mapped[int]
    height: Mapped[int]
    size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    post: Mapped[Post] = relationship(back_populates="photos")


class Follow(db.Model):
    __tablename__ = "forum_follows"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_threads.id"), primary_key=True,
                                           index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class FlagOutcome(StrEnum):
    HIDDEN = "hidden"
    DISMISSED = "dismissed"


class Flag(db.Model):
    """A member's report of a post; one per member and post."""

    __tablename__ = "forum_flags"
    __table_args__ = (
        UniqueConstraint("post_id", "reporter_id"),
        # The review queue: open flags, oldest first.
        Index("ix_forum_flags_resolved_at_created_at", "resolved_at", "created_at", "id"),
        CheckConstraint(_in("outcome", FlagOutcome) + " OR outcome IS NULL", name="outcome_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str | None] = mapped_column(String(16))

    post: Mapped[Post] = relationship()
    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id])


class Sanction(db.Model):
    """A member silenced by a moderator: no posting until `silenced_until` (or lifted)."""

    __tablename__ = "forum_sanctions"
    __table_args__ = (
        Index("ix_forum_sanctions_user_id_silenced_until", "user_id", "silenced_until"),
        CheckConstraint("silenced_until > created_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    silenced_until: Mapped[datetime]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    lifted_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class CannedReply(db.Model):
    """A reply text staff insert into an answer; kept per language."""

    __tablename__ = "forum_canned_replies"
    __table_args__ = (Index("ix_forum_canned_replies_locale_title", "locale", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    locale: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)  # Markdown, inserted into the reply box
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


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
        CheckConstraint(_in("status", ComplaintStatus), name="status_known"),
        CheckConstraint(_in("department", Department), name="department_known"),
        CheckConstraint(_in("priority", Priority), name="priority_known"),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating_1_to_5"),
        CheckConstraint("paused_seconds >= 0", name="paused_not_negative"),
        CheckConstraint("(status = 'waiting') = (waiting_since IS NOT NULL)",
                        name="waiting_since_iff_waiting"),
        CheckConstraint("(status IN ('resolved', 'closed')) = (resolved_at IS NOT NULL)",
                        name="resolved_at_iff_resolved"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_threads.id"), unique=True)
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
    rating: Mapped[int | None]
    rating_comment: Mapped[str] = mapped_column(String(1000), default="")
    rated_at: Mapped[datetime | None]

    thread: Mapped[Thread] = relationship(back_populates="complaint")
    unit: Mapped[Unit | None] = relationship()
    assignee: Mapped[User | None] = relationship()
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


class ModerationAct(db.Model):
    """A moderation act with what is needed to undo it (also written to the audit log)."""

    __tablename__ = "forum_moderation_acts"
    __table_args__ = (Index("ix_forum_moderation_acts_created_at_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(24))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("forum_threads.id"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("forum_posts.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    undone_at: Mapped[datetime | None]
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    actor: Mapped[User] = relationship(foreign_keys=[actor_id])
    member: Mapped[User | None] = relationship(foreign_keys=[member_id])
    thread: Mapped[Thread | None] = relationship()


class SearchGram(db.Model):
    """Two-character pieces of each post's text, for 2-character (mostly Chinese) searches
    that a trigram index cannot answer. Kept by search.index_post, never by triggers."""

    __tablename__ = "forum_search_grams"
    __table_args__ = (Index("ix_forum_search_grams_post_id", "post_id"),)

    gram: Mapped[str] = mapped_column(String(2), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id"), primary_key=True)
