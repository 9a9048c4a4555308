"""Marketing's perk management under /admin/perks and the voucher desk under
/admin/redemptions. Every change is audited.

Every view runs in the request's unit of work: load (404) → check (403) → one service
call → return; a refused change re-renders its form with the reason and writes nothing.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, to_utc
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.permissions import P, require_any_permission, require_permission
from portal.core.csvexport import csv_response
from portal.core.forms import EmptyForm
from portal.core.i18n import LANGUAGE_NAMES
from portal.core.loaders import get_or_404
from portal.core.security import client_ip
from portal.core.timeutil import utcnow
from portal.core.uow import form_errors
from portal.perks import catalog as perk_catalog
from portal.perks import desk, services, vouchers
from portal.perks.forms import (
    PerkForm,
    PerkStockForm,
    RedemptionFilterForm,
    VoucherFulfilForm,
    VoucherLookupForm,
)
from portal.perks.models import Perk

bp = Blueprint("perks_admin", __name__, url_prefix="/admin/perks")


def load_perk(perk_id: int) -> Perk:
    return get_or_404(Perk, perk_id)


def _locale() -> str:
    return str(get_locale())


@bp.get("/")
@require_permission(P.MANAGE_PERKS)
def perk_list():
    return render_template("perks/admin/list.html", page=services.admin_perks_page(),
                           locale=_locale(), form=EmptyForm())


def _save(form: PerkForm, perk: Perk | None) -> Perk | None:
    """The perk saved from the form, or None when the form or the service refused it
    (the reason is on the form)."""
    if not form.validate_on_submit():
        return None
    with form_errors(form):
        return services.save_perk(perk, form.to_data(), upload=form.image.data,
                                  remove_image="remove_image" in form and bool(form.remove_image.data),
                                  actor=current_user, ip=client_ip())
    return None


@bp.route("/new", methods=["GET", "POST"])
@require_permission(P.MANAGE_PERKS)
def perk_create():
    form = PerkForm()
    del form.remove_image
    perk = _save(form, None)
    if perk is not None:
        flash(_("The perk was added to the catalog."), "success")
        return redirect(url_for("perks_admin.perk_edit", perk_id=perk.id))
    status = 400 if form.is_submitted() else 200
    return render_template("perks/admin/edit.html", form=form, perk=None), status


@bp.route("/<int:perk_id>/edit", methods=["GET", "POST"])
@require_permission(P.MANAGE_PERKS)
def perk_edit(perk_id: int):
    perk = load_perk(perk_id)
    form = PerkForm.for_perk(perk)
    if _save(form, perk) is not None:
        flash(_("The perk was saved."), "success")
        return redirect(url_for("perks_admin.perk_edit", perk_id=perk.id))
    status = 400 if form.is_submitted() else 200
    return render_template("perks/admin/edit.html", form=form, perk=perk,
                           stock_form=PerkStockForm(formdata=None), locale=_locale()), status


@bp.get("/<int:perk_id>/preview")
@require_permission(P.MANAGE_PERKS)
def perk_preview(perk_id: int):
    """The perk's page as members see it, in the language chosen (`?locale=`), hidden
    or not yet live perks included; nothing can be redeemed from it."""
    perk = load_perk(perk_id)
    locale = request.args.get("locale")
    locale = locale if locale in dict(LANGUAGE_NAMES) else _locale()
    return render_template("perks/detail.html", status=perk_catalog.preview_status(perk),
                           perk=perk, locale=locale, preview=True, languages=LANGUAGE_NAMES)


@bp.post("/<int:perk_id>/stock")
@require_permission(P.MANAGE_PERKS)
def perk_stock(perk_id: int):
    perk = load_perk(perk_id)
    stock_form = PerkStockForm()
    if stock_form.validate_on_submit():
        with form_errors(stock_form, "quantity"):
            services.change_stock(perk, stock_form.action.data, stock_form.quantity.data,
                                  actor=current_user, ip=client_ip())
            flash(_("The stock was updated."), "success")
            return redirect(url_for("perks_admin.perk_edit", perk_id=perk.id))
    return render_template("perks/admin/edit.html", form=PerkForm.for_perk(perk), perk=perk,
                           stock_form=stock_form, locale=_locale()), 400


def _toggle(perk_id: int, active: bool):
    perk = load_perk(perk_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.set_active(perk, active, actor=current_user, ip=client_ip())
    flash(_("The perk is shown in the catalog.") if active
          else _("The perk is hidden from the catalog."), "success")
    return redirect(url_for("perks_admin.perk_edit", perk_id=perk.id))


@bp.post("/<int:perk_id>/deactivate")
@require_permission(P.MANAGE_PERKS)
def perk_deactivate(perk_id: int):
    return _toggle(perk_id, False)


@bp.post("/<int:perk_id>/activate")
@require_permission(P.MANAGE_PERKS)
def perk_activate(perk_id: int):
    return _toggle(perk_id, True)


# --- /admin/redemptions: the service desk (fulfil) and marketing's list (filters, CSV) --------

redemptions_bp = Blueprint("redemptions_admin", __name__, url_prefix="/admin/redemptions")


def _filters(formdata) -> tuple[RedemptionFilterForm, desk.Filters]:
    """The filter form and the filters that validated; a bad value is ignored, never an error."""
    form = RedemptionFilterForm(formdata)
    form.set_perk_choices(desk.perk_choices(_locale()))
    form.validate()

    def ok(field):
        return field.data if not field.errors and field.data else None

    return form, desk.make_filters(status=ok(form.status), perk=ok(form.perk),
                                   first=ok(form.date_from), last=ok(form.date_to), to_utc=to_utc)


def _desk_page(status: int = 200, **context):
    context.setdefault("lookup_form", VoucherLookupForm(formdata=None)
                       if current_user.can(P.FULFIL_VOUCHERS) else None)
    page = form = None
    if current_user.can(P.MANAGE_PERKS):
        form, filters = _filters(request.args)
        page = desk.redemptions_page(filters)
    return render_template("perks/admin/redemptions.html", page=page, filters=form,
                           locale=_locale(), **context), status


@redemptions_bp.get("/")
@require_any_permission(P.FULFIL_VOUCHERS, P.MANAGE_PERKS)
def redemption_list():
    return _desk_page()


@redemptions_bp.post("/lookup")
@require_permission(P.FULFIL_VOUCHERS)
def lookup_voucher():
    """Show the voucher behind a typed or scanned code, so staff can check it before use."""
    form = VoucherLookupForm()
    if not form.validate_on_submit():
        return _desk_page(400, lookup_form=form)
    redemption = vouchers.find_voucher(form.code.data)
    if redemption is None:
        form.code.errors.append(_("No voucher has this code."))
        return _desk_page(404, lookup_form=form)
    return _desk_page(found=redemption, lookup_form=form,
                      fulfil_form=VoucherFulfilForm(formdata=None, code=redemption.voucher_code))


@redemptions_bp.post("/fulfil")
@require_permission(P.FULFIL_VOUCHERS)
def fulfil_voucher():
    form = VoucherFulfilForm()
    if not form.validate_on_submit():
        return _desk_page(400, error=_("Enter or scan a voucher code."))
    with form_errors(form):
        redemption = vouchers.fulfil_voucher(form.code.data, actor=current_user, ip=client_ip())
        flash(_("Voucher %(code)s is used: hand over “%(perk)s” to %(name)s.",
                code=redemption.grouped_code, perk=redemption.perk.title(_locale()),
                name=redemption.member.display_name), "success")
        return redirect(url_for("redemptions_admin.redemption_list"))
    return _desk_page(409, error=form.form_errors[-1], found=vouchers.find_voucher(form.code.data))


@redemptions_bp.post("/export")
@require_permission(P.MANAGE_PERKS)
def export_redemptions():
    """CSV of the filtered redemptions (a POST: exporting members' data is audited)."""
    _form, filters = _filters(request.form)
    rows = desk.export_redemptions(filters, actor=current_user, locale=_locale(), ip=client_ip())
    header = [_("Voucher code"), _("Status"), _("Perk"), _("Member"), _("Email"), _("Points"),
              _("Redeemed at"), _("Valid until"), _("Used at"), _("Used by")]
    return csv_response(f"redemptions-{utcnow():%Y%m%d-%H%M}.csv", header, rows)
