"""Categories, threads, posts, their revisions and photos, follows and the search grams.

Reading a page must not write (no view counters, no last-seen stamps), so every figure
a list shows is kept up to date by the service that writes: a thread's `reply_count`
and `last_post_at`. Each list has an index matching its ORDER BY.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.core.i18n import localized
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.forum.models.enums import CategoryKind, Department, sql_in

if TYPE_CHECKING:
    from portal.forum.models.complaints import Complaint

MAX_PHOTOS_PER_POST = 6


class Category(db.Model):
    """A forum section. Names and descriptions are written by admins in each language."""

    __tablename__ = "forum_categories"
    __table_args__ = (
        CheckConstraint(sql_in("kind", CategoryKind), name="kind_known"),
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
        # The category page: pinned first, then latest activity; with the columns of
        # rules.visible_threads, so the page's ids, its count and the index page's counts per
        # category are read from the index alone (migration 0069_bench_thread_list).
        Index("ix_forum_threads_category_list", "category_id", "is_pinned", "last_post_at", "id",
              "merged_into_id", "is_private", "is_hidden", "author_id"),
        # "My threads" and the home panel.
        Index("ix_forum_threads_author_id_created_at", "author_id", "created_at"),
        # The forum front page: latest activity everywhere, read from the index alone like
        # the category page (migration 0071_forum_latest).
        Index("ix_forum_threads_latest", "last_post_at", "id",
              "merged_into_id", "is_private", "is_hidden", "author_id"),
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


class ThreadTally(db.Model):
    """How many threads a category holds of each visibility (private or not, hidden or
    not), merged duplicates not counted: the index page's counts without counting 50,000
    threads a request. Kept in step by `portal.forum.tallies`."""

    __tablename__ = "forum_thread_tallies"
    __table_args__ = (CheckConstraint("threads >= 0", name="threads_not_negative"),)

    category_id: Mapped[int] = mapped_column(ForeignKey("forum_categories.id"), primary_key=True)
    is_private: Mapped[bool] = mapped_column(primary_key=True)
    is_hidden: Mapped[bool] = mapped_column(primary_key=True)
    threads: Mapped[int] = mapped_column(default=0)


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
    # Title (opening posts) and body folded for search (core.textfold): what the search
    # index covers (on PostgreSQL a GIN index on forum_grams(search_text)). Written by
    # search.index_post.
    search_text: Mapped[str] = mapped_column(Text, default="")
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
