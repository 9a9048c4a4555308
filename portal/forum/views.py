"""Member pages: browse, post, reply, edit, follow, report, photos, search and the
homeowner's complaint actions.

Reading is public: visitors who are not logged in browse, read and search the public
threads with their replies and see their photos (the openness of a public complaint
forum is the point); private complaints, internal notes and hidden posts stay 404 for
them as for any member who may not see them (`rules`). Everything that writes needs an
account (`require_login`).

Each view: load (404) → check (403/404) → one service call → return. The request's unit
of work commits (or rolls back a refused form, status 400); e-mails leave after the
commit. GET requests write nothing.
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
from flask_login import current_user
from sqlalchemy.orm import joinedload

from portal.accounts.permissions import public, require_login
from portal.core.forms import EmptyForm
from portal.core.images import send_stored_image
from portal.core.loaders import get_or_404, query_id
from portal.core.pagination import requested_page
from portal.core.security import client_ip
from portal.core.uow import flashed_errors, form_errors
from portal.extensions import limiter
from portal.forum import complaints as complaint_rules
from portal.forum import reading, rules, services
from portal.forum.forms import (
    ComplaintUpdateForm,
    EscalateForm,
    FlagForm,
    PostEditForm,
    RatingForm,
    ReplyForm,
    ThreadCreateForm,
)
from portal.forum.models import CategoryKind, Complaint, Photo, Post, Thread
from portal.forum.staff_panel import staff_panel

bp = Blueprint("forum", __name__, url_prefix="/forum")


def _poster_key() -> str:
    """Posting is limited per member, whatever address they post from."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


posting_limit = limiter.shared_limit(
    lambda: current_app.config["FORUM_POST_LIMIT"], scope="forum-post", key_func=_poster_key,
    methods=["POST"])


# --- loaders: 404 for what does not exist or may not be seen -----------------------

def load_thread(thread_id: int) -> Thread:
    return get_or_404(Thread, thread_id, options=reading.THREAD_OPTIONS,
                      visible=lambda thread: rules.can_see_thread(current_user, thread))


def load_post(post_id: int) -> Post:
    return get_or_404(Post, post_id, options=reading.POST_OPTIONS, visible=lambda post: (
        rules.can_see_thread(current_user, post.thread) and rules.can_see_post(current_user, post)))


def load_complaint(thread_id: int) -> Complaint:
    thread = load_thread(thread_id)
    if thread.complaint is None:
        abort(404)
    return thread.complaint


def _locale() -> str:
    return str(get_locale())


# --- browsing -------------------------------------------------------------------------

@bp.get("/")
@public
def forum_index():
    index = reading.index_page(current_user, requested_page())
    return render_template("forum/index.html", categories=index.categories, counts=index.counts,
                           kinds=CategoryKind.labels(), page=index.latest, locale=_locale())


@bp.get("/c/<slug>")
@public
def category_detail(slug: str):
    category = reading.category_by_slug(slug)
    if category is None:
        abort(404)
    shown = reading.category_page(current_user, category, requested_page())
    return render_template("forum/category.html", category=category, page=shown.threads,
                           locale=_locale(), may_post=shown.may_post)


@bp.route("/new", methods=["GET", "POST"])
@require_login
@posting_limit
def new_thread():
    choices = reading.new_thread_choices(current_user)
    if not choices.categories:
        abort(403)
    locale = _locale()
    form = ThreadCreateForm()
    form.category.choices = {c.slug: c.name(locale) for c in choices.categories}
    form.unit.choices = [(None, _("No unit")), *((u.id, u.label) for u in choices.units)]
    if request.method == "GET" and request.args.get("category") in form.category.choices:
        form.category.data = request.args["category"]
    if request.method == "GET" and len(choices.units) == 1:
        form.unit.data = choices.units[0].id  # a member with one home means that one
    if form.validate_on_submit():
        category = next(c for c in choices.categories if c.slug == form.category.data)
        unit = next((u for u in choices.units if u.id == form.unit.data), None)
        with form_errors(form, "body"):
            post = services.start_thread(
                current_user, category, form.title.data, form.body.data,
                photos=request.files.getlist(form.photos.name), unit=unit,
                is_private=form.is_private.data)
            flash(_("Your thread is posted."), "success")
            return redirect(url_for("forum.thread_detail", thread_id=post.thread_id))
    complaint_slugs = [c.slug for c in choices.categories if c.is_complaint]
    return render_template("forum/new.html", form=form, complaint_slugs=complaint_slugs,
                           has_units=bool(choices.units)), 400 if form.errors else 200


def render_thread(thread: Thread, reply_form: ReplyForm | None = None, status: int = 200, *,
                  rating_form: RatingForm | None = None,
                  complaint_form: ComplaintUpdateForm | None = None,
                  escalate_form: EscalateForm | None = None):
    """The thread page; also re-shown with errors when a reply, rating or staff update is
    refused (status 400: the unit of work rolls back)."""
    shown = reading.thread_page(current_user, thread, locale=_locale(), page=requested_page(),
                                quote_id=None if reply_form else query_id(request.args.get("quote")))
    if reply_form is None:
        reply_form = ReplyForm(formdata=None)
        reply_form.body.data = shown.quote or None
    if rating_form is None and shown.may_rate:
        rating_form = RatingForm(formdata=None)
    if escalate_form is None and shown.may_escalate:
        escalate_form = EscalateForm(formdata=None)
    staff = staff_panel(thread, shown.staff, reply_form, complaint_form=complaint_form,
                        canned_id=query_id(request.args.get("canned")))
    return render_template("forum/thread.html", shown=shown, thread=thread, page=shown.page,
                           complaint=shown.complaint, clock=shown.clock, reply_form=reply_form,
                           rating_form=rating_form, escalate_form=escalate_form, staff=staff,
                           locale=_locale(), button_form=EmptyForm(formdata=None)), status


@bp.get("/t/<int:thread_id>")
@public
def thread_detail(thread_id: int):
    thread = get_or_404(Thread, thread_id, options=reading.THREAD_OPTIONS)
    target = reading.merged_target(current_user, thread)
    if target is not None:  # a merged duplicate leads to the thread it went into
        return redirect(url_for("forum.thread_detail", thread_id=target.id))
    if not rules.can_see_thread(current_user, thread):
        abort(404)
    return render_thread(thread)


@bp.post("/t/<int:thread_id>/reply")
@require_login
@posting_limit
def reply(thread_id: int):
    thread = load_thread(thread_id)
    if not rules.can_reply(current_user, thread):
        abort(403)
    form = ReplyForm()
    if form.validate_on_submit():
        with form_errors(form, "body"):
            post = services.reply(current_user, thread, form.body.data,
                                  photos=request.files.getlist(form.photos.name),
                                  internal=form.is_internal.data)
            return redirect(url_for("forum.post_link", post_id=post.id))
    return render_thread(thread, form, 400)


@bp.get("/p/<int:post_id>")
@public
def post_link(post_id: int):
    """A stable link to a post: the thread page it is on, scrolled to it."""
    post = load_post(post_id)
    number = reading.post_page(current_user, post)
    return redirect(url_for("forum.thread_detail", thread_id=post.thread_id, page=number,
                            _anchor=f"post-{post.id}"))


@bp.route("/p/<int:post_id>/edit", methods=["GET", "POST"])
@require_login
def edit_post(post_id: int):
    post = load_post(post_id)
    if not rules.can_edit_post(current_user, post):
        abort(403)
    form = PostEditForm(obj=post)
    if request.method == "GET" and post.is_opening:
        form.title.data = post.thread.title
    if form.validate_on_submit():
        with form_errors(form, "body"):
            services.edit_post(current_user, post, form.body.data,
                               form.title.data if post.is_opening else None)
            flash(_("Your post is saved."), "success")
            return redirect(url_for("forum.post_link", post_id=post.id))
    return render_template("forum/edit.html", form=form, post=post), 400 if form.errors else 200


@bp.get("/p/<int:post_id>/history")
@public
def post_history(post_id: int):
    post = load_post(post_id)
    if not rules.shows_content(current_user, post):
        abort(404)
    return render_template("forum/history.html", post=post)


@bp.route("/p/<int:post_id>/flag", methods=["GET", "POST"])
@require_login
def flag_post(post_id: int):
    post = load_post(post_id)
    if not rules.can_flag_post(current_user, post):
        abort(403)
    form = FlagForm()
    if form.validate_on_submit():
        with form_errors(form, "reason"):
            services.flag_post(current_user, post, form.reason.data)
            flash(_("Thank you. The moderators will look at this post."), "success")
            return redirect(url_for("forum.post_link", post_id=post.id))
    return render_template("forum/flag.html", form=form, post=post), 400 if form.errors else 200


@bp.post("/t/<int:thread_id>/follow")
@require_login
def follow(thread_id: int):
    thread = load_thread(thread_id)
    services.follow(current_user, thread)
    flash(_("You will be told about new replies."), "success")
    return redirect(url_for("forum.thread_detail", thread_id=thread.id))


@bp.post("/t/<int:thread_id>/unfollow")
@require_login
def unfollow(thread_id: int):
    thread = load_thread(thread_id)
    services.unfollow(current_user, thread)
    flash(_("You no longer follow this thread."), "info")
    return redirect(url_for("forum.thread_detail", thread_id=thread.id))


@bp.get("/photos/<int:photo_id>")
@bp.get("/photos/<int:photo_id>/thumb", endpoint="photo_thumb")
@public
def photo(photo_id: int):
    """Photos are served only to who may see the post and its thread: others get 404."""
    photo_ = get_or_404(Photo, photo_id, options=[joinedload(Photo.post).joinedload(Post.thread)],
                        visible=lambda found: rules.can_see_photo(current_user, found))
    name = photo_.thumb_name if request.endpoint == "forum.photo_thumb" else photo_.stored_name
    return send_stored_image(services.photo_folder(), name)


@bp.get("/search")
@public
def search():
    found = reading.search_page(current_user, request.args.get("q", ""), requested_page())
    return render_template("forum/search.html", q=found.q, page=found.results, locale=_locale(),
                           too_short=found.too_short, terms=found.terms)


# --- the homeowner's complaint actions ------------------------------------------------------

def _author_acts(thread_id: int, act, done: str):
    """Load the complaint (404), check the author (403), `act(complaint)`; a refusal is
    flashed and undone. Back to the thread either way."""
    complaint = load_complaint(thread_id)
    if not rules.is_complaint_author(current_user, complaint):
        abort(403)
    with flashed_errors():
        act(complaint)
        flash(done, "success")
    return redirect(url_for("forum.thread_detail", thread_id=thread_id))


@bp.post("/t/<int:thread_id>/escalate")
@require_login
def escalate(thread_id: int):
    complaint = load_complaint(thread_id)
    if not rules.is_complaint_author(current_user, complaint):
        abort(403)
    form = EscalateForm()
    if form.validate_on_submit():
        with form_errors(form, "reason"):
            complaint_rules.member_escalate(complaint, current_user, form.reason.data,
                                            ip=client_ip())
            flash(_("Your complaint is escalated to the department lead."), "success")
            return redirect(url_for("forum.thread_detail", thread_id=thread_id))
    return render_thread(complaint.thread, status=400, escalate_form=form)


@bp.post("/t/<int:thread_id>/reopen")
@require_login
def reopen(thread_id: int):
    return _author_acts(
        thread_id, lambda complaint: complaint_rules.reopen(complaint, current_user, ip=client_ip()),
        _("Your complaint is open again."))


@bp.post("/t/<int:thread_id>/rate")
@require_login
def rate(thread_id: int):
    complaint = load_complaint(thread_id)
    if not rules.is_complaint_author(current_user, complaint):
        abort(403)
    form = RatingForm()
    if form.validate_on_submit():
        with form_errors(form, "rating"):
            complaint_rules.rate(complaint, current_user, form.rating.data, form.comment.data or "")
            flash(_("Thank you for your rating."), "success")
            return redirect(url_for("forum.thread_detail", thread_id=thread_id))
    return render_thread(complaint.thread, status=400, rating_form=form)
