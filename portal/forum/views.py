"""Member pages: browse, post, reply, edit, follow, report, photos, search and the
homeowner's complaint actions. Each view: load (404) → check (403/404) → one service
call → commit → redirect; e-mails after the commit. GET requests write nothing.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.accounts.models import Building, Unit
from portal.core.forms import EmptyForm
from portal.core.images import send_stored_image
from portal.core.security import client_ip
from portal.extensions import db, limiter
from portal.forum import complaints as complaint_rules
from portal.forum import rules, services
from portal.forum.common import ForumError
from portal.forum.forms import FlagForm, PostEditForm, RatingForm, ReplyForm, ThreadCreateForm
from portal.forum.models import Complaint, Photo, Post, Thread
from portal.forum.search import search_query
from portal.forum.staff_panel import staff_panel

bp = Blueprint("forum", __name__, url_prefix="/forum")

THREADS_PER_PAGE = 25
POSTS_PER_PAGE = 20
RESULTS_PER_PAGE = 20


def _poster_key() -> str:
    """Posting is limited per member, whatever address they post from."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


posting_limit = limiter.shared_limit(
    lambda: current_app.config["FORUM_POST_LIMIT"], scope="forum-post", key_func=_poster_key,
    methods=["POST"])


# --- loaders: 404 for what does not exist or may not be seen -----------------------

def _thread_row(thread_id: int) -> Thread | None:
    return db.session.scalar(
        select(Thread).where(Thread.id == thread_id).options(
            joinedload(Thread.category), joinedload(Thread.author),
            joinedload(Thread.complaint).joinedload(Complaint.assignee),
            joinedload(Thread.complaint).joinedload(Complaint.unit)
            .joinedload(Unit.building).joinedload(Building.development)))


def load_thread(thread_id: int) -> Thread:
    thread = _thread_row(thread_id)
    if thread is None or not rules.can_see_thread(current_user, thread):
        abort(404)
    return thread


def load_post(post_id: int) -> Post:
    post = db.session.scalar(select(Post).where(Post.id == post_id).options(
        joinedload(Post.thread).joinedload(Thread.category), joinedload(Post.author)))
    if (post is None or not rules.can_see_thread(current_user, post.thread)
            or not rules.can_see_post(current_user, post)):
        abort(404)
    return post


def load_complaint(thread_id: int) -> Complaint:
    thread = load_thread(thread_id)
    if thread.complaint is None:
        abort(404)
    return thread.complaint


def _page() -> int:
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() and 0 < int(value) < 100_000 else 1


# --- browsing -------------------------------------------------------------------------

@bp.get("/")
@login_required
def forum_index():
    counts = services.thread_counts(current_user)
    latest = db.paginate(services.latest_threads_query(current_user), page=_page(),
                         per_page=THREADS_PER_PAGE, error_out=False)
    return render_template("forum/index.html", categories=services.categories(), counts=counts,
                           page=latest, locale=str(get_locale()))


@bp.get("/c/<slug>")
@login_required
def category_detail(slug: str):
    category = services.category_by_slug(slug)
    if category is None:
        abort(404)
    page = db.paginate(services.category_threads_query(current_user, category), page=_page(),
                       per_page=THREADS_PER_PAGE, error_out=False)
    return render_template("forum/category.html", category=category, page=page,
                           locale=str(get_locale()),
                           may_post=rules.can_start_thread(current_user, category))


@bp.route("/new", methods=["GET", "POST"])
@login_required
@posting_limit
def new_thread():
    locale = str(get_locale())
    allowed = [c for c in services.categories() if rules.can_start_thread(current_user, c)]
    if not allowed:
        abort(403)
    form = ThreadCreateForm()
    form.category.choices = {c.slug: c.name(locale) for c in allowed}
    units = services.my_units(current_user)
    form.unit.choices = {"": _("No unit"), **{str(u.id): u.label for u in units}}
    if request.method == "GET" and request.args.get("category") in form.category.choices:
        form.category.data = request.args["category"]
    if form.validate_on_submit():
        category = next(c for c in allowed if c.slug == form.category.data)
        unit = next((u for u in units if str(u.id) == form.unit.data), None)
        try:
            written = services.start_thread(
                current_user, category, form.title.data, form.body.data,
                photos=request.files.getlist(form.photos.name), unit=unit,
                is_private=form.is_private.data)
        except ForumError as error:
            db.session.rollback()
            form.body.errors.append(str(error))
        else:
            db.session.commit()
            written.outbox.send()
            flash(_("Your thread is posted."), "success")
            return redirect(url_for("forum.thread_detail", thread_id=written.post.thread_id))
    complaint_slugs = [c.slug for c in allowed if c.is_complaint]
    return render_template("forum/new.html", form=form, complaint_slugs=complaint_slugs,
                           has_units=bool(units)), 400 if form.errors else 200


def render_thread(thread: Thread, reply_form: ReplyForm | None = None, status: int = 200,
                  rating_form: RatingForm | None = None):
    """The thread page; also re-shown with errors when a reply or rating is refused."""
    user = current_user
    page = db.paginate(services.thread_posts_query(user, thread), page=_page(),
                       per_page=POSTS_PER_PAGE, error_out=False)
    if reply_form is None:
        reply_form = ReplyForm(formdata=None)
        quoted = request.args.get("quote", "")
        if quoted.isdigit():
            post = db.session.get(Post, int(quoted))
            if (post is not None and post.thread_id == thread.id
                    and rules.can_see_post(user, post) and rules.shows_content(user, post)):
                reply_form.body.data = services.quote_text(post)
    complaint = thread.complaint
    if rating_form is None and complaint is not None and rules.can_rate(user, complaint):
        rating_form = RatingForm(formdata=None)
    context = {
        "thread": thread, "page": page, "reply_form": reply_form, "rules": rules,
        "complaint": complaint, "locale": str(get_locale()),
        "following": services.is_following(user, thread),
        "may_reply": rules.can_reply(user, thread), "button_form": EmptyForm(formdata=None),
        "clock": complaint_rules.clock(complaint) if complaint else None,
        "rating_form": rating_form,
        "staff": staff_panel(thread, reply_form),
    }
    return render_template("forum/thread.html", **context), status


@bp.get("/t/<int:thread_id>")
@login_required
def thread_detail(thread_id: int):
    thread = _thread_row(thread_id)
    if thread is not None and thread.merged_into_id is not None:
        # A merged duplicate leads to the thread it went into (if that may be seen).
        target = db.session.get(Thread, thread.merged_into_id)
        if rules.can_see_thread(current_user, target):
            return redirect(url_for("forum.thread_detail", thread_id=target.id))
    if thread is None or not rules.can_see_thread(current_user, thread):
        abort(404)
    return render_thread(thread)


@bp.post("/t/<int:thread_id>/reply")
@login_required
@posting_limit
def reply(thread_id: int):
    thread = load_thread(thread_id)
    if not rules.can_reply(current_user, thread):
        abort(403)
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            written = services.reply(current_user, thread, form.body.data,
                                     photos=request.files.getlist(form.photos.name),
                                     internal=form.is_internal.data)
        except ForumError as error:
            db.session.rollback()
            form.body.errors.append(str(error))
        else:
            db.session.commit()
            written.outbox.send()
            return redirect(url_for("forum.post_link", post_id=written.post.id))
    return render_thread(load_thread(thread_id), form, 400)


@bp.get("/p/<int:post_id>")
@login_required
def post_link(post_id: int):
    """A stable link to a post: the thread page it is on, scrolled to it."""
    post = load_post(post_id)
    number = services.post_page(current_user, post, POSTS_PER_PAGE)
    return redirect(url_for("forum.thread_detail", thread_id=post.thread_id, page=number,
                            _anchor=f"post-{post.id}"))


@bp.route("/p/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit_post(post_id: int):
    post = load_post(post_id)
    if not rules.can_edit_post(current_user, post):
        abort(403)
    form = PostEditForm(obj=post)
    if request.method == "GET" and post.is_opening:
        form.title.data = post.thread.title
    if form.validate_on_submit():
        try:
            services.edit_post(current_user, post, form.body.data,
                               form.title.data if post.is_opening else None)
        except ForumError as error:
            db.session.rollback()
            form.body.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Your post is saved."), "success")
            return redirect(url_for("forum.post_link", post_id=post.id))
    return render_template("forum/edit.html", form=form, post=post), 400 if form.errors else 200


@bp.get("/p/<int:post_id>/history")
@login_required
def post_history(post_id: int):
    post = load_post(post_id)
    if not rules.shows_content(current_user, post):
        abort(404)
    return render_template("forum/history.html", post=post)


@bp.route("/p/<int:post_id>/flag", methods=["GET", "POST"])
@login_required
def flag_post(post_id: int):
    post = load_post(post_id)
    if not rules.can_flag_post(current_user, post):
        abort(403)
    form = FlagForm()
    if form.validate_on_submit():
        try:
            services.flag_post(current_user, post, form.reason.data)
        except ForumError as error:
            db.session.rollback()
            form.reason.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Thank you. The moderators will look at this post."), "success")
            return redirect(url_for("forum.post_link", post_id=post.id))
    return render_template("forum/flag.html", form=form, post=post), 400 if form.errors else 200


@bp.post("/t/<int:thread_id>/follow")
@login_required
def follow(thread_id: int):
    thread = load_thread(thread_id)
    services.follow(current_user, thread)
    db.session.commit()
    flash(_("You will be told about new replies."), "success")
    return redirect(url_for("forum.thread_detail", thread_id=thread.id))


@bp.post("/t/<int:thread_id>/unfollow")
@login_required
def unfollow(thread_id: int):
    thread = load_thread(thread_id)
    services.unfollow(current_user, thread)
    db.session.commit()
    flash(_("You no longer follow this thread."), "info")
    return redirect(url_for("forum.thread_detail", thread_id=thread.id))


@bp.get("/photos/<int:photo_id>")
@bp.get("/photos/<int:photo_id>/thumb", endpoint="photo_thumb")
@login_required
def photo(photo_id: int):
    """Photos are served only to who may see the post and its thread: others get 404."""
    photo_ = db.session.scalar(select(Photo).where(Photo.id == photo_id).options(
        joinedload(Photo.post).joinedload(Post.thread)))
    if photo_ is None:
        abort(404)
    post = photo_.post
    if not (rules.can_see_thread(current_user, post.thread) and rules.can_see_post(current_user, post)
            and rules.shows_content(current_user, post)):
        abort(404)
    name = photo_.thumb_name if request.endpoint == "forum.photo_thumb" else photo_.stored_name
    return send_stored_image(services.photo_folder(), name)


@bp.get("/search")
@login_required
def search():
    q = request.args.get("q", "").strip()
    query = search_query(current_user, q) if q else None
    page = (db.paginate(query, page=_page(), per_page=RESULTS_PER_PAGE, error_out=False)
            if query is not None else None)
    return render_template("forum/search.html", q=q, page=page, locale=str(get_locale()),
                           too_short=bool(q) and query is None)


# --- the homeowner's complaint actions ------------------------------------------------------

def _author_acts(thread_id: int, act, done: str):
    """Load the complaint (404), check the author (403), `act(complaint)`, commit, then send
    the notifications it queued and go back to the thread."""
    complaint = load_complaint(thread_id)
    if not rules.is_complaint_author(current_user, complaint):
        abort(403)
    try:
        outbox = act(complaint)
    except ForumError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        outbox.send()
        flash(done, "success")
    return redirect(url_for("forum.thread_detail", thread_id=thread_id))


@bp.post("/t/<int:thread_id>/escalate")
@login_required
def escalate(thread_id: int):
    return _author_acts(
        thread_id, lambda complaint: complaint_rules.member_escalate(
            complaint, current_user, ip=client_ip()),
        _("Your complaint is escalated to the department lead."))


@bp.post("/t/<int:thread_id>/reopen")
@login_required
def reopen(thread_id: int):
    return _author_acts(
        thread_id, lambda complaint: complaint_rules.reopen(complaint, current_user, ip=client_ip()),
        _("Your complaint is open again."))


@bp.post("/t/<int:thread_id>/rate")
@login_required
def rate(thread_id: int):
    complaint = load_complaint(thread_id)
    if not rules.is_complaint_author(current_user, complaint):
        abort(403)
    form = RatingForm()
    if form.validate_on_submit():
        try:
            complaint_rules.rate(complaint, current_user, form.rating.data, form.comment.data or "")
        except ForumError as error:
            db.session.rollback()
            form.rating.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Thank you for your rating."), "success")
            return redirect(url_for("forum.thread_detail", thread_id=thread_id))
    return render_thread(load_thread(thread_id), status=400, rating_form=form)
