"""Forum rules for writing: threads, replies, edits, photos, follows, flags, categories.

Services take plain arguments, check the rule, write, flush (the unit of work commits),
keep the search index in step (`search.index_post`) and return what the view needs.
Who is told about a reply is decided by the `tell_followers` job, which the queue runs
after the commit, so a request never writes one notification and e-mail per follower.
What pages read is in `reading.py`.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload

from portal.accounts.models import Ownership, OwnershipStatus, Unit, User
from portal.audit.services import record_action
from portal.core.i18n import N_
from portal.core.images import (
    ImageRejected,
    StoredImage,
    chosen_files,
    store_images,
)
from portal.core.jobs import enqueue, job
from portal.core.markdown import quote_markdown, render_markdown
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.forum import complaints as complaint_rules
from portal.forum import tallies
from portal.forum.common import ForumError, tell
from portal.forum.models import (
    MAX_PHOTOS_PER_POST,
    RECORDED_CHANNELS,
    CannedReply,
    Category,
    CategoryKind,
    Channel,
    Flag,
    Follow,
    Photo,
    Post,
    PostRevision,
    Sanction,
    Thread,
)
from portal.forum.rules import (
    can_edit_post,
    can_flag_post,
    can_handle_complaint,
    can_reply,
    can_see_post,
    can_see_thread,
    can_start_thread,
    can_write_internal_note,
    is_official_author,
)
from portal.forum.search import index_post

DUPLICATE_WINDOW = timedelta(minutes=1)
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_BODY = 20_000
MAX_TITLE = 160


def photo_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "forum"


# --- posting rules ----------------------------------------------------------------------

def active_sanction(user: User, now: datetime | None = None) -> Sanction | None:
    """The silence that stops `user` posting now, if any (SQL twin of `Sanction.is_active_at`)."""
    now = now or utcnow()
    return db.session.scalar(
        select(Sanction).where(Sanction.user_id == user.id, Sanction.silenced_until > now,
                               Sanction.lifted_at.is_(None))
        .order_by(Sanction.silenced_until.desc()).limit(1))


def _check_may_post(user: User, body: str, now: datetime, *, silenced_ok: bool = False) -> None:
    # One post at a time per member (a row lock on PostgreSQL), so that a double-clicked
    # submit cannot slip two identical posts past the duplicate check below.
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    sanction = None if silenced_ok else active_sanction(user, now)
    if sanction is not None:
        raise ForumError(_l("You cannot post until %(until)s.",
                            until=format_datetime(sanction.silenced_until, "short")))
    if not body.strip():
        raise ForumError(_l("Write something first."))
    if len(body) > MAX_BODY:
        raise ForumError(_l("The text is too long (at most %(max)d characters).", max=MAX_BODY))
    duplicate = db.session.scalar(select(exists().where(
        Post.author_id == user.id, Post.created_at > now - DUPLICATE_WINDOW, Post.body == body)))
    if duplicate:
        raise ForumError(_l("You posted the same text a moment ago."))


# The blanks of a canned reply: ［日期］ in Chinese texts (full-width brackets never occur in
# ordinary writing), and in English the bracketed words the canned replies use, e.g.
# "[date]" (a Markdown link "[text](url)" is not one).
FULL_WIDTH_BLANK = re.compile(r"［[^［］\n]{1,30}］")
BRACKET_BLANK = re.compile(r"\[[^\[\]\n]{1,30}\](?![(\[:])")


def canned_blanks() -> set[str]:
    """The bracketed blanks ("[date]") that appear in any canned reply, case-folded."""
    return {match.group(0).casefold()
            for body in db.session.scalars(select(CannedReply.body))
            for match in BRACKET_BLANK.finditer(body)}


def unfilled_blank(body: str) -> str | None:
    """The first canned-reply blank left in `body` ("［日期］", "[date]"), or None."""
    found = FULL_WIDTH_BLANK.search(body)
    if found is not None:
        return found.group(0)
    if "[" in body:
        blanks = canned_blanks()
        for match in BRACKET_BLANK.finditer(body):
            if match.group(0).casefold() in blanks:
                return match.group(0)
    return None


def _check_blanks_filled(body: str) -> None:
    """A staff answer must not go out with a canned reply's blank still in it."""
    blank = unfilled_blank(body)
    if blank is not None:
        raise ForumError(_l("Replace %(placeholder)s with the real details before sending.",
                            placeholder=blank), field="body")


def _store_photos(post: Post, uploads: list, first_position: int = 0) -> list[StoredImage]:
    """Clean and store each upload; on any refusal remove what was stored and raise."""
    uploads = chosen_files(uploads)
    if first_position + len(uploads) > MAX_PHOTOS_PER_POST:
        raise ForumError(_l("At most %(max)d photos per post.", max=MAX_PHOTOS_PER_POST))
    try:
        stored = store_images(uploads, photo_folder(), max_bytes=MAX_PHOTO_BYTES)
    except ImageRejected as error:
        raise ForumError(error.message) from None
    for position, image in enumerate(stored, start=first_position):
        db.session.add(Photo(post=post, position=position, stored_name=image.name,
                             thumb_name=image.thumb_name, width=image.width,
                             height=image.height, size=image.size))
    return stored


def _new_post(thread: Thread, author: User, body: str, now: datetime, *, opening: bool = False,
              official: bool = False, internal: bool = False) -> Post:
    post = Post(thread=thread, author=author, body=body, body_html=render_markdown(body),
                is_opening=opening, is_official=official, is_internal=internal, created_at=now)
    db.session.add(post)
    return post


def start_thread(author: User, category: Category, title: str, body: str, *,
                 photos: list | None = None, unit: Unit | None = None, is_private: bool = False,
                 now: datetime | None = None, recorded_by: User | None = None,
                 channel: str = Channel.ONLINE.value) -> Post:
    """Open a thread (a complaint in a complaint category) with its first post and photos;
    returns the opening post. `recorded_by`/`channel`: see `record_complaint`."""
    now = now or utcnow()
    if not can_start_thread(author, category):
        raise ForumError(_l("You cannot start a thread in this category."))
    title = " ".join(title.split())
    if not title:
        raise ForumError(_l("Give the thread a title."))
    if len(title) > MAX_TITLE:
        raise ForumError(_l("The title is too long."))
    # A silenced member who phones in a complaint is still heard.
    _check_may_post(author, body, now, silenced_ok=recorded_by is not None)
    if not category.is_complaint and (unit is not None or is_private):
        raise ForumError(_l("Only complaints can be private or tied to a unit."))
    if unit is not None and unit.id not in {u.id for u in my_units(author)}:
        raise ForumError(_l("Choose one of your own units."))
    thread = Thread(category=category, author=author, title=title, is_private=is_private,
                    created_at=now, last_post_at=now)
    db.session.add(thread)
    post = _new_post(thread, author, body, now, opening=True,
                     official=category.is_announcement and is_official_author(author))
    db.session.flush()
    if category.is_complaint:
        complaint_rules.open_complaint(thread, category, unit, now, recorded_by=recorded_by,
                                       channel=channel)
    db.session.add(Follow(user=author, thread_id=thread.id, created_at=now))
    _store_photos(post, photos or [])
    index_post(post)
    tallies.changed(None, thread)
    return post


RECORDED_NOTICE = N_("Staff recorded your complaint %(ticket)s “%(title)s” for you. You can "
                     "follow it and reply here.")


def record_complaint(staff: User, homeowner: User, category: Category, title: str, body: str, *,
                     channel: str, unit: Unit | None = None, is_private: bool = False,
                     now: datetime | None = None, ip: str | None = None) -> Post:
    """Staff record a complaint for a homeowner who phoned, walked in, wrote an e-mail or
    spoke to staff on site. It is the homeowner's own (their thread: they see it, follow
    it and are told of every step); the staff member and the channel are kept, audited
    and shown to staff. The homeowner is told at once, in the app and by e-mail."""
    if not can_handle_complaint(staff):
        raise ForumError(_l("Only complaint handlers can record complaints."))
    if channel not in {c.value for c in RECORDED_CHANNELS}:
        raise ForumError(_l("Choose how the homeowner reached us."), field="channel")
    if not category.is_complaint:
        raise ForumError(_l("Choose a complaint category."), field="category")
    if homeowner.id == staff.id or homeowner.is_staff or not homeowner.is_active_account:
        raise ForumError(_l("Complaints are recorded for homeowners and partners only."))
    post = start_thread(homeowner, category, title, body, unit=unit, is_private=is_private,
                        now=now, recorded_by=staff, channel=channel)
    complaint = post.thread.complaint
    record_action(staff, "complaint.record", complaint,
                  {"channel": channel, "homeowner": homeowner.id}, ip)
    tell(homeowner, "complaint", RECORDED_NOTICE, complaint_rules.notice_params(complaint),
         complaint_rules.complaint_link(complaint), subject=N_("Your complaint %(ticket)s: %(title)s"))
    return post


def reply(author: User, thread: Thread, body: str, *, photos: list | None = None,
          internal: bool = False, now: datetime | None = None) -> Post:
    """Add a reply (or a staff-only internal note) and tell the followers who may read it."""
    now = now or utcnow()
    if not can_reply(author, thread):
        raise ForumError(_l("You cannot reply to this thread."))
    if internal and not can_write_internal_note(author, thread):
        raise ForumError(_l("Only complaint handlers can write internal notes."))
    _check_may_post(author, body, now)
    official = is_official_author(author) and not internal
    if official:
        _check_blanks_filled(body)
    post = _new_post(thread, author, body, now, official=official, internal=internal)
    if not internal:
        thread.reply_count = Thread.reply_count + 1  # in SQL: concurrent replies all count
        thread.last_post_at = now
    db.session.flush()
    complaint = thread.complaint
    if complaint is not None and not internal:
        if official:
            complaint_rules.record_first_response(complaint, author, now)
        elif author.id == thread.author_id:
            complaint_rules.homeowner_replied(complaint, author, now)
    if db.session.get(Follow, (author.id, thread.id)) is None:
        db.session.add(Follow(user=author, thread_id=thread.id, created_at=now))
    _store_photos(post, photos or [])
    index_post(post)
    enqueue(tell_followers, post.id)
    return post


@job
def tell_followers(post_id: int) -> None:
    """Tell the followers of a new post's thread who may read it (not its author), in the
    app and by e-mail. A job: a thread may have many followers."""
    post = db.session.get(Post, post_id, options=[joinedload(Post.thread), joinedload(Post.author)])
    if post is None:
        return
    thread = post.thread
    followers = db.session.scalars(
        select(User).join(Follow, Follow.user_id == User.id)
        .where(Follow.thread_id == thread.id, User.id != post.author_id, User.is_active_account)
        .order_by(User.id)).all()
    link = f"/forum/p/{post.id}"
    for user in followers:
        if can_see_thread(user, thread) and can_see_post(user, post):
            tell(user, "forum", N_("%(name)s replied to “%(title)s”."),
                 {"name": post.author.display_name, "title": thread.title}, link,
                 subject=N_("New reply: %(title)s"),
                 email_body=N_("%(name)s replied to “%(title)s”.\n\nRead it: %(url)s"))


def edit_post(user: User, post: Post, body: str, title: str | None = None, *,
              now: datetime | None = None) -> Post:
    """The author edits their post within 30 minutes; the old text is kept as a revision."""
    now = now or utcnow()
    if not can_edit_post(user, post, now):
        raise ForumError(_l("Posts can only be edited by their author within 30 minutes."))
    if not body.strip():
        raise ForumError(_l("Write something first."))
    if len(body) > MAX_BODY:
        raise ForumError(_l("The text is too long (at most %(max)d characters).", max=MAX_BODY))
    thread = post.thread
    new_title = " ".join((title or "").split()) if post.is_opening and title is not None else None
    if new_title is not None and not new_title:
        raise ForumError(_l("Give the thread a title."))
    if body == post.body and new_title in (None, thread.title):
        return post
    if post.is_official:
        _check_blanks_filled(body)
    db.session.add(PostRevision(post=post, title=thread.title if post.is_opening else "",
                                body=post.body, body_html=post.body_html,
                                written_at=post.edited_at or post.created_at, replaced_at=now))
    post.body, post.body_html, post.edited_at = body, render_markdown(body), now
    if new_title:
        thread.title = new_title[:MAX_TITLE]
    index_post(post)
    return post


def follow(user: User, thread: Thread, now: datetime | None = None) -> None:
    if db.session.get(Follow, (user.id, thread.id)) is None:
        db.session.add(Follow(user=user, thread_id=thread.id, created_at=now or utcnow()))
        db.session.flush()


def unfollow(user: User, thread: Thread) -> None:
    existing = db.session.get(Follow, (user.id, thread.id))
    if existing is not None:
        db.session.delete(existing)
        db.session.flush()


def is_following(user: User, thread: Thread) -> bool:
    return bool(db.session.scalar(select(exists().where(
        Follow.user_id == user.id, Follow.thread_id == thread.id))))


def flag_post(user: User, post: Post, reason: str, now: datetime | None = None) -> Flag:
    """A member reports a post to the moderators; once per member and post."""
    if not can_flag_post(user, post):
        raise ForumError(_l("You cannot report this post."))
    reason = reason.strip()
    if not reason:
        raise ForumError(_l("Say what is wrong with the post."))
    if db.session.scalar(select(exists().where(Flag.post_id == post.id,
                                               Flag.reporter_id == user.id))):
        raise ForumError(_l("You have already reported this post."))
    flag = Flag(post=post, reporter=user, reason=reason[:500], created_at=now or utcnow())
    db.session.add(flag)
    db.session.flush()
    return flag


def quote_text(post: Post) -> str:
    return quote_markdown(post.author.display_name, post.body)


def my_units(user: User) -> list[Unit]:
    return list(db.session.scalars(
        select(Unit).join(Ownership, Ownership.unit_id == Unit.id)
        .options(joinedload(Unit.building))
        .where(Ownership.user_id == user.id, Ownership.status == OwnershipStatus.VERIFIED.value)
        .order_by(Unit.id)))


# --- categories and canned replies (staff) -----------------------------------------

CATEGORY_FIELDS = ("slug", "kind", "name_zh_hant", "name_zh_hans", "name_en",
                   "description_zh_hant", "description_zh_hans", "description_en", "position",
                   "first_response_hours", "resolution_hours", "default_department")


def save_category(category: Category | None, actor: User, values: dict,
                  ip: str | None = None) -> Category:
    """Create (category None) or update a category; slugs are unique."""
    if values.get("kind") not in {k.value for k in CategoryKind}:
        raise ForumError(_l("Unknown kind of category."))
    clash = db.session.scalar(select(Category.id).where(Category.slug == values["slug"]))
    if clash is not None and (category is None or clash != category.id):
        raise ForumError(_l("Another category already uses this address."))
    created = category is None
    category = category or Category()
    before = {name: getattr(category, name) for name in CATEGORY_FIELDS}
    for name in CATEGORY_FIELDS:
        if name in values:
            value = values[name]
            setattr(category, name, (value or "") if name.startswith("description_") else value)
    db.session.add(category)
    db.session.flush()
    changes = {name: [before[name], getattr(category, name)] for name in CATEGORY_FIELDS
               if before[name] != getattr(category, name)}
    record_action(actor, "forum.category.create" if created else "forum.category.update",
                  category, changes, ip)
    return category


def save_canned_reply(reply_: CannedReply | None, actor: User, *, locale: str, title: str,
                      body: str, ip: str | None = None) -> CannedReply:
    if locale not in current_app.config["LANGUAGES"]:
        raise ForumError(_l("Unknown language."))
    created = reply_ is None
    reply_ = reply_ or CannedReply()
    reply_.locale, reply_.title, reply_.body = locale, title.strip(), body
    reply_.updated_at = utcnow()
    db.session.add(reply_)
    db.session.flush()
    record_action(actor, "forum.canned.create" if created else "forum.canned.update", reply_,
                  {"locale": locale, "title": reply_.title}, ip)
    return reply_


def delete_canned_reply(reply_: CannedReply, actor: User, ip: str | None = None) -> None:
    record_action(actor, "forum.canned.delete", reply_, {"title": reply_.title}, ip)
    db.session.delete(reply_)
    db.session.flush()
