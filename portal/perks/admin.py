"""Marketing's perk management under /admin/perks. Every change is audited."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.permissions import P, require_permission
from portal.core.forms import EmptyForm
from portal.core.images import ImageRejected, StoredImage, delete_stored_image
from portal.core.security import client_ip
from portal.extensions import db
from portal.perks import services
from portal.perks.forms import PerkForm, PerkStockForm
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
