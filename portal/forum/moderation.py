"""Moderation: hide posts, lock, pin, move and merge threads, silence members, handle flags.

Every act writes a `ModerationAct` (what is needed to undo it) and an audit entry in
the same transaction. `undo(act)` applies the inverse act, which is itself recorded,
so the log tells the whole story. An undo is refused when the state has moved on
(e.g. the post was unhidden by someone else meanwhile).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload, selectinload

from portal.accounts.models import User
from portal.audit.services import record_action
from portal.core.i18n import N_
from portal.core.pagination import paginate
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.forum import tallies
from portal.forum.common import ForumError, tell
from portal.forum.models import (
    Category,
    Flag,
    FlagOutcome,
    Follow,
    ModerationAct,
    Post,
    Sanction,
    Thread,
)
from portal.forum.rules import can_moderate, can_silence
from portal.forum.search import index_post

MAX_SILENCE_DAYS = 365
FLAGS_PER_PAGE = 30
ACTS_PER_PAGE = 50
# Acts the log offers to undo (the inverse acts "unmerge" and "lift" are undone by acting again).
UNDOABLE = {"hide", "unhide", "lock", "unlock", "pin", "unpin", "move", "merge", "silence"}


def _require_moderator(user: User) -> None:
    if not can_moderate(user):
        raise ForumError(_l("Only moderators can do this."))


def _act(actor: User, action: str, *, thread: Thread | None = None, post: Post | None = None,
         member: User | None = None, details: dict | None = None, ip: str | None = None,
         now: datetime | None = None) -> ModerationAct:
    act = ModerationAct(action=action, actor_id=actor.id, thread_id=getattr(thread, "id", None),
                        post_id=getattr(post, "id", None), member_id=getattr(member, "id", None),
                        details=details or {}, created_at=now or utcnow())
    db.session.add(act)
    db.session.flush()
    target = post or thread or member
    record_action(actor, f"forum.{action}", target, {**(details or {}), "act": act.id}, ip)
    return act


def _resolve_flags(post: Post, actor: User, outcome: FlagOutcome, now: datetime) -> int:
    return db.session.execute(
        update(Flag).where(Flag.post_id == post.id, Flag.resolved_at.is_(None))
        .values(resolved_at=now, resolved_by_id=actor.id, outcome=outcome.value)).rowcount


def hide_post(actor: User, post: Post, reason: str = "", *, ip: str | None = None,
              now: datetime | None = None) -> ModerationAct:
    """Hide a post (its author sees "hidden by a moderator" and is told); hiding the
    opening post hides the thread. Open flags on the post are resolved."""
    _require_moderator(actor)
    now = now or utcnow()
    if post.is_hidden:
        raise ForumError(_l("This post is already hidden."))
    post.is_hidden, post.hidden_at, post.hidden_by_id = True, now, actor.id
    if post.is_opening:
        before = tallies.key_of(post.thread)
        post.thread.is_hidden = True
        tallies.changed(before, post.thread)
    _resolve_flags(post, actor, FlagOutcome.HIDDEN, now)
    act = _act(actor, "hide", thread=post.thread, post=post, member=post.author,
               details={"reason": reason.strip()[:500]}, ip=ip, now=now)
    tell(post.author, "forum", N_("A moderator hid your post in “%(title)s”."),
         {"title": post.thread.title}, f"/forum/p/{post.id}")
    return act


def unhide_post(actor: User, post: Post, *, ip: str | None = None,
                now: datetime | None = None) -> ModerationAct:
    _require_moderator(actor)
    if not post.is_hidden:
        raise ForumError(_l("This post is not hidden."))
    post.is_hidden, post.hidden_at, post.hidden_by_id = False, None, None
    if post.is_opening:
        before = tallies.key_of(post.thread)
        post.thread.is_hidden = False
        tallies.changed(before, post.thread)
    return _act(actor, "unhide", thread=post.thread, post=post, member=post.author, ip=ip, now=now)


def set_locked(actor: User, thread: Thread, locked: bool, *, ip: str | None = None,
               now: datetime | None = None) -> ModerationAct:
    _require_moderator(actor)
    if thread.is_locked == locked:
        raise ForumError(_l("Nothing to change."))
    thread.is_locked = locked
    return _act(actor, "lock" if locked else "unlock", thread=thread, ip=ip, now=now)


def set_pinned(actor: User, thread: Thread, pinned: bool, *, ip: str | None = None,
               now: datetime | None = None) -> ModerationAct:
    _require_moderator(actor)
    if thread.is_pinned == pinned:
        raise ForumError(_l("Nothing to change."))
    thread.is_pinned = pinned
    return _act(actor, "pin" if pinned else "unpin", thread=thread, ip=ip, now=now)


def move_thread(actor: User, thread: Thread, category: Category, *, ip: str | None = None,
                now: datetime | None = None) -> ModerationAct:
    """Move a thread; complaints stay in complaint categories, other threads outside them."""
    _require_moderator(actor)
    if category.id == thread.category_id:
        raise ForumError(_l("The thread is already in this category."))
    if category.is_complaint != (thread.complaint is not None):
        raise ForumError(_l("Complaints can only move between complaint categories."))
    before, counted = thread.category_id, tallies.key_of(thread)
    thread.category = category
    tallies.changed(counted, thread)
    return _act(actor, "move", thread=thread,
                details={"from_category_id": before, "to_category_id": category.id}, ip=ip, now=now)


def _recount(thread: Thread) -> None:
    """Recompute a thread's reply count and last activity from its posts."""
    db.session.flush()
    public = (Post.thread_id == thread.id, Post.is_internal.is_(False))
    thread.reply_count = db.session.scalar(
        select(func.count()).select_from(Post).where(*public, Post.is_opening.is_(False))) or 0
    thread.last_post_at = db.session.scalar(
        select(func.max(Post.created_at)).where(*public)) or thread.created_at


def merge_thread_into(actor: User, source: Thread, target_id: int, *, ip: str | None = None,
                      now: datetime | None = None) -> ModerationAct:
    """`merge_thread` into the thread numbered `target_id` (as typed by the moderator)."""
    _require_moderator(actor)
    target = db.session.get(Thread, target_id)
    if target is None:
        raise ForumError(_l("There is no thread with this number."))
    return merge_thread(actor, source, target, ip=ip, now=now)


def merge_thread(actor: User, source: Thread, target: Thread, *, ip: str | None = None,
                 now: datetime | None = None) -> ModerationAct:
    """Move every post of the duplicate `source` into `target`; `source` then leads there."""
    _require_moderator(actor)
    if source.id == target.id:
        raise ForumError(_l("A thread cannot be merged into itself."))
    if source.merged_into_id is not None or target.merged_into_id is not None:
        raise ForumError(_l("One of these threads has already been merged."))
    if source.is_private and not (target.is_private and target.author_id == source.author_id):
        raise ForumError(_l("A private complaint can only be merged into another private "
                            "complaint of the same homeowner."))
    posts = list(db.session.scalars(select(Post).where(Post.thread_id == source.id)))
    opening_id = next((p.id for p in posts if p.is_opening), None)
    for post in posts:
        post.moved_from_thread_id, post.thread, post.is_opening = source.id, target, False
    counted = tallies.key_of(source)
    source.merged_into_id = target.id
    tallies.changed(counted, source)
    followers = set(db.session.scalars(select(Follow.user_id).where(Follow.thread_id == source.id)))
    followers -= set(db.session.scalars(select(Follow.user_id).where(Follow.thread_id == target.id)))
    for user_id in followers:
        db.session.add(Follow(user_id=user_id, thread_id=target.id))
    _recount(target)
    for post in posts:
        index_post(post)
    return _act(actor, "merge", thread=source,
                details={"target_id": target.id, "opening_post_id": opening_id,
                         "post_ids": [p.id for p in posts]}, ip=ip, now=now)


def unmerge_thread(actor: User, source: Thread, *, ip: str | None = None,
                   now: datetime | None = None) -> ModerationAct:
    """Undo a merge: the posts that came from `source` go back, and it shows again."""
    _require_moderator(actor)
    target = db.session.get(Thread, source.merged_into_id) if source.merged_into_id else None
    if target is None:
        raise ForumError(_l("This thread is not merged."))
    act = db.session.scalar(select(ModerationAct).where(
        ModerationAct.action == "merge", ModerationAct.thread_id == source.id)
        .order_by(ModerationAct.id.desc()).limit(1))
    opening_id = act.details.get("opening_post_id") if act else None
    posts = list(db.session.scalars(select(Post).where(Post.moved_from_thread_id == source.id,
                                                       Post.thread_id == target.id)))
    for post in posts:
        post.thread, post.moved_from_thread_id = source, None
        post.is_opening = post.id == opening_id
    source.merged_into_id = None
    tallies.changed(None, source)
    _recount(target)
    _recount(source)
    for post in posts:
        index_post(post)
    return _act(actor, "unmerge", thread=source, details={"target_id": target.id}, ip=ip, now=now)


def silence_member(actor: User, member: User, days: int, reason: str = "", *,
                   ip: str | None = None, now: datetime | None = None) -> ModerationAct:
    """Stop a member from posting for `days` days (1–365)."""
    _require_moderator(actor)
    now = now or utcnow()
    if not can_silence(actor, member):
        raise ForumError(_l("Moderators cannot be silenced."), field="days")
    if not 1 <= days <= MAX_SILENCE_DAYS:
        raise ForumError(_l("Choose between 1 and %(max)d days.", max=MAX_SILENCE_DAYS),
                         field="days")
    sanction = Sanction(user_id=member.id, reason=reason.strip()[:500], created_by_id=actor.id,
                        created_at=now, silenced_until=now + timedelta(days=days))
    db.session.add(sanction)
    db.session.flush()
    return _act(actor, "silence", member=member, details={
        "sanction_id": sanction.id, "days": days, "reason": sanction.reason}, ip=ip, now=now)


def lift_silence(actor: User, sanction: Sanction, *, ip: str | None = None,
                 now: datetime | None = None) -> ModerationAct:
    _require_moderator(actor)
    now = now or utcnow()
    if not sanction.is_active_at(now):
        raise ForumError(_l("This member is no longer silenced."))
    sanction.lifted_at = now
    return _act(actor, "lift", member=sanction.user, details={"sanction_id": sanction.id},
                ip=ip, now=now)


def dismiss_flags(actor: User, post: Post, *, ip: str | None = None,
                  now: datetime | None = None) -> int:
    """The post is fine: close its open flags."""
    _require_moderator(actor)
    count = _resolve_flags(post, actor, FlagOutcome.DISMISSED, now or utcnow())
    if not count:
        raise ForumError(_l("There are no open reports on this post."))
    record_action(actor, "forum.flags_dismissed", post, {"flags": count}, ip)
    return count


def undo(actor: User, act: ModerationAct, *, ip: str | None = None,
         now: datetime | None = None) -> ModerationAct:
    """Apply the inverse of `act` (recorded as an act of its own) and mark `act` undone."""
    _require_moderator(actor)
    now = now or utcnow()
    if act.undone_at is not None:
        raise ForumError(_l("This act has already been undone."))
    thread = db.session.get(Thread, act.thread_id) if act.thread_id else None
    post = db.session.get(Post, act.post_id) if act.post_id else None
    match act.action:
        case "hide":
            inverse = unhide_post(actor, post, ip=ip, now=now)
        case "unhide":
            inverse = hide_post(actor, post, ip=ip, now=now)
        case "lock" | "unlock":
            inverse = set_locked(actor, thread, act.action == "unlock", ip=ip, now=now)
        case "pin" | "unpin":
            inverse = set_pinned(actor, thread, act.action == "unpin", ip=ip, now=now)
        case "move":
            if thread.category_id != act.details["to_category_id"]:
                raise ForumError(_l("The thread has been moved again since."))
            inverse = move_thread(actor, thread, db.session.get(
                Category, act.details["from_category_id"]), ip=ip, now=now)
        case "merge":
            if thread.merged_into_id != act.details["target_id"]:
                raise ForumError(_l("This thread is not merged."))
            inverse = unmerge_thread(actor, thread, ip=ip, now=now)
        case "silence":
            inverse = lift_silence(actor, db.session.get(Sanction, act.details["sanction_id"]),
                                   ip=ip, now=now)
        case _:
            raise ForumError(_l("This act cannot be undone."))
    inverse.details = {**inverse.details, "undoes": act.id}
    act.undone_at, act.undone_by_id = now, actor.id
    db.session.flush()
    return inverse


def flag_queue_query():
    """Posts with open flags, the longest-waiting first (one row per post)."""
    first_flags = (select(Flag.post_id, func.min(Flag.created_at).label("first_flagged_at"))
                   .where(Flag.resolved_at.is_(None)).group_by(Flag.post_id).subquery())
    return (select(Post).join(first_flags, first_flags.c.post_id == Post.id)
            .order_by(first_flags.c.first_flagged_at, Post.id))


# --- the moderators' pages ----------------------------------------------------------------

@dataclass(frozen=True)
class FlagQueuePage:
    page: Pagination  # of Post
    flags: dict[int, list[Flag]]  # open flags per post id, oldest first
    silenceable: set[int]  # posts whose author the moderator may silence


def flag_queue_page(moderator: User, page: int = 1) -> FlagQueuePage:
    """One page of flagged posts with their open flags (two queries, whatever the page)."""
    posts = paginate(flag_queue_query().options(joinedload(Post.author), joinedload(Post.thread)),
                     FLAGS_PER_PAGE, page=page)
    flags: dict[int, list[Flag]] = {}
    for flag in db.session.scalars(
            select(Flag).options(joinedload(Flag.reporter))
            .where(Flag.post_id.in_([post.id for post in posts.items]), Flag.resolved_at.is_(None))
            .order_by(Flag.id)):
        flags.setdefault(flag.post_id, []).append(flag)
    return FlagQueuePage(posts, flags, {post.id for post in posts.items
                                        if can_silence(moderator, post.author)})


@dataclass(frozen=True)
class ActsPage:
    page: Pagination  # of ModerationAct, newest first
    may_undo: set[int]  # ids of the acts that can still be undone


def acts_page(page: int = 1) -> ActsPage:
    acts = paginate(
        select(ModerationAct).options(joinedload(ModerationAct.actor),
                                      joinedload(ModerationAct.member),
                                      selectinload(ModerationAct.thread))
        .order_by(ModerationAct.created_at.desc(), ModerationAct.id.desc()), ACTS_PER_PAGE, page=page)
    return ActsPage(acts, {act.id for act in acts.items
                           if act.undone_at is None and act.action in UNDOABLE})


def member_sanctions(member: User, now: datetime | None = None,
                     limit: int = 20) -> list[tuple[Sanction, bool]]:
    """The member's latest silences, each with whether it is still in force."""
    now = now or utcnow()
    sanctions = db.session.scalars(select(Sanction).where(Sanction.user_id == member.id)
                                   .order_by(Sanction.silenced_until.desc()).limit(limit))
    return [(sanction, sanction.is_active_at(now)) for sanction in sanctions]
