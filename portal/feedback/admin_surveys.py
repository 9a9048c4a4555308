"""Staff pages under /admin/surveys: the club's satisfaction index, the survey list, the
builder (draft, questions, audience preview), publish / close, results with charts, CSV.
Load (404) → check (403) → one service call."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.permissions import P, require_permission
from portal.core.csvexport import csv_response
from portal.core.forms import EmptyForm
from portal.core.loaders import get_or_404
from portal.core.pagination import paginate
from portal.core.security import client_ip
from portal.core.timeutil import utcnow
from portal.core.uow import flashed_errors, form_errors
from portal.feedback import results, surveys
from portal.feedback.forms import QuestionForm, SurveyForm
from portal.feedback.models import Survey, SurveyQuestion
from portal.segments.builder import SegmentError, audience_of, parse_segment

bp = Blueprint("surveys_admin", __name__, url_prefix="/admin/surveys")
PER_PAGE = 25


def _locale() -> str:
    return str(get_locale())


def _form(formdata=None) -> SurveyForm:
    form = SurveyForm(formdata=formdata)
    form.setup_segment(surveys.developments())
    return form


def _edit(survey: Survey | None):
    form = _form(request.form if request.method == "POST" else None)
    if request.method == "GET" and survey is not None:
        form.fill(survey)
    audience = None
    if request.method == "POST":
        if not form.validate():
            return render_template("feedback/admin/survey_form.html", form=form, survey=survey), 400
        if form.preview.data:
            try:
                audience = audience_of(parse_segment(form.segment_data()))
            except SegmentError as error:
                form.form_errors.append(str(error))
                return render_template("feedback/admin/survey_form.html", form=form, survey=survey), 400
        else:
            with form_errors(form):
                saved = surveys.save_survey(survey, form.to_input(), actor=current_user, ip=client_ip())
                flash(_("Survey saved."), "success")
                return redirect(url_for("surveys_admin.survey_detail", survey_id=saved.id))
            return render_template("feedback/admin/survey_form.html", form=form, survey=survey), 400
    return render_template("feedback/admin/survey_form.html", form=form, survey=survey, audience=audience)


@bp.get("/")
@require_permission(P.MANAGE_SURVEYS)
def survey_list():
    page = paginate(surveys.surveys_query(), PER_PAGE)
    return render_template("feedback/admin/survey_list.html", page=page, locale=_locale(),
                           counts=surveys.response_counts([s.id for s in page.items]),
                           club=results.club_index())


@bp.route("/new", methods=["GET", "POST"])
@require_permission(P.MANAGE_SURVEYS)
def survey_new():
    return _edit(None)


def _draft_or_redirect(survey: Survey):
    if survey.is_draft:
        return None
    if request.method == "POST":
        return render_template("feedback/admin/survey_read_only.html", survey=survey, locale=_locale()), 409
    flash(_("This survey is published: it can no longer change."), "warning")
    return redirect(url_for("surveys_admin.survey_detail", survey_id=survey.id))


@bp.route("/<int:survey_id>/edit", methods=["GET", "POST"])
@require_permission(P.MANAGE_SURVEYS)
def survey_edit(survey_id: int):
    survey = get_or_404(Survey, survey_id)
    return _draft_or_redirect(survey) or _edit(survey)


@bp.get("/<int:survey_id>")
@require_permission(P.MANAGE_SURVEYS)
def survey_detail(survey_id: int):
    survey = get_or_404(Survey, survey_id)
    return _detail(survey, QuestionForm(formdata=None))


def _detail(survey: Survey, question_form: QuestionForm, status: int = 200):
    return render_template("feedback/admin/survey_detail.html", survey=survey, locale=_locale(),
                           question_form=question_form, button=EmptyForm(),
                           closable=not survey.is_draft and survey.closes_at > utcnow(),
                           audience=audience_of(surveys.segment_of(survey))), status


@bp.post("/<int:survey_id>/questions")
@require_permission(P.MANAGE_SURVEYS)
def question_add(survey_id: int):
    survey = get_or_404(Survey, survey_id)
    refused = _draft_or_redirect(survey)
    if refused:
        return refused
    form = QuestionForm()
    if form.validate():
        with form_errors(form):
            surveys.add_question(survey, form.to_input(), actor=current_user, ip=client_ip())
            flash(_("Question added."), "success")
            return redirect(url_for("surveys_admin.survey_detail", survey_id=survey.id) + "#questions")
    return _detail(survey, form, 400)


@bp.post("/<int:survey_id>/questions/<int:question_id>/remove")
@require_permission(P.MANAGE_SURVEYS)
def question_remove(survey_id: int, question_id: int):
    survey = get_or_404(Survey, survey_id)
    question = get_or_404(SurveyQuestion, question_id, visible=lambda q: q.survey_id == survey.id)
    if EmptyForm().validate():
        with flashed_errors():
            surveys.remove_question(survey, question, actor=current_user, ip=client_ip())
            flash(_("Question removed."), "success")
    return redirect(url_for("surveys_admin.survey_detail", survey_id=survey.id))


@bp.post("/<int:survey_id>/publish")
@require_permission(P.MANAGE_SURVEYS)
def survey_publish(survey_id: int):
    survey = get_or_404(Survey, survey_id)
    if EmptyForm().validate():
        with flashed_errors():
            surveys.publish(survey, actor=current_user, ip=client_ip())
            flash(_("Survey published."), "success")
    return redirect(url_for("surveys_admin.survey_detail", survey_id=survey.id))


@bp.post("/<int:survey_id>/close")
@require_permission(P.MANAGE_SURVEYS)
def survey_close(survey_id: int):
    survey = get_or_404(Survey, survey_id)
    if EmptyForm().validate():
        with flashed_errors():
            surveys.close_now(survey, actor=current_user, ip=client_ip())
            flash(_("Survey closed."), "success")
    return redirect(url_for("surveys_admin.survey_detail", survey_id=survey.id))


@bp.get("/<int:survey_id>/results")
@require_permission(P.MANAGE_SURVEYS)
def survey_results(survey_id: int):
    survey = get_or_404(Survey, survey_id)
    return render_template("feedback/admin/survey_results.html", survey=survey, locale=_locale(),
                           view=results.results_of(survey, _locale()))


@bp.get("/<int:survey_id>/responses.csv")
@require_permission(P.MANAGE_SURVEYS)
def survey_export(survey_id: int):
    survey = get_or_404(Survey, survey_id)
    locale = _locale()
    return csv_response(f"survey-{survey.id}.csv", results.export_header(survey, locale),
                        results.export_rows(survey, locale))
