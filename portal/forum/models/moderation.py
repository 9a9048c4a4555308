"""Moderation tables: flags (members' reports), silences, the acts log with what undoes
each act, and the canned replies staff insert into answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.forum.models.enums import FlagOutcome, sql_in
from portal.forum.models.threads import Post, Thread


class Flag(db.Model):
    """A member's report of a post; one per member and post."""

    __tablename__ = "forum_flags"
    __table_args__ = (
        UniqueConstraint("post_id", "reporter_id"),
        # The review queue: open flags, oldest first.
        Index("ix_forum_flags_resolved_at_created_at", "resolved_at", "created_at", "id"),
        CheckConstraint(sql_in("outcome", FlagOutcome) + " OR outcome IS NULL", name="outcome_known"),
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

    def is_active_at(self, now: datetime) -> bool:
        """Still stops the member from posting (`services.active_sanction` is its SQL twin)."""
        return self.lifted_at is None and self.silenced_until > now


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
