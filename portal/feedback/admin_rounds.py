"""Staff pages under /admin/evaluations: review rounds and post-project evaluations — open
one, invite partner accounts, read the comments (adopt one as a suggestion), see the
evaluation report (averages per aspect and group, chart, comments), close.
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
from portal.core.uow import flashed_errors, form_errors
from portal.extensions import db
from portal.feedback import rounds, surveys
from portal.feedback.forms import InviteForm, RoundForm
from portal.feedback.models import Aspect, FeedbackRound, RaterGroup, ReviewComment

bp = Blueprint("evaluations_admin", __name__, url_prefix="/admin/evaluations")
PER_PAGE = 25


@bp.get("/")
@require_permission(P.MANAGE_EVALUATIONS)
def round_list():
    return render_template("feedback/admin/round_list.html", page=paginate(rounds.rounds_query(), PER_PAGE))


@bp.route("/new", methods=["GET", "POST"])
@require_permission(P.MANAGE_EVALUATIONS)
def round_new():
    form = RoundForm(formdata=request.form if request.method == "POST" else None)
    form.setup(surveys.developments())
    if request.method == "POST":
        if form.validate():
            with form_errors(form):
                round_ = rounds.open_round(form.kind.data, development_id=form.development,
                                           stage=form.stage.data, title=form.title.data,
                                           brief=form.brief.data,
                                           actor=current_user, ip=client_ip())
                flash(_("The round is open: invite the participants."), "success")
                return redirect(url_for("evaluations_admin.round_detail", round_id=round_.id))
        return render_template("feedback/admin/round_form.html", form=form), 400
    return render_template("feedback/admin/round_form.html", form=form)


def _invite_form(round_: FeedbackRound, formdata=None) -> InviteForm:
    form = InviteForm(formdata=formdata)
    form.setup(rounds.partner_accounts(), round_.is_review)
    return form


def _detail(round_: FeedbackRound, invite_form: InviteForm | None = None, status: int = 200):
    return render_template(
        "feedback/admin/round_detail.html", round=round_, invites=rounds.invites_of(round_),
        invite_form=invite_form or _invite_form(round_), button=EmptyForm(),
        comments=db.session.scalars(rounds.comments_query(round_)).all() if round_.is_review else [],
        report=None if round_.is_review else rounds.report_of(round_), aspects=Aspect,
        group_labels=RaterGroup.labels()), status


@bp.get("/<int:round_id>")
@require_permission(P.MANAGE_EVALUATIONS)
def round_detail(round_id: int):
    return _detail(get_or_404(FeedbackRound, round_id))


@bp.post("/<int:round_id>/invite")
@require_permission(P.MANAGE_EVALUATIONS)
def round_invite(round_id: int):
    round_ = get_or_404(FeedbackRound, round_id)
    form = _invite_form(round_, request.form)
    if form.validate():
        with form_errors(form):
            count = rounds.invite(round_, form.ids, form.group.data, actor=current_user, ip=client_ip())
            flash(_("%(count)s invited.", count=count), "success")
            return redirect(url_for("evaluations_admin.round_detail", round_id=round_.id))
    return _detail(round_, form, 400)


@bp.post("/<int:round_id>/close")
@require_permission(P.MANAGE_EVALUATIONS)
def round_close(round_id: int):
    round_ = get_or_404(FeedbackRound, round_id)
    if EmptyForm().validate():
        with flashed_errors():
            rounds.close_round(round_, actor=current_user, ip=client_ip())
            flash(_("The round is closed."), "success")
    return redirect(url_for("evaluations_admin.round_detail", round_id=round_.id))


@bp.post("/comments/<int:comment_id>/adopt")
@require_permission(P.MANAGE_EVALUATIONS)
def comment_adopt(comment_id: int):
    comment = get_or_404(ReviewComment, comment_id)
    if EmptyForm().validate():
        with flashed_errors():
            suggestion = rounds.adopt_comment(comment, actor=current_user, ip=client_ip())
            flash(_("The comment is now a suggestion under review: adopt it there to reward it."), "success")
            return redirect(url_for("suggestions_admin.suggestion_detail", suggestion_id=suggestion.id))
    return redirect(url_for("evaluations_admin.round_detail", round_id=comment.round_id))
