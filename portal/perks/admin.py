"""Marketing's perk management under /admin/perks. Every change is audited."""

from __future__ import annotations

from datetime import datetime
from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime, get_locale, to_utc
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from portal.accounts.permissions import P, require_permission
from portal.audit.services import record_action
from portal.core.csvexport import csv_response
from portal.core.forms import EmptyForm
from portal.core.i18n import localized
from portal.core.images import ImageRejected, StoredImage, delete_stored_image
from portal.core.security import client_ip
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.perks import services, vouchers
from portal.perks.forms import (
    PerkForm,
    PerkStockForm,
    RedemptionFilterForm,
    VoucherFulfilForm,
    VoucherLookupForm,
)
from portal.perks.models import Perk
from portal.perks.tiers import tier_label

bp = Blueprint("perks_admin", __name__, url_prefix="/admin/perks")


def load_perk(perk_id: int) -> Perk:
    perk = db.session.get(Perk, perk_id)
    if perk is None:
        abort(404)
    return perk


def _store_upload(form: PerkForm) -> StoredImage | None:
    """Store the uploaded image, or add the translated reason to the form and raise."""
    upload = form.image.data
    if not upload or not getattr(upload, "filename", ""):
        return None
    try:
        return services.save_perk_image(upload.stream)
    except ImageRejected as error:
        form.image.errors.append(str(error))
        raise


def _save(form: PerkForm, perk: Perk | None) -> Perk | None:
    """Validate, store the image, call the service, commit; None when the form is refused."""
    if not form.validate_on_submit():
        return None
    try:
        image = _store_upload(form)
    except ImageRejected:
        return None
    try:
        if perk is None:
            perk = services.create_perk(form.to_data(), image=image, actor=current_user,
                                        ip=client_ip())
        else:
            services.update_perk(perk, form.to_data(), image=image,
                                 remove_image=bool(form.remove_image.data),
                                 actor=current_user, ip=client_ip())
    except services.PerkError as error:
        db.session.rollback()
        if image is not None:
            delete_stored_image(services.image_folder(), image.name, image.thumb_name)
        form.form_errors.append(str(error))
        return None
    db.session.commit()
    services.discard_replaced_images()
    return perk


@bp.get("/")
@require_permission(P.MANAGE_PERKS)
def perk_list():
    page = db.paginate(services.admin_perks_query(), per_page=30, error_out=False)
    return render_template("perks/admin/list.html", page=page, locale=str(get_locale()),
                           tier_label=tier_label, form=EmptyForm())


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
                           stock_form=PerkStockForm(formdata=None),
                           locale=str(get_locale())), status


@bp.post("/<int:perk_id>/stock")
@require_permission(P.MANAGE_PERKS)
def perk_stock(perk_id: int):
    perk = load_perk(perk_id)
    stock_form = PerkStockForm()
    if stock_form.validate_on_submit():
        try:
            services.change_stock(perk, stock_form.action.data, stock_form.quantity.data,
                                  actor=current_user, ip=client_ip())
        except services.PerkError as error:
            db.session.rollback()
            stock_form.quantity.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The stock was updated."), "success")
            return redirect(url_for("perks_admin.perk_edit", perk_id=perk.id))
    return render_template("perks/admin/edit.html", form=PerkForm.for_perk(perk), perk=perk,
                           stock_form=stock_form,
                           locale=str(get_locale())), 400


def _toggle(perk_id: int, active: bool):
    perk = load_perk(perk_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.set_active(perk, active, actor=current_user, ip=client_ip())
    db.session.commit()
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


def require_any_permission(*permissions: P):
    """Log in first, then 403 unless the user has at least one of `permissions`."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not any(current_user.can(permission) for permission in permissions):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _filter_form(formdata) -> RedemptionFilterForm:
    form = RedemptionFilterForm(formdata)
    perks = db.session.execute(select(Perk.id, Perk.title_zh_hant, Perk.title_zh_hans, Perk.title_en)
                               .order_by(Perk.created_at.desc(), Perk.id.desc())).all()
    locale = str(get_locale())
    form.perk.choices = [SelectChoice("", _("Any perk"))] + [
        SelectChoice(str(row.id), localized({"zh_Hant": row.title_zh_hant,
                                             "zh_Hans": row.title_zh_hans, "en": row.title_en},
                                            locale)) for row in perks]
    form.validate()
    return form


def _filter_values(form: RedemptionFilterForm) -> dict:
    """Only the filters that validated; a bad value is ignored, never an error page."""
    def ok(field):
        return field.data if not field.errors and field.data else None

    perk = ok(form.perk)
    start, end = vouchers.day_bounds(ok(form.date_from), ok(form.date_to), to_utc)
    return {"status": ok(form.status), "perk_id": int(perk) if perk else None,
            "start": start, "end": end}


def _desk_page(status: int = 200, **context):
    context.setdefault("lookup_form", VoucherLookupForm(formdata=None)
                       if current_user.can(P.FULFIL_VOUCHERS) else None)
    page = filters = None
    if current_user.can(P.MANAGE_PERKS):
        filters = _filter_form(request.args)
        page = db.paginate(vouchers.redemptions_query(**_filter_values(filters)), per_page=50,
                           error_out=False)
    return render_template("perks/admin/redemptions.html", page=page, filters=filters,
                           locale=str(get_locale()), **context), status


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
    try:
        redemption = vouchers.fulfil_voucher(form.code.data, actor=current_user, ip=client_ip())
    except services.PerkError as error:
        db.session.rollback()
        return _desk_page(409, error=str(error), found=vouchers.find_voucher(form.code.data))
    db.session.commit()
    flash(_("Voucher %(code)s is used: hand over “%(perk)s” to %(name)s.",
            code=redemption.grouped_code, perk=redemption.perk.title(str(get_locale())),
            name=redemption.member.display_name), "success")
    return redirect(url_for("redemptions_admin.redemption_list"))


@redemptions_bp.post("/export")
@require_permission(P.MANAGE_PERKS)
def export_redemptions():
    """CSV of the filtered redemptions (a POST: exporting members' data is audited)."""
    values = _filter_values(_filter_form(request.form))
    record_action(current_user, "perk.redemptions_export", None,
                  {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in values.items()},
                  client_ip())
    db.session.commit()
    locale = str(get_locale())
    query = vouchers.redemptions_query(**values).execution_options(yield_per=500)

    def when(value):
        return format_datetime(value, "yyyy-MM-dd HH:mm") if value else ""

    def rows():
        for r in db.session.scalars(query):
            yield [r.grouped_code, str(r.status_label), r.perk.title(locale), r.member.display_name,
                   r.member.email, r.cost, when(r.created_at), when(r.expires_at), when(r.used_at),
                   r.used_by.display_name if r.used_by else ""]

    header = [_("Voucher code"), _("Status"), _("Perk"), _("Member"), _("Email"), _("Points"),
              _("Redeemed at"), _("Valid until"), _("Used at"), _("Used by")]
    return csv_response(f"redemptions-{utcnow():%Y%m%d-%H%M}.csv", header, rows())
