"""Staff pages for accounts: the home verification queue and member administration."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from portal.accounts import services
from portal.accounts.forms import AccountStatusForm, LinkUnitForm, RejectHomeForm, RoleForm
from portal.accounts.homes import verified_owners
from portal.accounts.models import Building, Ownership, Unit, User
from portal.accounts.permissions import P, Role, require_fresh_login, require_permission
from portal.core.forms import EmptyForm
from portal.core.hooks import member_admin_links, member_admin_panels
from portal.core.loaders import get_or_404
from portal.core.pagination import paginate
from portal.core.security import client_ip
from portal.core.uow import flashed_errors, form_errors

bp = Blueprint("accounts_admin", __name__, url_prefix="/admin")

QUEUE_PAGE_SIZE = 20
MEMBERS_PAGE_SIZE = 30


def _ownership_or_404(ownership_id: int) -> Ownership:
    return get_or_404(Ownership, ownership_id, options=[
        joinedload(Ownership.user),
        joinedload(Ownership.unit).joinedload(Unit.building).joinedload(Building.development),
    ])


def _member_or_404(user_id: int) -> User:
    return get_or_404(User, user_id, options=[selectinload(User.ownerships)])


def reject_form_for(ownership: Ownership, formdata) -> RejectHomeForm:
    # One form per row: a prefix keeps field names and HTML ids apart.
    return RejectHomeForm(formdata=formdata, prefix=f"r{ownership.id}")


# --- home verification queue ----------------------------------------------------

def _render_queue(status: int = 200, failed: RejectHomeForm | None = None,
                  failed_id: int | None = None):
    page = paginate(services.pending_verifications(), QUEUE_PAGE_SIZE)
    forms = {o.id: (failed if o.id == failed_id and failed else reject_form_for(o, formdata=None))
             for o in page.items}
    owners = verified_owners([o.unit_id for o in page.items])
    return render_template("accounts/admin/home_queue.html", page=page, reject_forms=forms,
                           approve_form=EmptyForm(), owners=owners), status


@bp.get("/homes")
@require_permission(P.VERIFY_HOMES)
def home_queue():
    """Pending verification requests, oldest first."""
    return _render_queue()


@bp.post("/homes/<int:ownership_id>/approve")
@require_permission(P.VERIFY_HOMES)
def approve_home(ownership_id: int):
    ownership = _ownership_or_404(ownership_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with flashed_errors():
        services.decide_verification(ownership, current_user, approve=True, ip=client_ip())
        flash(_("%(member)s is now a verified homeowner of %(unit)s.",
                member=ownership.user.display_name, unit=ownership.unit.label), "success")
        return redirect(url_for("accounts_admin.home_queue"))
    return _render_queue(409)  # decided by someone else meanwhile: the queue as it is now


@bp.post("/homes/<int:ownership_id>/reject")
@require_permission(P.VERIFY_HOMES)
def reject_home(ownership_id: int):
    ownership = _ownership_or_404(ownership_id)
    form = reject_form_for(ownership, formdata=request.form)
    if not form.validate():
        return _render_queue(400, failed=form, failed_id=ownership.id)
    with flashed_errors():
        services.decide_verification(ownership, current_user, approve=False,
                                     reason=form.reason.data, ip=client_ip())
        flash(_("The request for %(unit)s was declined.", unit=ownership.unit.label), "info")
        return redirect(url_for("accounts_admin.home_queue"))
    return _render_queue(409)


# --- members ----------------------------------------------------------------------

@bp.get("/members")
@require_permission(P.VIEW_MEMBERS)
def member_list():
    """Search members by email, name or phone."""
    text = request.args.get("q", "").strip()[:100]
    page = paginate(services.search_members(text), MEMBERS_PAGE_SIZE)
    return render_template("accounts/admin/member_list.html", page=page, q=text,
                           role_labels=Role.labels())


def _render_member(member: User, status: int = 200, role_form: RoleForm | None = None,
                   link_form: LinkUnitForm | None = None, status_form: AccountStatusForm | None = None):
    if role_form is None:
        role_form = RoleForm(formdata=None, role=member.role)
    if link_form is None:
        link_form = LinkUnitForm(formdata=None)
    link_form.set_development_choices(services.developments())
    return render_template(
        "accounts/admin/member_detail.html", member=member, role_form=role_form,
        link_form=link_form, role_labels=Role.labels(),
        ownerships=services.ownerships_of(member),
        feature_links=member_admin_links(current_user),
        may_edit_role=current_user.can(P.MANAGE_ROLES) and member.id != current_user.id,
        status_form=status_form or AccountStatusForm(formdata=None),
        panels=member_admin_panels(current_user, member),
    ), status


@bp.get("/members/<int:user_id>")
@require_permission(P.VIEW_MEMBERS)
def member_detail(user_id: int):
    return _render_member(_member_or_404(user_id))


@bp.post("/members/<int:user_id>/role")
@require_permission(P.MANAGE_ROLES)
@require_fresh_login
def member_role(user_id: int):
    member = _member_or_404(user_id)
    form = RoleForm()
    if form.validate_on_submit():
        with form_errors(form, "role"):
            services.set_role(member, Role(form.role.data), current_user, ip=client_ip())
            flash(_("%(member)s is now: %(role)s.", member=member.display_name,
                    role=Role.label_of(member.role)), "success")
            return redirect(url_for("accounts_admin.member_detail", user_id=member.id))
    return _render_member(member, 400, role_form=form)


@bp.post("/members/<int:user_id>/status")
@require_permission(P.MANAGE_ROLES)
@require_fresh_login
def member_status(user_id: int):
    """Suspend an active account, or reactivate a suspended one (after a confirmation)."""
    member = _member_or_404(user_id)
    form = AccountStatusForm()
    if form.validate_on_submit():
        with form_errors(form, "reason"):
            suspend = member.is_active_account
            services.set_account_active(member, not suspend, current_user, form.reason.data or "",
                                        ip=client_ip())
            flash(_("%(member)s is suspended.", member=member.display_name) if suspend
                  else _("%(member)s can log in again.", member=member.display_name), "success")
            return redirect(url_for("accounts_admin.member_detail", user_id=member.id))
    return _render_member(member, 400, status_form=form)


@bp.post("/members/<int:user_id>/units")
@require_permission(P.VERIFY_HOMES)
def member_link_unit(user_id: int):
    """Staff link a unit to this member directly (a verified ownership)."""
    member = _member_or_404(user_id)
    form = LinkUnitForm()
    form.set_development_choices(services.developments())
    if form.validate_on_submit():
        with form_errors(form, "unit_number"):
            services.link_unit(member, form.unit, current_user,
                               contract_number=form.contract_number.data or "",
                               purchased_on=form.purchased_on.data, ip=client_ip(), by_email=True)
            flash(_("%(unit)s is linked to %(member)s.", unit=form.unit.label,
                    member=member.display_name), "success")
            return redirect(url_for("accounts_admin.member_detail", user_id=member.id))
    return _render_member(member, 400, link_form=form)
