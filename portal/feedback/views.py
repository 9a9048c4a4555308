"""Member pages of feedback: surveys for me and answering once, suggestions, and the review
rounds and evaluations I was invited to. Load (404) → check (403) → one service call."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user

from portal.accounts.permissions import P, require_login, require_permission
from portal.core.documents import send_stored_document
from portal.core.images import send_stored_image
from portal.core.loaders import get_or_404
from portal.core.pagination import paginate
from portal.core.timeutil import utcnow
from portal.core.uow import form_errors
from portal.extensions import db, limiter
from portal.feedback import rounds, suggestions, surveys
from portal.feedback.forms import CommentForm, EvaluationForm, SuggestionForm, answer_form, answers_of
from portal.feedback.models import FeedbackRound, RaterGroup, ReviewFile, Suggestion, SuggestionPhoto, Survey

bp = Blueprint("feedback", __name__)
DEFAULT_POST_LIMIT = "30 per hour"


def _poster_key() -> str:
    """Answering and posting are limited per account, whatever address it posts from."""
    return f"user:{current_user.id}" if current_user.is_authenticated else get_remote_address()


# One budget for every feedback form a member sends (answers, suggestions, comments, ratings).
posting_limit = limiter.shared_limit(lambda: current_app.config["FEEDBACK_POST_LIMIT"], scope="feedback-post",
                                     key_func=_poster_key, methods=["POST"])


def _locale() -> str:
    return str(get_locale())


# --- surveys ----------------------------------------------------------------------------------

@bp.get("/surveys")
@require_permission(P.ANSWER_SURVEYS)
def survey_list():
    return render_template("feedback/surveys.html", items=surveys.open_surveys_for(current_user),
                           locale=_locale())


def _published_survey(survey_id: int) -> Survey:
    return get_or_404(Survey, survey_id, visible=lambda s: not s.is_draft)


@bp.route("/surveys/<int:survey_id>", methods=["GET", "POST"])
@require_permission(P.ANSWER_SURVEYS)
@posting_limit
def survey_detail(survey_id: int):
    survey = _published_survey(survey_id)
    if surveys.response_of(survey, current_user) is not None:
        if request.method == "POST":  # a double click or a replay: nothing changes
            return render_template("feedback/survey_thanks.html", survey=survey, locale=_locale(),
                                   response=surveys.response_of(survey, current_user),
                                   already=True), 409
        return redirect(url_for("feedback.survey_thanks", survey_id=survey.id))
    if not surveys.is_for(survey, current_user):
        return render_template("feedback/survey_refused.html", survey=survey, locale=_locale(),
                               message=_("This survey is not meant for you.")), 403
    if not survey.is_open_at(utcnow()):
        return render_template("feedback/survey_refused.html", survey=survey, locale=_locale(),
                               message=_("This survey is closed.")), 409 if request.method == "POST" else 200
    form = answer_form(survey, _locale(), request.form if request.method == "POST" else None)
    if request.method == "POST":
        if form.validate():
            with form_errors(form):
                surveys.answer(survey, current_user, answers_of(form, survey))
                flash(_("Thank you for your answers."), "success")
                return redirect(url_for("feedback.survey_thanks", survey_id=survey.id))
        return render_template("feedback/survey_answer.html", survey=survey, form=form, locale=_locale()), 400
    return render_template("feedback/survey_answer.html", survey=survey, form=form, locale=_locale())


@bp.get("/surveys/<int:survey_id>/thanks")
@require_permission(P.ANSWER_SURVEYS)
def survey_thanks(survey_id: int):
    survey = _published_survey(survey_id)
    response = surveys.response_of(survey, current_user)
    if response is None:
        return redirect(url_for("feedback.survey_detail", survey_id=survey.id))
    return render_template("feedback/survey_thanks.html", survey=survey, response=response,
                           locale=_locale(), already=False)


# --- suggestions ------------------------------------------------------------------------------

MY_SUGGESTIONS = 50
WALL_PER_PAGE = 20


def _suggestion_form(formdata=None) -> SuggestionForm:
    form = SuggestionForm(formdata=formdata)
    form.setup(surveys.developments())
    return form


@bp.get("/suggestions")
@require_login
def suggestion_list():
    mine = (db.session.scalars(suggestions.mine_query(current_user).limit(MY_SUGGESTIONS)).all()
            if current_user.can(P.SUBMIT_SUGGESTIONS) else [])
    return render_template("feedback/suggestions.html", mine=mine,
                           wall=paginate(suggestions.wall_query(), WALL_PER_PAGE))


@bp.route("/suggestions/new", methods=["GET", "POST"])
@require_permission(P.SUBMIT_SUGGESTIONS)
@posting_limit
def suggestion_new():
    form = _suggestion_form(request.form if request.method == "POST" else None)
    if request.method == "POST":
        if form.validate():
            with form_errors(form):
                suggestion = suggestions.submit(
                    current_user, development_id=form.development, stage=form.stage.data,
                    title=form.title.data, body=form.body.data,
                    photos=request.files.getlist(form.photos.name))
                flash(_("Thank you: your suggestion was received."), "success")
                return redirect(url_for("feedback.suggestion_detail", suggestion_id=suggestion.id))
        return render_template("feedback/suggestion_new.html", form=form), 400
    return render_template("feedback/suggestion_new.html", form=form)


def _visible_suggestion(suggestion_id: int) -> Suggestion:
    return get_or_404(Suggestion, suggestion_id, visible=lambda s: suggestions.can_see(current_user, s))


@bp.get("/suggestions/<int:suggestion_id>")
@require_login
def suggestion_detail(suggestion_id: int):
    suggestion = _visible_suggestion(suggestion_id)
    return render_template("feedback/suggestion_detail.html", suggestion=suggestion,
                           is_author=suggestion.author_id == current_user.id)


@bp.get("/suggestions/photos/<int:photo_id>")
@bp.get("/suggestions/photos/<int:photo_id>/thumb", endpoint="suggestion_photo_thumb")
@require_login
def suggestion_photo(photo_id: int):
    """Photos are served only to who may see the suggestion: others get 404."""
    photo = get_or_404(SuggestionPhoto, photo_id,
                       visible=lambda p: suggestions.can_see(current_user, p.suggestion))
    name = photo.thumb_name if request.endpoint == "feedback.suggestion_photo_thumb" else photo.stored_name
    return send_stored_image(suggestions.photo_folder(), name)


# --- review rounds and evaluations ------------------------------------------------------------

@bp.get("/rounds")
@require_login
def round_list():
    return render_template("feedback/rounds.html", rounds=rounds.rounds_for(current_user))


def _round_page(round_: FeedbackRound, status: int = 200, *, comment_form: CommentForm | None = None,
                evaluation_form: EvaluationForm | None = None):
    if not rounds.takes_part(round_, current_user):
        message = (_("You were not invited to this round.") if round_.is_review
                   else _("You were not invited to this evaluation."))
        return render_template("feedback/round_refused.html", round=round_, message=message), 403
    if round_.is_review:
        return render_template(
            "feedback/round_review.html", round=round_,
            comments=db.session.scalars(rounds.comments_query(round_, current_user)).all(),
            form=comment_form or CommentForm(formdata=None)), status
    return render_template("feedback/round_evaluation.html", round=round_,
                           evaluation=rounds.evaluation_of(round_, current_user),
                           group_label=RaterGroup.label_of(rounds.group_of(round_, current_user)),
                           form=evaluation_form or EvaluationForm(formdata=None)), status


@bp.get("/rounds/<int:round_id>")
@require_login
def round_detail(round_id: int):
    return _round_page(get_or_404(FeedbackRound, round_id))


@bp.post("/rounds/<int:round_id>/comments")
@require_login
@posting_limit
def round_comment(round_id: int):
    round_ = get_or_404(FeedbackRound, round_id)
    form = CommentForm()
    if form.validate():
        with form_errors(form):
            rounds.add_comment(round_, current_user, form.body.data,
                               request.files.getlist(form.files.name))
            flash(_("Thank you for your comment."), "success")
            return redirect(url_for("feedback.round_detail", round_id=round_.id))
    return _round_page(round_, 400, comment_form=form)


@bp.post("/rounds/<int:round_id>/evaluation")
@require_login
@posting_limit
def round_evaluate(round_id: int):
    round_ = get_or_404(FeedbackRound, round_id)
    form = EvaluationForm()
    if form.validate():
        with form_errors(form):
            rounds.rate(round_, current_user, form.scores(), form.comment.data or "")
            flash(_("Thank you for your evaluation."), "success")
            return redirect(url_for("feedback.round_detail", round_id=round_.id))
    return _round_page(round_, 400, evaluation_form=form)


@bp.get("/rounds/files/<int:file_id>")
@bp.get("/rounds/files/<int:file_id>/thumb", endpoint="round_file_thumb")
@require_login
def round_file(file_id: int):
    """Files are served to the comment's author and to the staff who run rounds: others get 404."""
    file = get_or_404(ReviewFile, file_id, visible=lambda f: rounds.can_see_file(current_user, f))
    if file.is_pdf:
        if request.endpoint == "feedback.round_file_thumb":
            abort(404)
        return send_stored_document(rounds.file_folder(), file.stored_name, file.download_name)
    name = file.thumb_name if request.endpoint == "feedback.round_file_thumb" else file.stored_name
    return send_stored_image(rounds.file_folder(), name)
