"""The rules behind what a page offers are applied by the services (`reading`,
`moderation`), and the templates only show the flags they computed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.core.timeutil import utcnow
from portal.forum import moderation, reading
from portal.forum.models import ModerationAct, Post
from tests import factories
from tests.forum.helpers import make_complaint, make_reply, make_thread


def test_silence_page_offers_lift_only_for_silences_in_force(client, login, db):
    moderator = login("service")
    member = factories.make_member()
    now = utcnow()
    expired = moderation.silence_member(moderator, member, 1, "old", now=now - timedelta(days=3))
    lifted = moderation.silence_member(moderator, member, 5, "lifted", now=now - timedelta(days=1))
    moderation.undo(moderator, lifted)
    current = moderation.silence_member(moderator, member, 2, "current", now=now)
    in_force = {s.id: active for s, active in moderation.member_sanctions(member)}
    assert in_force == {current.details["sanction_id"]: True, expired.details["sanction_id"]: False,
                        lifted.details["sanction_id"]: False}
    page = client.get(f"/admin/forum/members/{member.id}/silence").get_data(as_text=True)
    assert page.count("/lift\"") == 1
    assert f'/admin/forum/sanctions/{current.details["sanction_id"]}/lift' in page


def test_thread_page_flags_per_post_and_viewer(db, app):
    moderator, other_moderator = factories.make_user("service"), factories.make_user("admin")
    member = factories.make_member()
    complaint = make_complaint(member, now=utcnow() - timedelta(hours=30))
    thread = complaint.thread
    mine = make_reply(thread, member, "mine")
    staff_post = make_reply(thread, other_moderator, "staff")
    with app.test_request_context():
        for_mod = reading.thread_page(moderator, thread, locale="en")
        views = {view.post.id: view for view in for_mod.posts}
        assert views[mine.id].may_silence_author and not views[staff_post.id].may_silence_author
        assert all(view.may_moderate for view in for_mod.posts)
        # The staff reply answered it: the status moved on.
        assert for_mod.staff.handles and for_mod.staff.statuses[0] == "acknowledged"
        assert not (for_mod.may_escalate or for_mod.is_complaint_author)
        for_member = reading.thread_page(member, thread, locale="en")
        views = {view.post.id: view for view in for_member.posts}
        assert views[mine.id].may_edit and not views[mine.id].may_flag
        assert views[staff_post.id].may_flag and not views[staff_post.id].may_edit
        assert not any(view.may_moderate or view.may_silence_author for view in for_member.posts)
        assert for_member.is_complaint_author and for_member.may_escalate
        assert for_member.staff is None and not for_member.may_rate
        quoted = reading.thread_page(member, thread, locale="en", quote_id=staff_post.id)
        assert "staff" in quoted.quote
        elsewhere = make_reply(make_thread(), body="elsewhere")
        assert reading.thread_page(member, thread, locale="en", quote_id=elsewhere.id).quote == ""


def test_acts_page_offers_undo_only_for_acts_that_can_be_undone(client, login, db):
    moderator = login("service")
    thread = make_thread()
    lock = moderation.set_locked(moderator, thread, True)
    pin = moderation.set_pinned(moderator, thread, True)
    moderation.undo(moderator, pin)  # pin undone; "unpin" (the inverse) stays undoable
    merged = make_thread()
    moderation.merge_thread(moderator, merged, thread)
    unmerge = moderation.undo(moderator, db.session.scalar(
        select(ModerationAct).where(ModerationAct.action == "merge")))
    shown = moderation.acts_page()
    assert lock.id in shown.may_undo and pin.id not in shown.may_undo
    assert unmerge.id not in shown.may_undo
    page = client.get("/admin/forum/acts").get_data(as_text=True)
    assert page.count("/undo\"") == len(shown.may_undo)
    assert f"/admin/forum/acts/{pin.id}/undo" not in page


def test_flag_queue_offers_silence_only_for_members(client, login, db):
    moderator = login("service")
    by_member = make_reply(make_thread(), factories.make_member(), "rude member")
    by_staff = make_reply(make_thread(), factories.make_user("admin"), "rude admin")
    from portal.forum import services

    for post in (by_member, by_staff):
        services.flag_post(factories.make_member(), post, "rude")
    assert moderation.flag_queue_page(moderator).silenceable == {by_member.id}
    page = client.get("/admin/forum/flags").get_data(as_text=True)
    assert f"/admin/forum/members/{by_member.author_id}/silence" in page
    assert f"/admin/forum/members/{by_staff.author_id}/silence" not in page
    assert db.session.get(Post, by_staff.id) is not None


def test_id_choices_render_as_selects_with_the_current_value(client, login, db):
    staff = login("service", locale="en", display_name="Sam <Staff>")
    complaint = make_complaint()
    from portal.forum import complaints

    complaints.assign(complaint, staff, assignee=staff)
    page = client.get(f"/forum/t/{complaint.thread_id}").get_data(as_text=True)
    assert ('<select class="form-select" id="assignee" name="assignee"><option value="">Nobody'
            '</option>') in page
    assert f'<option selected value="{staff.id}">Sam &lt;Staff&gt;</option>' in page
