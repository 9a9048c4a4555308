"""Every forum and complaint endpoint × every actor.

Private complaints, hidden posts and their photos are 404 (not 403) for those who may not
see them, so their existence does not leak. Reading is public: visitors who are not
logged in get the public pages (and the same 404s); everything that writes sends them to
log in.
"""

from __future__ import annotations

from portal.forum import complaints, moderation, services
from tests import factories
from tests.access import (
    ADMIN,
    ANON,
    LOGIN,
    MARKETING,
    MEMBER,
    PARTNER,
    SERVICE,
    Route,
    everyone,
    only,
    owner_only,
    signed_in,
)
from tests.forum.helpers import file_storage, make_category, make_complaint, make_reply, make_thread

HANDLERS = (SERVICE, ADMIN)  # P.HANDLE_COMPLAINTS
MODERATORS = (SERVICE, ADMIN)  # P.MODERATE_FORUM
SETTINGS = (ADMIN,)  # P.MANAGE_SETTINGS


def private_only(status=200, others=404, anonymous=LOGIN) -> dict:
    """Another member's private complaint: handlers see it, everyone else gets 404
    (visitors: `anonymous` — 404 on the public read pages, log in on the writing ones)."""
    return {ANON: anonymous, **{role: (status if role in HANDLERS else others)
                                for role in (MEMBER, PARTNER, SERVICE, MARKETING, ADMIN)}}


def _thread(world) -> str:
    return f"/forum/t/{make_thread().id}"


def _private(world) -> str:
    return f"/forum/t/{make_complaint(is_private=True).thread_id}"


def _my_complaint(suffix: str):
    def build(world) -> str:
        return f"/forum/t/{make_complaint(world.users[MEMBER]).thread_id}/{suffix}"
    return build


def _post(suffix: str = "", author: str | None = None):
    def build(world) -> str:
        thread = make_thread()
        post = make_reply(thread, world.users[author] if author else None)
        return f"/forum/p/{post.id}{suffix}"
    return build


def _hidden_post(world) -> str:
    post = make_reply(make_thread())
    moderation.hide_post(factories.make_user("service"), post)
    return f"/forum/p/{post.id}"


def _photo(private: bool, thumb: bool = False):
    def build(world) -> str:
        category = make_category("complaint") if private else make_category()
        author = factories.make_member()
        thread = make_thread(author, category, is_private=private, photos=[file_storage()])
        photo = thread_photo(thread)
        return f"/forum/photos/{photo.id}" + ("/thumb" if thumb else "")
    return build


def _department_member(world) -> str:
    handler = factories.make_user("service")
    complaints.add_department_staff("engineering", handler, world.users[ADMIN])
    return f"/admin/forum/departments/staff/engineering/{handler.id}/remove"


def _record_for_member(world) -> str:
    return f"/admin/complaints/record/{world.users[MEMBER].id}"


def thread_photo(thread):
    from sqlalchemy import select

    from portal.extensions import db
    from portal.forum.models import Photo, Post

    return db.session.scalar(select(Photo).join(Post).where(Post.thread_id == thread.id))


def _category(world) -> str:
    return f"/forum/c/{make_category().slug}"


def _new(world) -> str:
    make_category()
    return "/forum/new"


def _complaint_admin(world) -> str:
    return f"/admin/complaints/{make_complaint().id}"


def _admin_post(suffix: str):
    def build(world) -> str:
        return f"/admin/forum/posts/{make_reply(make_thread()).id}/{suffix}"
    return build


def _admin_thread(suffix: str):
    def build(world) -> str:
        return f"/admin/forum/threads/{make_thread().id}/{suffix}"
    return build


def _canned(suffix: str = ""):
    def build(world) -> str:
        reply = services.save_canned_reply(None, world.users[ADMIN], locale="en", title="Hi",
                                           body="Hello")
        return f"/admin/forum/canned/{reply.id}{suffix}"
    return build


def _category_edit(world) -> str:
    return f"/admin/forum/categories/{make_category().id}"


def _silence(world) -> str:
    return f"/admin/forum/members/{factories.make_member().id}/silence"


def _sanction(world) -> str:
    act = moderation.silence_member(world.users[ADMIN], factories.make_member(), 3)
    return f"/admin/forum/sanctions/{act.details['sanction_id']}/lift"


def _undo(world) -> str:
    act = moderation.set_pinned(world.users[ADMIN], make_thread(), True)
    return f"/admin/forum/acts/{act.id}/undo"


RULES = [
    # Reading: public (visitors too)
    Route("forum.forum_index", everyone(200)),
    Route("forum.category_detail", everyone(200), path=_category),
    Route("forum.category_detail", everyone(404), path="/forum/c/no-such-category"),
    Route("forum.new_thread", signed_in(200), path=_new),
    Route("forum.new_thread", signed_in(400), method="POST", path=_new),
    Route("forum.thread_detail", everyone(200), path=_thread),
    Route("forum.thread_detail", private_only(anonymous=404), path=_private),
    Route("forum.thread_detail", everyone(404), path="/forum/t/999999"),
    Route("forum.reply", signed_in(400), method="POST", path=lambda w: _thread(w) + "/reply"),
    Route("forum.reply", private_only(400), method="POST",
          path=lambda w: _private(w) + "/reply"),
    Route("forum.post_link", everyone(302), path=_post()),
    Route("forum.post_link", {ANON: 404, MEMBER: 404, PARTNER: 404, SERVICE: 302,
                              MARKETING: 404, ADMIN: 302}, path=_hidden_post),
    Route("forum.post_history", everyone(200), path=_post("/history")),
    Route("forum.edit_post", owner_only(200, others=403), path=_post("/edit", MEMBER),
          object_rule="the author only"),
    Route("forum.edit_post", owner_only(302, others=403), method="POST",
          path=_post("/edit", MEMBER),
          object_rule="the author only"),
    Route("forum.flag_post", signed_in(200), path=_post("/flag")),
    Route("forum.flag_post", signed_in(400), method="POST", path=_post("/flag")),
    Route("forum.follow", signed_in(302), method="POST", path=lambda w: _thread(w) + "/follow"),
    Route("forum.follow", private_only(302), method="POST", path=lambda w: _private(w) + "/follow"),
    Route("forum.unfollow", signed_in(302), method="POST",
          path=lambda w: _thread(w) + "/unfollow"),
    Route("forum.photo", everyone(200), path=_photo(private=False)),
    Route("forum.photo", private_only(anonymous=404), path=_photo(private=True)),
    Route("forum.photo_thumb", everyone(200), path=_photo(private=False, thumb=True)),
    Route("forum.photo_thumb", private_only(anonymous=404), path=_photo(private=True, thumb=True)),
    Route("forum.photo", everyone(404), path="/forum/photos/999999"),
    Route("forum.search", everyone(200), path="/forum/search?q=漏水"),
    Route("forum.escalate", owner_only(400, others=403), method="POST",
          path=_my_complaint("escalate"),
          object_rule="the complainant only"),
    Route("forum.reopen", owner_only(302, others=403), method="POST", path=_my_complaint("reopen"),
          object_rule="the complainant only"),
    Route("forum.rate", owner_only(400, others=403), method="POST", path=_my_complaint("rate"),
          object_rule="the complainant only"),
    Route("forum.rate", private_only(403), method="POST", path=lambda w: _private(w) + "/rate",
          object_rule="the complainant only"),
    # Staff: complaints
    Route("complaints_admin.queue", only(HANDLERS)),
    Route("complaints_admin.bulk_assign", only(HANDLERS, 302), method="POST"),
    Route("complaints_admin.update_complaint", only(HANDLERS, 400), method="POST",
          path=_complaint_admin),
    Route("forum_admin.canned_list", only(HANDLERS), path="/admin/forum/canned"),
    Route("forum_admin.canned_edit", only(HANDLERS), path="/admin/forum/canned/new"),
    Route("forum_admin.canned_edit", only(HANDLERS), path=_canned()),
    Route("forum_admin.canned_edit", only(HANDLERS, 302), method="POST", path=_canned()),
    Route("forum_admin.canned_edit", only(HANDLERS, 400), method="POST", path="/admin/forum/canned/new"),
    # Service deletes the reply; the admin then finds none (404).
    Route("forum_admin.canned_delete", only(HANDLERS, 302) | {ADMIN: 404}, method="POST",
          path=_canned("/delete")),
    # Staff: moderation
    Route("forum_admin.flag_queue", only(MODERATORS), path="/admin/forum/flags"),
    Route("forum_admin.act_list", only(MODERATORS), path="/admin/forum/acts"),
    Route("forum_admin.dismiss_flags", only(MODERATORS, 303), method="POST",
          path=_admin_post("dismiss-flags")),
    # Service acts (302); the admin finds it done (303, "already").
    Route("forum_admin.hide_post", only(MODERATORS, 302) | {ADMIN: 303}, method="POST",
          path=_admin_post("hide")),
    Route("forum_admin.unhide_post", only(MODERATORS, 303), method="POST",
          path=_admin_post("unhide")),
    Route("forum_admin.thread_action", only(MODERATORS, 302) | {ADMIN: 303}, method="POST",
          path=_admin_thread("lock")),
    Route("forum_admin.move_thread", only(MODERATORS, 400), method="POST",
          path=_admin_thread("move")),
    Route("forum_admin.merge_thread", only(MODERATORS, 303), method="POST",
          path=_admin_thread("merge")),
    Route("forum_admin.silence_member", only(MODERATORS), path=_silence),
    Route("forum_admin.silence_member", only(MODERATORS, 400), method="POST", path=_silence),
    Route("forum_admin.lift_silence", only(MODERATORS, 302) | {ADMIN: 303}, method="POST", path=_sanction),
    Route("forum_admin.undo_act", only(MODERATORS, 302) | {ADMIN: 303}, method="POST", path=_undo),
    # Admin settings
    Route("forum_admin.category_list", only(SETTINGS), path="/admin/forum/categories"),
    Route("forum_admin.category_edit", only(SETTINGS), path="/admin/forum/categories/new"),
    Route("forum_admin.category_edit", only(SETTINGS), path=_category_edit),
    Route("forum_admin.category_edit", only(SETTINGS, 400), method="POST", path=_category_edit),
    Route("forum_admin.category_edit", only(SETTINGS, 400), method="POST",
          path="/admin/forum/categories/new"),
    Route("forum_admin.departments", only(SETTINGS), path="/admin/forum/departments"),
    Route("forum_admin.departments", only(SETTINGS, 400), method="POST",
          path="/admin/forum/departments"),
    Route("forum_admin.add_department_staff", only(SETTINGS, 400), method="POST",
          path="/admin/forum/departments/staff"),
    Route("forum_admin.remove_department_staff", only(SETTINGS, 302), method="POST",
          path=_department_member),
    # Staff record a complaint for the member who phoned (an empty form is refused: 400).
    Route("complaints_admin.record_search", only(HANDLERS), path="/admin/complaints/record?q=a"),
    Route("complaints_admin.record_complaint", only(HANDLERS), path=_record_for_member),
    Route("complaints_admin.record_complaint", only(HANDLERS, 400), method="POST",
          path=_record_for_member),
]
