"""Member pages of feedback: surveys for me and answering once, suggestions, and the review
rounds and evaluations I was invited to. Load (404) → check (403) → one service call."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.permissions import P, require_permission
from portal.core.loaders import get_or_404
from portal.core.timeutil import utcnow
from portal.core.uow import form_errors
from portal.feedback import surveys
from portal.feedback.forms import answer_form, answers_of
from portal.feedback.models import Survey

bp = Blueprint("feedback", __name__)


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
