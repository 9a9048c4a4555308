"""Staff pages under /admin/campaigns: list, draft form with preview, detail with progress
and report, launch confirmation, cancel, CSV. Load (404) → check (403) → one service call."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.permissions import P, require_permission
from portal.campaigns import reports, services
from portal.campaigns.forms import CampaignForm
from portal.campaigns.models import Campaign
from portal.core.csvexport import csv_response
from portal.core.forms import EmptyForm
from portal.core.loaders import get_or_404
from portal.core.pagination import paginate
from portal.core.security import client_ip
from portal.core.uow import flashed_errors, form_errors
from portal.segments.builder import SegmentError, audience_of, parse_segment

bp = Blueprint("campaigns_admin", __name__, url_prefix="/admin/campaigns")
PER_PAGE = 25


def _form(formdata=None) -> CampaignForm:
    form = CampaignForm(formdata=formdata)
    form.setup_segment(services.developments())
    return form


def _form_preview(form: CampaignForm):
    """The audience of the submitted (unsaved) criteria, or None when they are invalid."""
    data = form.to_input()
    try:
        audience = audience_of(parse_segment(data.segment))
    except SegmentError as error:
        form.form_errors.append(str(error))
        return None
    cost = audience.size * data.points if data.kind == "grant" and data.points else None
    return {"audience": audience, "cost": cost,
            "over_budget": cost is not None and data.budget is not None and cost > data.budget}


def _edit(campaign: Campaign | None):
    form = _form(request.form if request.method == "POST" else None)
    if request.method == "GET" and campaign is not None:
        form.fill(campaign)
    shown = None
    if request.method == "POST":
        if not form.validate():
            return render_template("campaigns/admin/form.html", form=form, campaign=campaign), 400
        if form.preview.data:
            shown = _form_preview(form)
        else:
            with form_errors(form):
                saved = services.save_draft(campaign, form.to_input(), actor=current_user, ip=client_ip())
                flash(_("Draft saved."), "success")
                return redirect(url_for("campaigns_admin.campaign_detail", campaign_id=saved.id))
            return render_template("campaigns/admin/form.html", form=form, campaign=campaign), 400
    return render_template("campaigns/admin/form.html", form=form, campaign=campaign, shown=shown)


@bp.get("/")
@require_permission(P.MANAGE_CAMPAIGNS)
def campaign_list():
    return render_template("campaigns/admin/list.html", page=paginate(services.campaigns_query(), PER_PAGE))


@bp.route("/new", methods=["GET", "POST"])
@require_permission(P.MANAGE_CAMPAIGNS)
def campaign_new():
    return _edit(None)


@bp.route("/<int:campaign_id>/edit", methods=["GET", "POST"])
@require_permission(P.MANAGE_CAMPAIGNS)
def campaign_edit(campaign_id: int):
    campaign = get_or_404(Campaign, campaign_id)
    if not campaign.is_draft:
        if request.method == "POST":
            return render_template("campaigns/admin/read_only.html", campaign=campaign), 409
        flash(_("This campaign has been launched: its rules can no longer change."), "warning")
        return redirect(url_for("campaigns_admin.campaign_detail", campaign_id=campaign.id))
    return _edit(campaign)


@bp.get("/<int:campaign_id>")
@require_permission(P.MANAGE_CAMPAIGNS)
def campaign_detail(campaign_id: int):
    campaign = get_or_404(Campaign, campaign_id)
    return render_template("campaigns/admin/detail.html", campaign=campaign,
                           report=reports.report_of(campaign), button=EmptyForm())


@bp.route("/<int:campaign_id>/launch", methods=["GET", "POST"])
@require_permission(P.MANAGE_CAMPAIGNS)
def campaign_launch(campaign_id: int):
    campaign = get_or_404(Campaign, campaign_id)
    form = EmptyForm()
    if request.method == "POST" and form.validate():
        with form_errors(form):
            services.launch(campaign, actor=current_user, ip=client_ip())
            flash(_("Campaign launched."), "success")
            return redirect(url_for("campaigns_admin.campaign_detail", campaign_id=campaign.id))
    status = 409 if request.method == "POST" else 200
    return render_template("campaigns/admin/launch.html", campaign=campaign, form=form,
                           view=services.preview(campaign)), status


@bp.post("/<int:campaign_id>/cancel")
@require_permission(P.MANAGE_CAMPAIGNS)
def campaign_cancel(campaign_id: int):
    campaign = get_or_404(Campaign, campaign_id)
    form = EmptyForm()
    if not form.validate():
        return redirect(url_for("campaigns_admin.campaign_detail", campaign_id=campaign.id))
    with flashed_errors():
        services.cancel(campaign, actor=current_user, ip=client_ip())
        flash(_("Campaign cancelled."), "success")
    return redirect(url_for("campaigns_admin.campaign_detail", campaign_id=campaign.id))


@bp.get("/<int:campaign_id>/recipients.csv")
@require_permission(P.MANAGE_CAMPAIGNS)
def campaign_export(campaign_id: int):
    campaign = get_or_404(Campaign, campaign_id)
    header = [_("Member ID"), _("Member"), _("Points"), _("Credited at")]
    return csv_response(f"campaign-{campaign.id}.csv", header, reports.export_rows(campaign))
