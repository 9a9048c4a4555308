"""Moderator pages (P.MODERATE_FORUM): the flag queue, hide/unhide, lock, pin, move,
merge, silence, and the moderation log with its undo buttons.

Buttons go back to where they were pressed (`next`, else the thread): 302 when done,
303 when the act was refused (its message flashed, its writes undone).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.models import User
from portal.accounts.permissions import P, require_permission
from portal.core.forms import EmptyForm
from portal.core.loaders import get_or_404
from portal.core.pagination import requested_page
from portal.core.security import client_ip, safe_next
from portal.core.uow import flashed_errors, form_errors
from portal.forum import moderation, reading
from portal.forum.admin import bp
from portal.forum.forms import HideForm, MergeForm, MoveForm, SilenceForm
from portal.forum.models import ModerationAct, Post, Sanction, Thread

THREAD_ACTIONS = {"lock": (moderation.set_locked, True), "unlock": (moderation.set_locked, False),
                  "pin": (moderation.set_pinned, True), "unpin": (moderation.set_pinned, False)}


def _back(default: str) -> str:
    return safe_next(request.form.get("next"), default)


def _act(act: Callable[[], object], done: str, default: str, refused_to: str | None = None):
    """Run one moderation service; flash `done`, or the refusal (its writes undone)."""
    with flashed_errors() as refused:
        act()
        flash(done, "success")
    if refused:
        return redirect(_back(refused_to or default), 303)
    return redirect(_back(default))


def _thread_url(thread_id: int) -> str:
    return url_for("forum.thread_detail", thread_id=thread_id)


@bp.get("/flags")
@require_permission(P.MODERATE_FORUM)
def flag_queue():
    shown = moderation.flag_queue_page(current_user, requested_page())
    return render_template("forum/admin/flags.html", page=shown.page, flags=shown.flags,
                           silenceable=shown.silenceable, form=EmptyForm(formdata=None),
                           hide_form=HideForm(formdata=None))


@bp.post("/posts/<int:post_id>/dismiss-flags")
@require_permission(P.MODERATE_FORUM)
def dismiss_flags(post_id: int):
    post = get_or_404(Post, post_id)
    return _act(lambda: moderation.dismiss_flags(current_user, post, ip=client_ip()),
                _("The reports are dismissed."), url_for("forum_admin.flag_queue"))


@bp.post("/posts/<int:post_id>/hide")
@require_permission(P.MODERATE_FORUM)
def hide_post(post_id: int):
    post = get_or_404(Post, post_id)
    form = HideForm()
    if not form.validate_on_submit():
        abort(400)
    return _act(lambda: moderation.hide_post(current_user, post, form.reason.data or "",
                                             ip=client_ip()),
                _("The post is hidden."), _thread_url(post.thread_id))


@bp.post("/posts/<int:post_id>/unhide")
@require_permission(P.MODERATE_FORUM)
def unhide_post(post_id: int):
    post = get_or_404(Post, post_id)
    return _act(lambda: moderation.unhide_post(current_user, post, ip=client_ip()),
                _("The post is shown again."), _thread_url(post.thread_id))


@bp.post("/threads/<int:thread_id>/<any(lock, unlock, pin, unpin):action>")
@require_permission(P.MODERATE_FORUM)
def thread_action(thread_id: int, action: str):
    thread = get_or_404(Thread, thread_id)
    service, value = THREAD_ACTIONS[action]
    return _act(lambda: service(current_user, thread, value, ip=client_ip()), _("Done."),
                _thread_url(thread.id))


@bp.post("/threads/<int:thread_id>/move")
@require_permission(P.MODERATE_FORUM)
def move_thread(thread_id: int):
    thread = get_or_404(Thread, thread_id)
    categories = reading.categories()
    form = MoveForm()
    form.category.choices = [(c.id, "") for c in categories]
    if not form.validate_on_submit():
        abort(400)
    category = next(c for c in categories if c.id == form.category.data)
    return _act(lambda: moderation.move_thread(current_user, thread, category, ip=client_ip()),
                _("The thread is moved."), _thread_url(thread.id))


@bp.post("/threads/<int:thread_id>/merge")
@require_permission(P.MODERATE_FORUM)
def merge_thread(thread_id: int):
    source = get_or_404(Thread, thread_id)
    form = MergeForm()
    if not form.validate_on_submit():
        flash(_("Enter a thread number."), "danger")
        return redirect(_thread_url(source.id), 303)
    return _act(lambda: moderation.merge_thread_into(current_user, source, form.target_id.data,
                                                     ip=client_ip()),
                _("The threads are merged."), _thread_url(form.target_id.data),
                refused_to=_thread_url(source.id))


@bp.route("/members/<int:user_id>/silence", methods=["GET", "POST"])
@require_permission(P.MODERATE_FORUM)
def silence_member(user_id: int):
    member = get_or_404(User, user_id)
    form = SilenceForm()
    if form.validate_on_submit():
        with form_errors(form, "days"):
            moderation.silence_member(current_user, member, form.days.data, form.reason.data or "",
                                      ip=client_ip())
            flash(_("%(name)s cannot post for %(days)d days.", name=member.display_name,
                    days=form.days.data), "success")
            return redirect(url_for("forum_admin.silence_member", user_id=member.id))
    return render_template("forum/admin/silence.html", member=member, form=form,
                           sanctions=moderation.member_sanctions(member),
                           button_form=EmptyForm(formdata=None)), 400 if form.errors else 200


@bp.post("/sanctions/<int:sanction_id>/lift")
@require_permission(P.MODERATE_FORUM)
def lift_silence(sanction_id: int):
    sanction = get_or_404(Sanction, sanction_id)
    return _act(lambda: moderation.lift_silence(current_user, sanction, ip=client_ip()),
                _("The member may post again."),
                url_for("forum_admin.silence_member", user_id=sanction.user_id))


@bp.get("/acts")
@require_permission(P.MODERATE_FORUM)
def act_list():
    shown = moderation.acts_page(requested_page())
    return render_template("forum/admin/acts.html", page=shown.page, may_undo=shown.may_undo,
                           form=EmptyForm(formdata=None), locale=str(get_locale()))


@bp.post("/acts/<int:act_id>/undo")
@require_permission(P.MODERATE_FORUM)
def undo_act(act_id: int):
    act = get_or_404(ModerationAct, act_id)
    return _act(lambda: moderation.undo(current_user, act, ip=client_ip()), _("Undone."),
                url_for("forum_admin.act_list"))
