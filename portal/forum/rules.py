"""Who may see and do what in the forum: named rules, used in views, lists, search and photos.

Each object rule exists twice: as a Python predicate for one loaded object
(`can_see_thread(user, thread)`) and as a SQL condition for lists and search
(`visible_threads(user)`). tests/forum/test_rules.py checks that both agree.

- Complaint handlers (P.HANDLE_COMPLAINTS) see private complaints and internal notes.
- Moderators (P.MODERATE_FORUM) see hidden posts and hidden threads.
- Everyone else sees public threads, their own private complaints, and their own hidden
  posts (marked "hidden by moderator").
- Other features may add readers of private threads (`portal.core.hooks.ThreadAccess`:
  a partner's accounts read the complaints attributed to that partner); internal notes
  stay with handlers.
- Visitors who are not logged in read what every member reads: public threads and their
  public replies (official ones included); they post nothing.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import ColumnElement, and_, false, or_, true

from portal.accounts.permissions import P
from portal.core.hooks import hooks
from portal.core.timeutil import utcnow
from portal.forum.models import (
    ACTIVE_STATUSES,
    Category,
    Complaint,
    ComplaintStatus,
    Photo,
    Post,
    Thread,
)

EDIT_WINDOW = timedelta(minutes=30)
REOPEN_WINDOW = timedelta(days=14)


def _uid(user) -> int | None:
    return getattr(user, "id", None) if user.is_authenticated else None


def can_read_forum(user) -> bool:
    """Anyone, logged in or not: the complaint forum is public (private threads aside)."""
    return True


def sees_private(user) -> bool:
    return user.can(P.HANDLE_COMPLAINTS)


def sees_hidden(user) -> bool:
    return user.can(P.MODERATE_FORUM)


def _granted(user, thread: Thread) -> bool:
    return any(access.allows(user, thread) for access in hooks().thread_access)


def _granted_conditions(user) -> list[ColumnElement[bool]]:
    conditions = (access.condition(user) for access in hooks().thread_access)
    return [condition for condition in conditions if condition is not None]


def can_see_thread(user, thread: Thread) -> bool:
    """The one visibility rule for a thread (a merged duplicate is seen through its target)."""
    if not can_read_forum(user) or thread.merged_into_id is not None:
        return False
    is_author = thread.author_id == _uid(user)
    if thread.is_private and not (is_author or sees_private(user) or _granted(user, thread)):
        return False
    return not (thread.is_hidden and not (is_author or sees_hidden(user)))


def visible_threads(user) -> ColumnElement[bool]:
    """SQL twin of `can_see_thread`, for lists and search."""
    if not can_read_forum(user):
        return false()
    uid = _uid(user)
    conditions = [Thread.merged_into_id.is_(None)]
    if not sees_private(user):
        conditions.append(or_(Thread.is_private.is_(False), Thread.author_id == uid,
                              *_granted_conditions(user)))
    if not sees_hidden(user):
        conditions.append(or_(Thread.is_hidden.is_(False), Thread.author_id == uid))
    return and_(*conditions)


def personal_reach(user) -> ColumnElement[bool] | None:
    """What lets `user` see a private or hidden thread beyond their role's rights: being
    its author, or a partner's access. None when nothing can."""
    reach = ([Thread.author_id == _uid(user)] if user.is_authenticated else [])
    reach += _granted_conditions(user)
    return or_(*reach) if reach else None


def can_see_post(user, post: Post) -> bool:
    """A post of a thread the user sees: internal notes for handlers, hidden ones for
    moderators and their author."""
    if post.is_internal and not sees_private(user):
        return False
    return not (post.is_hidden and not (post.author_id == _uid(user) or sees_hidden(user)))


def visible_posts(user) -> ColumnElement[bool]:
    """SQL twin of `can_see_post` (the thread condition is separate)."""
    uid = _uid(user)
    conditions = []
    if not sees_private(user):
        conditions.append(Post.is_internal.is_(False))
    if not sees_hidden(user):
        conditions.append(or_(Post.is_hidden.is_(False), Post.author_id == uid))
    return and_(true(), *conditions)


def shows_content(user, post: Post) -> bool:
    """Whether the body is shown, or only a "hidden by a moderator" placeholder."""
    return not post.is_hidden or sees_hidden(user) or post.author_id == _uid(user)


def can_start_thread(user, category: Category) -> bool:
    if not user.can(P.POST_FORUM):
        return False
    return not (category.is_announcement and not user.is_staff)


def can_reply(user, thread: Thread) -> bool:
    if not user.can(P.POST_FORUM) or not can_see_thread(user, thread):
        return False
    return not (thread.is_locked and not sees_hidden(user))


def can_write_internal_note(user, thread: Thread) -> bool:
    return thread.complaint is not None and sees_private(user)


def is_official_author(user) -> bool:
    """Staff replies carry the official badge; the first one answers a complaint."""
    return user.is_staff


def can_edit_post(user, post: Post, now=None) -> bool:
    """Authors edit their own post for 30 minutes; a hidden or locked one no more."""
    if post.author_id != _uid(user) or post.is_hidden or post.thread.is_locked:
        return False
    return (now or utcnow()) - post.created_at <= EDIT_WINDOW


def can_flag_post(user, post: Post) -> bool:
    return user.can(P.POST_FORUM) and post.author_id != _uid(user) and not post.is_internal


def can_see_photo(user, photo: Photo) -> bool:
    """A photo is shown to whoever sees its post's text (others get a 404)."""
    post = photo.post
    return (can_see_thread(user, post.thread) and can_see_post(user, post)
            and shows_content(user, post))


def can_handle_complaint(user) -> bool:
    return user.can(P.HANDLE_COMPLAINTS)


def can_moderate(user) -> bool:
    return user.can(P.MODERATE_FORUM)


def can_silence(user, member) -> bool:
    """Moderators silence members; never themselves or another moderator."""
    return can_moderate(user) and member.id != _uid(user) and not can_moderate(member)


def is_complaint_author(user, complaint: Complaint) -> bool:
    return complaint.thread.author_id == _uid(user)


def can_reopen(user, complaint: Complaint, now=None) -> bool:
    if not is_complaint_author(user, complaint) or complaint.resolved_at is None:
        return False
    return (now or utcnow()) - complaint.resolved_at <= REOPEN_WINDOW


def can_rate(user, complaint: Complaint) -> bool:
    return (is_complaint_author(user, complaint) and complaint.rated_at is None
            and complaint.status in (ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED))


def can_escalate(user, complaint: Complaint, now=None) -> bool:
    """The author's "escalate" button: once the first-response target has passed."""
    return (is_complaint_author(user, complaint) and complaint.escalated_at is None
            and complaint.status in ACTIVE_STATUSES
            and (now or utcnow()) > complaint.first_response_due_at)

