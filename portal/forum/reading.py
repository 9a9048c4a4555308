"""What the member pages show, with every flag the templates need computed here.

A template only displays: whether a post's text is shown, whether the viewer may edit,
quote or report it, escalate or reopen a complaint — all come from the named rules of
`portal.forum.rules`, applied once in these functions. Reading writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload, selectinload

from portal.accounts.models import Building, Unit, User
from portal.accounts.permissions import ROLE_PERMISSIONS, P
from portal.accounts.services import search_members
from portal.core.hooks import post_badges, thread_panels
from portal.core.pagination import paginate, paginate_capped, paginate_ids_first
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.forum import complaints as complaint_rules
from portal.forum import rules, tallies
from portal.forum.models import (
    CannedReply,
    Category,
    Complaint,
    ComplaintEvent,
    Follow,
    Post,
    Thread,
)
from portal.forum.search import parse_terms, search_query
from portal.forum.services import my_units, quote_text

THREADS_PER_PAGE = 25
POSTS_PER_PAGE = 20
RESULTS_PER_PAGE = 20
# Search stops counting here: "漏水" matches 40,000 posts at benchmark scale, and a
# full count cost more than the page; nobody reads past page 50 (a narrower query does).
SEARCH_RESULT_CAP = 1000

# What the thread page shows of a thread, in one query.
THREAD_OPTIONS = (
    joinedload(Thread.category), joinedload(Thread.author),
    joinedload(Thread.complaint).joinedload(Complaint.assignee),
    joinedload(Thread.complaint).joinedload(Complaint.recorded_by),
    joinedload(Thread.complaint).joinedload(Complaint.unit)
    .joinedload(Unit.building).joinedload(Building.development),
    # The homeowner's progress line: the status history and who made each change.
    joinedload(Thread.complaint).joinedload(Complaint.history).joinedload(ComplaintEvent.actor),
)
POST_OPTIONS = (joinedload(Post.thread).joinedload(Thread.category), joinedload(Post.author))


def categories() -> list[Category]:
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.id)))


def category_by_slug(slug: str) -> Category | None:
    return db.session.scalar(select(Category).where(Category.slug == slug))


CATEGORY_ORDER = (Thread.is_pinned.desc(), Thread.last_post_at.desc(), Thread.id.desc())


def category_thread_ids_query(user: User, category: Category):
    """The ids of a category's threads `user` sees, in page order: answered from
    ix_forum_threads_category_list alone (it holds every column of the visibility rule)."""
    return (select(Thread.id).where(Thread.category_id == category.id, rules.visible_threads(user))
            .order_by(*CATEGORY_ORDER))


def _category_threads(ids):
    return (select(Thread).options(joinedload(Thread.author), joinedload(Thread.complaint))
            .where(Thread.id.in_(ids)).order_by(*CATEGORY_ORDER))


LATEST_ORDER = (Thread.last_post_at.desc(), Thread.id.desc())


def latest_thread_ids_query(user: User):
    """The ids of every thread `user` sees, latest activity first: answered from
    ix_forum_threads_latest alone (it holds every column of the visibility rule)."""
    return select(Thread.id).where(rules.visible_threads(user)).order_by(*LATEST_ORDER)


def _latest_threads(ids):
    return (select(Thread).options(joinedload(Thread.author), joinedload(Thread.category),
                                   joinedload(Thread.complaint))
            .where(Thread.id.in_(ids)).order_by(*LATEST_ORDER))


def thread_posts_query(user: User, thread: Thread):
    return (select(Post).options(joinedload(Post.author), selectinload(Post.photos))
            .where(Post.thread_id == thread.id, rules.visible_posts(user)).order_by(Post.id))


def post_page(user: User, post: Post, per_page: int = POSTS_PER_PAGE) -> int:
    """The page of the thread on which `post` appears for `user`."""
    before = db.session.scalar(select(func.count()).select_from(Post).where(
        Post.thread_id == post.thread_id, Post.id < post.id, rules.visible_posts(user)))
    return (before or 0) // per_page + 1


def canned_replies(locale: str | None = None) -> list[CannedReply]:
    query = select(CannedReply).order_by(CannedReply.locale, CannedReply.title)
    if locale:
        query = query.where(CannedReply.locale == locale)
    return list(db.session.scalars(query))


def is_following(user: User, thread: Thread) -> bool:
    if not user.is_authenticated:
        return False
    return bool(db.session.scalar(select(exists().where(
        Follow.user_id == user.id, Follow.thread_id == thread.id))))


def merged_target(user: User, thread: Thread) -> Thread | None:
    """Where a merged duplicate leads, if `user` may see it there."""
    if thread.merged_into_id is None:
        return None
    target = db.session.get(Thread, thread.merged_into_id)
    return target if target is not None and rules.can_see_thread(user, target) else None


# --- the pages --------------------------------------------------------------------------

@dataclass(frozen=True)
class IndexPage:
    categories: list[Category]
    counts: dict[int, int]
    latest: Pagination


def index_page(user: User, page: int = 1) -> IndexPage:
    # The latest threads are every category's threads: their count is the counts' sum.
    counts = tallies.visible_counts(user)
    return IndexPage(categories(), counts, paginate_ids_first(
        latest_thread_ids_query(user), _latest_threads, THREADS_PER_PAGE, page=page,
        total=sum(counts.values())))


@dataclass(frozen=True)
class CategoryPage:
    category: Category
    threads: Pagination
    may_post: bool


def category_page(user: User, category: Category, page: int = 1) -> CategoryPage:
    # Ids first: page 1,000 skips 25,000 index entries instead of 25,000 joined rows; the
    # count is the category's tallies.
    threads = paginate_ids_first(category_thread_ids_query(user, category), _category_threads,
                                 THREADS_PER_PAGE, page=page,
                                 total=tallies.visible_counts(user).get(category.id, 0))
    return CategoryPage(category, threads, rules.can_start_thread(user, category))


@dataclass(frozen=True)
class NewThreadChoices:
    categories: list[Category]  # those the user may start a thread in
    units: list[Unit]  # the user's verified units, for complaints


def new_thread_choices(user: User) -> NewThreadChoices:
    return NewThreadChoices([c for c in categories() if rules.can_start_thread(user, c)],
                            my_units(user))


@dataclass(frozen=True)
class PostView:
    """One post as `user` sees it, with what they may do with it."""

    post: Post
    shown: bool  # the text, or only "hidden by a moderator"
    may_quote: bool
    may_edit: bool
    may_flag: bool
    may_moderate: bool
    may_silence_author: bool
    badge: str | None = None  # whom the author writes for (a partner organisation), if not the club


@dataclass(frozen=True)
class StaffTools:
    """What the staff panel of a thread offers (handlers and moderators only)."""

    handles: bool
    moderates: bool
    canned: list[CannedReply] = field(default_factory=list)
    handlers: list[User] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)  # the current one, then the allowed moves
    move_targets: list[Category] = field(default_factory=list)


@dataclass(frozen=True)
class ThreadPage:
    thread: Thread
    page: Pagination
    posts: list[PostView]
    complaint: Complaint | None
    clock: complaint_rules.Clock | None
    progress: complaint_rules.Progress | None
    following: bool
    may_reply: bool
    may_write_internal_note: bool
    is_complaint_author: bool
    may_escalate: bool
    may_reopen: bool
    may_rate: bool
    quote: str  # the reply box's text when quoting a post, else ""
    staff: StaffTools | None
    panels: list[tuple[str, dict]] = field(default_factory=list)  # other features' blocks


def _post_view(user: User, post: Post, may_reply: bool, now: datetime,
               badge: str | None = None) -> PostView:
    shown = rules.shows_content(user, post)
    return PostView(post=post, shown=shown, badge=badge,
                    may_quote=may_reply and shown and not post.is_internal,
                    may_edit=rules.can_edit_post(user, post, now),
                    may_flag=rules.can_flag_post(user, post),
                    may_moderate=rules.can_moderate(user),
                    may_silence_author=rules.can_silence(user, post.author))


def _quote(user: User, thread: Thread, post_id: int | None) -> str:
    if post_id is None:
        return ""
    post = db.session.get(Post, post_id)
    if (post is None or post.thread_id != thread.id or not rules.can_see_post(user, post)
            or not rules.shows_content(user, post)):
        return ""
    return quote_text(post)


def _staff_tools(user: User, thread: Thread, locale: str) -> StaffTools | None:
    handles, moderates = rules.can_handle_complaint(user), rules.can_moderate(user)
    if not (handles or moderates):
        return None
    canned, handlers, statuses, targets = [], [], [], []
    complaint = thread.complaint
    if handles:
        canned = canned_replies(locale)
        if complaint is not None:
            handlers = complaint_rules.handlers()
            statuses = [complaint.status,
                        *sorted(complaint_rules.STAFF_TRANSITIONS[complaint.status])]
    if moderates:
        targets = [c for c in categories()
                   if c.is_complaint == (complaint is not None) and c.id != thread.category_id]
    return StaffTools(handles, moderates, canned, handlers, statuses, targets)


def thread_page(user: User, thread: Thread, *, locale: str, page: int = 1,
                quote_id: int | None = None, now: datetime | None = None) -> ThreadPage:
    """The thread page for `user`: one page of the posts it may see and every flag."""
    now = now or utcnow()
    posts = paginate(thread_posts_query(user, thread), POSTS_PER_PAGE, page=page)
    may_reply = rules.can_reply(user, thread)
    complaint = thread.complaint
    badges = post_badges(posts.items)
    return ThreadPage(
        thread=thread, page=posts,
        posts=[_post_view(user, post, may_reply, now, badges.get(post.id)) for post in posts.items],
        complaint=complaint,
        clock=complaint_rules.clock(complaint, now) if complaint else None,
        progress=complaint_rules.progress(complaint, now) if complaint else None,
        following=is_following(user, thread), may_reply=may_reply,
        may_write_internal_note=rules.can_write_internal_note(user, thread),
        is_complaint_author=complaint is not None and rules.is_complaint_author(user, complaint),
        may_escalate=complaint is not None and rules.can_escalate(user, complaint, now),
        may_reopen=complaint is not None and rules.can_reopen(user, complaint, now),
        may_rate=complaint is not None and rules.can_rate(user, complaint),
        quote=_quote(user, thread, quote_id) if may_reply else "",
        staff=_staff_tools(user, thread, locale),
        panels=thread_panels(user, thread),
    )


@dataclass(frozen=True)
class SearchPage:
    q: str
    results: Pagination | None  # None: nothing searched (or no usable term)
    too_short: bool
    terms: list[str] = field(default_factory=list)  # what the results highlight


def search_page(user: User, q: str, page: int = 1) -> SearchPage:
    """Search results `user` may see; any text is accepted (see `search.search_query`)."""
    q = q.strip()
    query = search_query(user, q) if q else None
    results = (paginate_capped(query, RESULTS_PER_PAGE, SEARCH_RESULT_CAP, page=page)
               if query is not None else None)
    return SearchPage(q, results, too_short=bool(q) and query is None,
                      terms=parse_terms(q) if query is not None else [])


# --- staff recording a complaint for a homeowner ----------------------------------------

RECORD_SEARCH_PER_PAGE = 20


def record_candidates(text: str):
    """Whom staff may record a complaint for: active members and partners matching the
    members admin's search (name, e-mail, phone or a unit such as "3-1502")."""
    roles = [role.value for role, perms in ROLE_PERMISSIONS.items()
             if P.POST_FORUM in perms and P.STAFF_AREA not in perms]
    return search_members(text).where(User.role.in_(roles), User.is_active_account)


def may_record_for(user: User) -> bool:
    """Staff may record complaints for this account (not staff, active, may post)."""
    return user.is_active_account and not user.is_staff and user.can(P.POST_FORUM)


@dataclass(frozen=True)
class RecordChoices:
    categories: list[Category]  # complaint categories
    units: list[Unit]  # the homeowner's verified units


def record_choices(homeowner: User) -> RecordChoices:
    return RecordChoices([c for c in categories() if c.is_complaint and rules.can_start_thread(homeowner, c)],
                         my_units(homeowner))
