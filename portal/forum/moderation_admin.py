"""Moderator pages (P.MODERATE_FORUM): the flag queue, hide/unhide, lock, pin, move,
merge, silence, and the moderation log with its undo buttons."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portal.accounts.models import User
from portal.accounts.permissions import P, require_permission
from portal.core.forms import EmptyForm
from portal.core.security import client_ip, safe_next
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.forum import moderation, services
from portal.forum.admin import bp
from portal.forum.common import ForumError
from portal.forum.forms import HideForm, MergeForm, MoveForm, SilenceForm
from portal.forum.models import Category, Flag, ModerationAct, Post, Sanction, Thread

FLAGS_PER_PAGE = 30
ACTS_PER_PAGE = 50
THREAD_ACTIONS = {"lock": (moderation.set_locked, True), "unlock": (moderation.set_locked, False),
                  "pin": (moderation.set_pinned, True), "unpin": (moderation.set_pinned, False)}


def _get_or_404(model, object_id: int):
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    return obj


def _back(default: str) -> str:
    return safe_next(request.form.get("next"), default)


def _done(message: str, default: str):
    db.session.commit()
    flash(message, "success")
    return redirect(_back(default))


def _refused(error: ForumError, default: str):
    db.session.rollback()
    flash(str(error), "danger")
    return redirect(_back(default)), 303


def _thread_url(thread_id: int) -> str:
    return url_for("forum.thread_detail", thread_id=thread_id)


@bp.get("/flags")
@require_permission(P.MODERATE_FORUM)
def flag_queue():
    page = db.paginate(moderation.flag_queue_query().options(
        joinedload(Post.author), joinedload(Post.thread)),
        page=int(request.args["page"]) if request.args.get("page", "").isdigit() else 1,
        per_page=FLAGS_PER_PAGE, error_out=False)
    post_ids = [post.id for post in page.items]
    flags: dict[int, list[Flag]] = {}
    for flag in db.session.scalars(
            select(Flag).options(joinedload(Flag.reporter))
            .where(Flag.post_id.in_(post_ids), Flag.resolved_at.is_(None)).order_by(Flag.id)):
        flags.setdefault(flag.post_id, []).append(flag)
    return render_template("forum/admin/flags.html", page=page, flags=flags,
                           form=EmptyForm(formdata=None), hide_form=HideForm(formdata=None))


@bp.post("/posts/<int:post_id>/dismiss-flags")
@require_permission(P.MODERATE_FORUM)
def dismiss_flags(post_id: int):
    post = _get_or_404(Post, post_id)
    try:
        moderation.dismiss_flags(current_user, post, ip=client_ip())
    except ForumError as error:
        return _refused(error, url_for("forum_admin.flag_queue"))
    return _done(_("The reports are dismissed."), url_for("forum_admin.flag_queue"))


@bp.post("/posts/<int:post_id>/hide")
@require_permission(P.MODERATE_FORUM)
def hide_post(post_id: int):
    post = _get_or_404(Post, post_id)
    form = HideForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        _act, outbox = moderation.hide_post(current_user, post, form.reason.data or "",
                                            ip=client_ip())
    except ForumError as error:
        return _refused(error, _thread_url(post.thread_id))
    response = _done(_("The post is hidden."), _thread_url(post.thread_id))
    outbox.send()
    return response


@bp.post("/posts/<int:post_id>/unhide")
@require_permission(P.MODERATE_FORUM)
def unhide_post(post_id: int):
    post = _get_or_404(Post, post_id)
    try:
        moderation.unhide_post(current_user, post, ip=client_ip())
    except ForumError as error:
        return _refused(error, _thread_url(post.thread_id))
    return _done(_("The post is shown again."), _thread_url(post.thread_id))


@bp.post("/threads/<int:thread_id>/<any(lock, unlock, pin, unpin):action>")
@require_permission(P.MODERATE_FORUM)
def thread_action(thread_id: int, action: str):
    thread = _get_or_404(Thread, thread_id)
    service, value = THREAD_ACTIONS[action]
    try:
        service(current_user, thread, value, ip=client_ip())
    except ForumError as error:
        return _refused(error, _thread_url(thread.id))
    return _done(_("Done."), _thread_url(thread.id))


@bp.post("/threads/<int:thread_id>/move")
@require_permission(P.MODERATE_FORUM)
def move_thread(thread_id: int):
    thread = _get_or_404(Thread, thread_id)
    form = MoveForm()
    form.category.choices = {str(c.id): "" for c in services.categories()}
    if not form.validate_on_submit():
        abort(400)
    category = db.session.get(Category, int(form.category.data))
    try:
        moderation.move_thread(current_user, thread, category, ip=client_ip())
    except ForumError as error:
        return _refused(error, _thread_url(thread.id))
    return _done(_("The thread is moved."), _thread_url(thread.id))


@bp.post("/threads/<int:thread_id>/merge")
@require_permission(P.MODERATE_FORUM)
def merge_thread(thread_id: int):
    source = _get_or_404(Thread, thread_id)
    form = MergeForm()
    if not form.validate_on_submit():
        flash(_("Enter a thread number."), "danger")
        return redirect(_thread_url(source.id)), 303
    target = db.session.get(Thread, form.target_id.data)
    if target is None:
        flash(_("There is no thread with this number."), "danger")
        return redirect(_thread_url(source.id)), 303
    try:
        moderation.merge_thread(current_user, source, target, ip=client_ip())
    except ForumError as error:
        return _refused(error, _thread_url(source.id))
    return _done(_("The threads are merged."), _thread_url(target.id))


@bp.route("/members/<int:user_id>/silence", methods=["GET", "POST"])
@require_permission(P.MODERATE_FORUM)
def silence_member(user_id: int):
    member = _get_or_404(User, user_id)
    form = SilenceForm()
    if form.validate_on_submit():
        try:
            moderation.silence_member(current_user, member, form.days.data, form.reason.data or "",
                                      ip=client_ip())
        except ForumError as error:
            db.session.rollback()
            form.days.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("%(name)s cannot post for %(days)d days.", name=member.display_name,
                    days=form.days.data), "success")
            return redirect(url_for("forum_admin.silence_member", user_id=member.id))
    sanctions = db.session.scalars(select(Sanction).where(Sanction.user_id == member.id)
                                   .order_by(Sanction.silenced_until.desc()).limit(20)).all()
    return render_template("forum/admin/silence.html", member=member, form=form,
                           sanctions=sanctions, now=utcnow(), button_form=EmptyForm(formdata=None)), \
        400 if form.errors else 200


@bp.post("/sanctions/<int:sanction_id>/lift")
@require_permission(P.MODERATE_FORUM)
def lift_silence(sanction_id: int):
    sanction = _get_or_404(Sanction, sanction_id)
    default = url_for("forum_admin.silence_member", user_id=sanction.user_id)
    try:
        moderation.lift_silence(current_user, sanction, ip=client_ip())
    except ForumError as error:
        return _refused(error, default)
    return _done(_("The member may post again."), default)


@bp.get("/acts")
@require_permission(P.MODERATE_FORUM)
def act_list():
    page = db.paginate(
        select(ModerationAct).options(joinedload(ModerationAct.actor), joinedload(ModerationAct.member),
                                      selectinload(ModerationAct.thread))
        .order_by(ModerationAct.created_at.desc(), ModerationAct.id.desc()),
        page=int(request.args["page"]) if request.args.get("page", "").isdigit() else 1,
        per_page=ACTS_PER_PAGE, error_out=False)
    return render_template("forum/admin/acts.html", page=page, form=EmptyForm(formdata=None),
                           locale=str(get_locale()), undoable=UNDOABLE)


UNDOABLE = {"hide", "unhide", "lock", "unlock", "pin", "unpin", "move", "merge", "silence"}


@bp.post("/acts/<int:act_id>/undo")
@require_permission(P.MODERATE_FORUM)
def undo_act(act_id: int):
    act = _get_or_404(ModerationAct, act_id)
    try:
        moderation.undo(current_user, act, ip=client_ip())
    except ForumError as error:
        return _refused(error, url_for("forum_admin.act_list"))
    return _done(_("Undone."), url_for("forum_admin.act_list"))
