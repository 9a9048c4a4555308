"""Staff pages of partners (/admin/partners): organisations, their accounts and contracts,
every partner's figures side by side with the renewal rate (chart, table, CSV), and the
attribution of a complaint (posted from the complaint's thread page).

Every view: load (404) → check (403) → one service call → return.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portal.accounts.models import Development
from portal.accounts.permissions import P, require_permission
from portal.core.csvexport import csv_response
from portal.core.forms import EmptyForm, select_choices
from portal.core.loaders import get_or_404
from portal.core.months import months_back, parse_month
from portal.core.security import client_ip
from portal.core.timeutil import utcnow
from portal.core.uow import flashed_errors, form_errors
from portal.extensions import db
from portal.forum.models import Complaint
from portal.partners import pages, services
from portal.partners.forms import AccountAddForm, AttributionForm, ContractForm, OrganisationForm
from portal.partners.models import (
    ContractScope,
    PartnerAccount,
    PartnerContract,
    PartnerKind,
    PartnerOrganisation,
)

bp = Blueprint("partners_admin", __name__, url_prefix="/admin/partners")
CSV_MONTHS = 12


def _developments() -> list:
    rows = db.session.execute(select(Development.id, Development.name).order_by(Development.name))
    return select_choices({str(id_): name for id_, name in rows})


def _contract_form(**kwargs) -> ContractForm:
    form = ContractForm(**kwargs)
    form.development_id.choices = _developments()
    return form


def _organisation(organisation_id: int) -> PartnerOrganisation:
    return get_or_404(PartnerOrganisation, organisation_id, options=[
        selectinload(PartnerOrganisation.accounts).joinedload(PartnerAccount.user),
        selectinload(PartnerOrganisation.contracts).joinedload(PartnerContract.development)])


# --- organisations ------------------------------------------------------------------------

def _render_list(form: OrganisationForm, status: int = 200):
    return render_template("partners/admin/list.html", organisations=pages.organisations(),
                           form=form, kinds=PartnerKind.labels()), status


@bp.get("/")
@require_permission(P.MANAGE_PARTNERS)
def organisation_list():
    return _render_list(OrganisationForm(formdata=None))


@bp.post("/")
@require_permission(P.MANAGE_PARTNERS)
def organisation_create():
    form = OrganisationForm()
    if form.validate():
        with form_errors(form):
            organisation = services.save_organisation(None, current_user, name=form.name.data,
                                                      kind=form.kind.data, ip=client_ip())
            return redirect(url_for("partners_admin.organisation_detail", organisation_id=organisation.id))
    return _render_list(form, 400)


def _render_detail(organisation: PartnerOrganisation, *, form=None, account_form=None,
                   contract_form=None, status: int = 200):
    if form is None:
        form = OrganisationForm(formdata=None, obj=organisation)
    panel = pages.partner_panel(organisation)
    return render_template(
        "partners/admin/detail.html", organisation=organisation, form=form,
        account_form=account_form or AccountAddForm(formdata=None),
        contract_form=contract_form or _contract_form(formdata=None),
        panel=panel, button=EmptyForm(formdata=None), today=utcnow().date()), status


@bp.get("/<int:organisation_id>")
@require_permission(P.MANAGE_PARTNERS)
def organisation_detail(organisation_id: int):
    return _render_detail(_organisation(organisation_id))


@bp.post("/<int:organisation_id>")
@require_permission(P.MANAGE_PARTNERS)
def organisation_update(organisation_id: int):
    organisation = _organisation(organisation_id)
    form = OrganisationForm()
    if form.validate():
        with form_errors(form):
            services.save_organisation(organisation, current_user, name=form.name.data,
                                       kind=form.kind.data, ip=client_ip())
            flash(_("Saved."), "success")
            return redirect(url_for("partners_admin.organisation_detail", organisation_id=organisation.id))
    return _render_detail(organisation, form=form, status=400)


@bp.post("/<int:organisation_id>/accounts")
@require_permission(P.MANAGE_PARTNERS)
def account_add(organisation_id: int):
    organisation = _organisation(organisation_id)
    form = AccountAddForm()
    if form.validate():
        with form_errors(form):
            services.add_account(organisation, current_user, form.email.data, ip=client_ip())
            flash(_("The account now speaks for %(name)s.", name=organisation.name), "success")
            return redirect(url_for("partners_admin.organisation_detail", organisation_id=organisation.id))
    return _render_detail(organisation, account_form=form, status=400)


@bp.post("/<int:organisation_id>/accounts/<int:user_id>/remove")
@require_permission(P.MANAGE_PARTNERS)
def account_remove(organisation_id: int, user_id: int):
    organisation = _organisation(organisation_id)
    if EmptyForm().validate():
        with flashed_errors():
            services.remove_account(organisation, current_user, user_id, ip=client_ip())
            flash(_("The account no longer speaks for %(name)s.", name=organisation.name), "success")
    return redirect(url_for("partners_admin.organisation_detail", organisation_id=organisation.id))


# --- contracts ----------------------------------------------------------------------------

def _save_contract(contract, organisation, form: ContractForm) -> None:
    raw = form.development_id.data
    services.save_contract(
        contract, organisation, current_user,
        development_id=int(raw) if raw and raw.isdigit() and len(raw) < 10 else None,
        scope=form.scope.data, starts_on=form.starts_on.data, ends_on=form.ends_on.data,
        is_renewed=form.is_renewed.data, reference=form.reference.data or "", ip=client_ip())


@bp.post("/<int:organisation_id>/contracts")
@require_permission(P.MANAGE_PARTNERS)
def contract_create(organisation_id: int):
    organisation = _organisation(organisation_id)
    form = _contract_form()
    if form.validate():
        with form_errors(form):
            _save_contract(None, organisation, form)
            flash(_("The contract is saved."), "success")
            return redirect(url_for("partners_admin.organisation_detail", organisation_id=organisation.id))
    return _render_detail(organisation, contract_form=form, status=400)


@bp.route("/contracts/<int:contract_id>", methods=["GET", "POST"])
@require_permission(P.MANAGE_PARTNERS)
def contract_edit(contract_id: int):
    contract = get_or_404(PartnerContract, contract_id, options=[joinedload(PartnerContract.organisation)])
    form = _contract_form(obj=contract) if request.method == "POST" else _contract_form(
        formdata=None, obj=contract, development_id=str(contract.development_id))
    if request.method == "POST" and form.validate():
        with form_errors(form):
            _save_contract(contract, contract.organisation, form)
            flash(_("The contract is saved."), "success")
            return redirect(url_for("partners_admin.organisation_detail",
                                    organisation_id=contract.organisation_id))
    status = 400 if request.method == "POST" else 200
    return render_template("partners/admin/contract.html", contract=contract, form=form), status


# --- figures ------------------------------------------------------------------------------

@bp.get("/figures")
@require_permission(P.VIEW_PARTNER_FIGURES)
def figures():
    months = months_back(CSV_MONTHS)
    month = parse_month(request.args.get("month"))
    month = month if month in months else months[-1]
    return render_template("partners/admin/figures.html", month=month, months=list(reversed(months)),
                           rows=pages.side_by_side(month), renewals=pages.renewal_report(),
                           scopes=ContractScope.labels())


@bp.get("/figures.csv")
@require_permission(P.VIEW_PARTNER_FIGURES)
def figures_csv():
    months = months_back(CSV_MONTHS)
    everyone = pages.organisations()
    figures_ = pages.month_figures([o.id for o in everyone], months)
    header = [_("Partner"), _("Kind of partner"), _("Month"), _("Complaints attributed"), _("Repairs"),
              _("Repair rate (%)"), _("Median hours to resolve"), _("Ratings"), _("Average rating")]
    rows = []
    for organisation in everyone:
        for row in figures_[organisation.id]:
            rows.append([organisation.name, str(organisation.kind_label), row.month, row.attributed,
                         row.repairs, "" if row.repair_rate is None else round(row.repair_rate * 100, 1),
                         "" if row.median_hours is None else round(row.median_hours, 1),
                         row.ratings.count if row.ratings else 0,
                         round(row.ratings.mean, 2) if row.ratings else ""])
    return csv_response("partner-figures.csv", header, rows)


@bp.get("/renewals.csv")
@require_permission(P.VIEW_PARTNER_FIGURES)
def renewals_csv():
    report = pages.renewal_report()
    header = [_("Year ended"), _("Scope"), _("Contracts ended"), _("Renewed"), _("Renewal rate (%)")]
    rows = [[year, str(ContractScope.label_of(scope)), cell.ended, cell.renewed,
             round(cell.rate * 100, 1) if cell.rate is not None else ""]
            for (year, scope), cell in sorted(report.cells.items())]
    return csv_response("partner-renewals.csv", header, rows)


# --- complaints ---------------------------------------------------------------------------

def _thread_url(complaint: Complaint) -> str:
    return url_for("forum.thread_detail", thread_id=complaint.thread_id)


@bp.post("/complaints/<int:complaint_id>/attribution")
@require_permission(P.HANDLE_COMPLAINTS)
def attribute(complaint_id: int):
    complaint = get_or_404(Complaint, complaint_id)
    form = AttributionForm()
    if not form.validate():
        messages = [error for errors in form.errors.values() for error in errors]
        flash(messages[0] if messages else _("Choose the partner responsible."), "danger")
        return redirect(_thread_url(complaint))
    organisation = db.session.get(PartnerOrganisation, form.organisation_id.data)
    with flashed_errors():
        attribution = services.attribute_complaint(complaint, organisation, current_user,
                                                   needed_repair=form.needed_repair.data, ip=client_ip())
        flash(_("The complaint is attributed to %(name)s.", name=attribution.organisation.name), "success")
    return redirect(_thread_url(complaint))


@bp.post("/complaints/<int:complaint_id>/attribution/remove")
@require_permission(P.HANDLE_COMPLAINTS)
def withdraw(complaint_id: int):
    complaint = get_or_404(Complaint, complaint_id)
    if EmptyForm().validate():
        with flashed_errors():
            services.withdraw_attribution(complaint, current_user, ip=client_ip())
            flash(_("The complaint is no longer attributed to a partner."), "success")
    return redirect(_thread_url(complaint))
