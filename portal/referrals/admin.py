"""Staff pages: all referrals (filters, CSV), the report, one referral and its decisions, the rule."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.accounts.models import Building, Development, Unit
from portal.accounts.permissions import P, require_permission
from portal.core.csvexport import csv_response
from portal.core.i18n import N_
from portal.core.security import client_ip
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.notifications.services import send_email
from portal.referrals import lifecycle, reports, services
from portal.referrals.forms import STATUS_LABELS, CancelForm, PurchaseForm, RejectForm, RuleForm, VisitForm
from portal.referrals.models import Referral, ReferralRule

bp = Blueprint("referrals_admin", __name__, url_prefix="/admin/referrals")

PAGE_SIZE = 30


def _developments() -> list[Development]:
    return list(db.session.scalars(select(Development).order_by(Development.name)))


def _referral_or_404(referral_id: int) -> Referral:
    referral = db.session.get(Referral, referral_id, options=[
        joinedload(Referral.referrer), joinedload(Referral.invitee), joinedload(Referral.decided_by),
        joinedload(Referral.unit).joinedload(Unit.building).joinedload(Building.development),
    ])
    if referral is None:
        abort(404)
    return referral


# --- list, report, export -------------------------------------------------------------------

@bp.get("/")
@require_permission(P.VIEW_REFERRALS)
def referral_list():
    filters = reports.parse_filters(request.args)
    page = db.paginate(reports.referral_query(filters), per_page=PAGE_SIZE, error_out=False)
    return render_template("referrals/admin/list.html", page=page, filters=filters,
                           developments=_developments(), labels=STATUS_LABELS,
                           statuses=reports.STATUS_FILTERS)


@bp.get("/report")
@require_permission(P.VIEW_REFERRALS)
def report():
    window = request.args.get("months", type=int)
    window = window if window in reports.WINDOWS else 12
    months = reports.months_back(window)
    return render_template(
        "referrals/admin/report.html", window=window, windows=reports.WINDOWS, months=months,
        funnel=reports.funnel(months), share=reports.referral_share(months),
        top=reports.top_referrers(months), rule=services.current_rule(),
    )


@bp.get("/export.csv")
@require_permission(P.VIEW_REFERRALS)
def export_csv():
    filters = reports.parse_filters(request.args)
    header = [_("ID"), _("Status"), _("Registered"), _("Referrer ID"), _("Referrer"), _("New member ID"),
              _("New member"), _("Visit date"), _("Purchase date"), _("Development"), _("Unit"),
              _("Contract number"), _("Referrer points"), _("New member points"),
              _("Points not recovered"), _("Reason")]
    labels = {key: str(value) for key, value in STATUS_LABELS.items()}
    filename = f"referrals-{utcnow():%Y%m%d-%H%M}.csv"
    return csv_response(filename, header, reports.export_rows(filters, labels))


# --- one referral ----------------------------------------------------------------------------

def _purchase_form(formdata=None) -> PurchaseForm:
    form = PurchaseForm(formdata=formdata, prefix="purchase")
    form.set_development_choices(_developments())
    return form


def _render_detail(referral: Referral, status: int = 200, error: str | None = None, **forms):
    forms.setdefault("visit_form", VisitForm(formdata=None, prefix="visit", visited_on=utcnow().date()))
    forms.setdefault("purchase_form", _purchase_form())
    forms.setdefault("reject_form", RejectForm(formdata=None, prefix="reject"))
    forms.setdefault("cancel_form", CancelForm(formdata=None, prefix="cancel"))
    history = db.session.scalars(
        select(Referral).where(Referral.referrer_id == referral.referrer_id, Referral.id != referral.id)
        .order_by(Referral.created_at.desc(), Referral.id.desc()).limit(10)
        .options(joinedload(Referral.invitee))
    ).all()
    return render_template("referrals/admin/detail.html", referral=referral, labels=STATUS_LABELS,
                           error=error, others=history, **forms), status


@bp.get("/<int:referral_id>")
@require_permission(P.VIEW_REFERRALS)
def referral_detail(referral_id: int):
    return _render_detail(_referral_or_404(referral_id))


def _decide(referral: Referral, action, form_name: str, form, success: str, after=None):
    """Run one validated lifecycle decision; a refusal re-renders the page with the reason (409).

    `after(referral)` runs once the decision is committed (e-mails)."""
    try:
        action()
    except services.ReferralError as error:
        db.session.rollback()
        return _render_detail(_referral_or_404(referral.id), 409, error=str(error), **{form_name: form})
    db.session.commit()
    if after is not None:
        after(referral)
    flash(success, "success")
    return redirect(url_for("referrals_admin.referral_detail", referral_id=referral.id))


@bp.post("/<int:referral_id>/visit")
@require_permission(P.RECORD_PURCHASES)
def log_visit(referral_id: int):
    referral = _referral_or_404(referral_id)
    form = VisitForm(prefix="visit")
    if not form.validate():
        return _render_detail(referral, 400, visit_form=form)
    return _decide(referral, lambda: lifecycle.log_visit(
        referral, current_user, form.visited_on.data, ip=client_ip()),
        "visit_form", form, _("The visit is logged."))


@bp.post("/<int:referral_id>/purchase")
@require_permission(P.RECORD_PURCHASES)
def record_purchase(referral_id: int):
    referral = _referral_or_404(referral_id)
    form = _purchase_form(request.form)
    if not form.validate():
        return _render_detail(referral, 400, purchase_form=form)
    return _decide(referral, lambda: lifecycle.record_purchase(
        referral, current_user, unit=form.unit, purchased_on=form.purchased_on.data,
        contract_number=form.contract_number.data, ip=client_ip()),
        "purchase_form", form, _("The purchase is recorded and the reward credited."),
        after=_email_reward)


def _email_reward(referral: Referral) -> None:
    """Tell both members by e-mail, in their own language (after the commit)."""
    if referral.referrer_points:
        send_email(referral.referrer, N_("Your referral bought a home"),
                   N_("%(name)s bought a home with us on your recommendation. %(points)s points "
                      "have been added to your balance. Thank you!"),
                   {"name": services.mask_name(referral.invitee.display_name),
                    "points": referral.referrer_points})
    if referral.invitee_points:
        send_email(referral.invitee, N_("Welcome home"),
                   N_("Congratulations on your new home! As a referred buyer you received "
                      "%(points)s points."), {"points": referral.invitee_points})


@bp.post("/<int:referral_id>/reject")
@require_permission(P.RECORD_PURCHASES)
def reject(referral_id: int):
    referral = _referral_or_404(referral_id)
    form = RejectForm(prefix="reject")
    if not form.validate():
        return _render_detail(referral, 400, reject_form=form)
    return _decide(referral, lambda: lifecycle.reject_referral(
        referral, current_user, form.reason.data, ip=client_ip()),
        "reject_form", form, _("The referral is rejected."))


@bp.post("/<int:referral_id>/cancel")
@require_permission(P.RECORD_PURCHASES)
def cancel(referral_id: int):
    referral = _referral_or_404(referral_id)
    form = CancelForm(prefix="cancel")
    if not form.validate():
        return _render_detail(referral, 400, cancel_form=form)
    return _decide(referral, lambda: lifecycle.cancel_purchase(
        referral, current_user, form.reason.data, ip=client_ip()),
        "cancel_form", form, _("The purchase is cancelled and the reward taken back."))


# --- the rule ----------------------------------------------------------------------------------

@bp.route("/rule", methods=["GET", "POST"])
@require_permission(P.MANAGE_SETTINGS)
def rule():
    current = services.current_rule()
    form = RuleForm(obj=current)
    if form.validate_on_submit():
        services.set_rule(current_user, referrer_points=form.referrer_points.data,
                          invitee_points=form.invitee_points.data, yearly_cap=form.yearly_cap.data,
                          ip=client_ip())
        db.session.commit()
        flash(_("The new referral rule is in force."), "success")
        return redirect(url_for("referrals_admin.rule"))
    history = db.session.scalars(
        select(ReferralRule).options(joinedload(ReferralRule.created_by))
        .order_by(ReferralRule.id.desc()).limit(20)
    ).all()
    return render_template("referrals/admin/rule.html", form=form, current=current,
                           history=history), 400 if form.errors else 200
