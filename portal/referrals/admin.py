"""Staff pages: all referrals (filters, CSV), the report, one referral and its decisions, the rule.

Every view runs in the request's unit of work: load (404) → check (403) → one service
call → return. A decision the lifecycle refuses re-renders the referral with the reason
(409) and writes nothing; the reward e-mails are queued by the lifecycle itself.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.permissions import P, require_permission
from portal.core.csvexport import csv_response
from portal.core.loaders import get_or_404
from portal.core.pagination import requested_page
from portal.core.security import client_ip
from portal.core.timeutil import utcnow
from portal.core.uow import form_errors
from portal.referrals import lifecycle, reports, services
from portal.referrals.forms import CancelForm, PurchaseForm, RejectForm, RuleForm, VisitForm
from portal.referrals.models import STATUS_LABELS, Referral

bp = Blueprint("referrals_admin", __name__, url_prefix="/admin/referrals")


def _referral_or_404(referral_id: int) -> Referral:
    return get_or_404(Referral, referral_id, options=reports.DETAIL_OPTIONS)


# --- list, report, export -------------------------------------------------------------------

@bp.get("/")
@require_permission(P.VIEW_REFERRALS)
def referral_list():
    filters = reports.parse_filters(request.args)
    return render_template("referrals/admin/list.html", filters=filters,
                           view=reports.list_page(filters, requested_page()))


@bp.get("/report")
@require_permission(P.VIEW_REFERRALS)
def report():
    return render_template("referrals/admin/report.html",
                           report=reports.report_page(reports.parse_window(request.args.get("months"))))


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
    form.set_development_choices(reports.developments())
    return form


def _render_detail(referral: Referral, status: int = 200, **forms):
    forms.setdefault("visit_form", VisitForm(formdata=None, prefix="visit", visited_on=utcnow().date()))
    forms.setdefault("purchase_form", _purchase_form())
    forms.setdefault("reject_form", RejectForm(formdata=None, prefix="reject"))
    forms.setdefault("cancel_form", CancelForm(formdata=None, prefix="cancel"))
    view = reports.detail_page(referral, current_user)
    return render_template("referrals/admin/detail.html", view=view, referral=view.referral,
                           **forms), status


@bp.get("/<int:referral_id>")
@require_permission(P.VIEW_REFERRALS)
def referral_detail(referral_id: int):
    return _render_detail(_referral_or_404(referral_id))


def _decide(referral: Referral, form_name: str, form, action: Callable[[], object], success: str):
    """One lifecycle decision from a validated form: done → flash and back to the referral;
    invalid form → 400; refused by the lifecycle → 409 with the reason above the forms."""
    status = 400
    if form.validate():
        with form_errors(form):
            action()
            flash(success, "success")
            return redirect(url_for("referrals_admin.referral_detail", referral_id=referral.id))
        status = 409
    return _render_detail(referral, status, **{form_name: form})


@bp.post("/<int:referral_id>/visit")
@require_permission(P.RECORD_PURCHASES)
def log_visit(referral_id: int):
    referral = _referral_or_404(referral_id)
    form = VisitForm(prefix="visit")
    return _decide(referral, "visit_form", form, lambda: lifecycle.log_visit(
        referral, current_user, form.visited_on.data, ip=client_ip()),
        _("The visit is logged."))


@bp.post("/<int:referral_id>/purchase")
@require_permission(P.RECORD_PURCHASES)
def record_purchase(referral_id: int):
    referral = _referral_or_404(referral_id)
    form = _purchase_form(request.form)
    return _decide(referral, "purchase_form", form, lambda: lifecycle.record_purchase(
        referral, current_user, unit=form.unit, purchased_on=form.purchased_on.data,
        contract_number=form.contract_number.data, ip=client_ip()),
        _("The purchase is recorded and the reward credited."))


@bp.post("/<int:referral_id>/reject")
@require_permission(P.RECORD_PURCHASES)
def reject(referral_id: int):
    referral = _referral_or_404(referral_id)
    form = RejectForm(prefix="reject")
    return _decide(referral, "reject_form", form, lambda: lifecycle.reject_referral(
        referral, current_user, form.reason.data, ip=client_ip()),
        _("The referral is rejected."))


@bp.post("/<int:referral_id>/cancel")
@require_permission(P.RECORD_PURCHASES)
def cancel(referral_id: int):
    referral = _referral_or_404(referral_id)
    form = CancelForm(prefix="cancel")
    return _decide(referral, "cancel_form", form, lambda: lifecycle.cancel_purchase(
        referral, current_user, form.reason.data, ip=client_ip()),
        _("The purchase is cancelled and the reward taken back."))


# --- the rule ----------------------------------------------------------------------------------

@bp.route("/rule", methods=["GET", "POST"])
@require_permission(P.MANAGE_SETTINGS)
def rule():
    view = services.rule_page()
    form = RuleForm(obj=view.current)
    if form.validate_on_submit():
        with form_errors(form):
            services.set_rule(current_user, referrer_points=form.referrer_points.data,
                              invitee_points=form.invitee_points.data, yearly_cap=form.yearly_cap.data,
                              ip=client_ip())
            flash(_("The new referral rule is in force."), "success")
            return redirect(url_for("referrals_admin.rule"))
    return render_template("referrals/admin/rule.html", form=form, view=view), \
        400 if form.errors else 200
