"""Staff pages under /admin/suggestions: the queue by status with the year's fund (balance,
awards, setting the budget), and one suggestion with the review steps.
Load (404) → check (403) → one service call."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.permissions import P, require_permission
from portal.core.forms import EmptyForm
from portal.core.loaders import get_or_404
from portal.core.pagination import paginate
from portal.core.security import client_ip
from portal.core.timeutil import utcnow
from portal.core.uow import flashed_errors, form_errors
from portal.extensions import db
from portal.feedback import suggestions
from portal.feedback.forms import AdoptForm, DeclineForm, FundForm, ImplementForm
from portal.feedback.models import Suggestion, SuggestionStatus

bp = Blueprint("suggestions_admin", __name__, url_prefix="/admin/suggestions")
PER_PAGE = 25


def _list(fund_form: FundForm | None = None, status: int = 200):
    year = utcnow().year
    wanted = request.args.get("status", "")
    fund_form = fund_form or FundForm(formdata=None, year=year, budget=suggestions.fund_of(year).budget)
    return render_template("feedback/admin/suggestion_list.html", statuses=SuggestionStatus,
                           page=paginate(suggestions.staff_query(wanted), PER_PAGE), wanted=wanted,
                           counts=suggestions.status_counts(), fund=suggestions.fund_of(year),
                           awards=suggestions.awards_in(year), fund_form=fund_form), status


@bp.get("/")
@require_permission(P.MANAGE_SUGGESTIONS)
def suggestion_list():
    return _list()


@bp.post("/fund")
@require_permission(P.MANAGE_SUGGESTIONS)
def fund_set():
    form = FundForm()
    if form.validate():
        with form_errors(form):
            suggestions.set_fund(form.year.data, form.budget.data, actor=current_user, ip=client_ip())
            flash(_("The fund is set."), "success")
            return redirect(url_for("suggestions_admin.suggestion_list"))
    return _list(form, 400)


def _detail(suggestion: Suggestion, status: int = 200, **forms):
    if status != 200:  # a refused step was rolled back: show the row as the database has it
        db.session.refresh(suggestion)
    forms.setdefault("adopt_form", AdoptForm(formdata=None))
    forms.setdefault("decline_form", DeclineForm(formdata=None))
    forms.setdefault("implement_form", ImplementForm(formdata=None))
    return render_template("feedback/admin/suggestion_detail.html", suggestion=suggestion,
                           fund=suggestions.fund_of(utcnow().year), **forms), status


@bp.get("/<int:suggestion_id>")
@require_permission(P.MANAGE_SUGGESTIONS)
def suggestion_detail(suggestion_id: int):
    return _detail(get_or_404(Suggestion, suggestion_id))


@bp.post("/<int:suggestion_id>/review")
@require_permission(P.MANAGE_SUGGESTIONS)
def suggestion_review(suggestion_id: int):
    suggestion = get_or_404(Suggestion, suggestion_id)
    if EmptyForm().validate():
        with flashed_errors():
            suggestions.start_review(suggestion, actor=current_user, ip=client_ip())
            flash(_("The suggestion is under review."), "success")
    return redirect(url_for("suggestions_admin.suggestion_detail", suggestion_id=suggestion.id))


@bp.post("/<int:suggestion_id>/adopt")
@require_permission(P.MANAGE_SUGGESTIONS)
def suggestion_adopt(suggestion_id: int):
    suggestion = get_or_404(Suggestion, suggestion_id)
    form = AdoptForm()
    if form.validate():
        with form_errors(form):
            suggestions.adopt(suggestion, form.points.data, actor=current_user, ip=client_ip())
            flash(_("Adopted and rewarded."), "success")
            return redirect(url_for("suggestions_admin.suggestion_detail", suggestion_id=suggestion.id))
    return _detail(suggestion, 400, adopt_form=form)


@bp.post("/<int:suggestion_id>/decline")
@require_permission(P.MANAGE_SUGGESTIONS)
def suggestion_decline(suggestion_id: int):
    suggestion = get_or_404(Suggestion, suggestion_id)
    form = DeclineForm()
    if form.validate():
        with form_errors(form):
            suggestions.decline(suggestion, form.reason.data, actor=current_user, ip=client_ip())
            flash(_("The author has been told why."), "success")
            return redirect(url_for("suggestions_admin.suggestion_detail", suggestion_id=suggestion.id))
    return _detail(suggestion, 400, decline_form=form)


@bp.post("/<int:suggestion_id>/implement")
@require_permission(P.MANAGE_SUGGESTIONS)
def suggestion_implement(suggestion_id: int):
    suggestion = get_or_404(Suggestion, suggestion_id)
    form = ImplementForm()
    if form.validate():
        with form_errors(form):
            suggestions.implement(suggestion, form.implementation.data, actor=current_user, ip=client_ip())
            flash(_("Marked as implemented."), "success")
            return redirect(url_for("suggestions_admin.suggestion_detail", suggestion_id=suggestion.id))
    return _detail(suggestion, 400, implement_form=form)
