"""Staff pages: the complaint queue and complaint updates (P.HANDLE_COMPLAINTS), canned
replies (P.HANDLE_COMPLAINTS), categories, service levels and department leads
(P.MANAGE_SETTINGS). Moderation pages are in moderation_admin.py.

Each view: load (404) → check (the permission decorator) → one service call → return;
the request's unit of work commits or rolls back.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.models import User
from portal.accounts.permissions import P, require_permission
from portal.core.forms import EmptyForm
from portal.core.loaders import get_or_404
from portal.core.pagination import paginate, requested_page
from portal.core.security import client_ip, safe_next
from portal.core.uow import flashed_errors, form_errors
from portal.forum import complaints as complaint_rules
from portal.forum import reading, services
from portal.forum.forms import (
    BulkAssignForm,
    CannedReplyForm,
    CategoryForm,
    ComplaintRecordForm,
    ComplaintUpdateForm,
    DepartmentLeadForm,
    DepartmentStaffForm,
)
from portal.forum.models import (
    CannedReply,
    Category,
    CategoryKind,
    Channel,
    Complaint,
    ComplaintStatus,
    Department,
    Priority,
)
from portal.forum.views import render_thread

complaints_bp = Blueprint("complaints_admin", __name__, url_prefix="/admin/complaints")
bp = Blueprint("forum_admin", __name__, url_prefix="/admin/forum")

MAX_BULK = complaint_rules.QUEUE_PER_PAGE * 4


def _nobody_and(users) -> list[tuple[int | None, str]]:
    return [(None, _("Nobody")), *((user.id, user.display_name) for user in users)]


# --- complaint queue --------------------------------------------------------------------

@complaints_bp.get("/")
@require_permission(P.HANDLE_COMPLAINTS)
def queue():
    filters = complaint_rules.QueueFilters.from_args(request.args)
    shown = complaint_rules.queue_page(filters, current_user, requested_page())
    form = BulkAssignForm(formdata=None)
    form.assignee.choices = _nobody_and(shown.handlers)
    form.next.data = request.full_path
    return render_template(
        "forum/admin/queue.html", page=shown.page, clocks=shown.clocks, filters=filters,
        form=form, handlers=shown.handlers, developments=shown.developments,
        statuses=ComplaintStatus.labels(), departments=Department.labels(),
        priorities=Priority.labels(), channels=Channel.labels(), locale=str(get_locale()))


@complaints_bp.post("/assign")
@require_permission(P.HANDLE_COMPLAINTS)
def bulk_assign():
    form = BulkAssignForm()
    back = safe_next(form.next.data, url_for("complaints_admin.queue"))
    if not form.validate_on_submit() or not form.complaint_ids.data:
        flash(_("Choose complaints and someone to assign them to."), "danger")
        return redirect(back)
    complaints = complaint_rules.complaints_by_ids(form.complaint_ids.data[:MAX_BULK])
    if complaints is None:
        abort(404)
    with flashed_errors():
        count = complaint_rules.bulk_assign(complaints, current_user, form.assignee.data,
                                            ip=client_ip())
        flash(_("%(count)d complaints assigned.", count=count), "success")
    return redirect(back)


@complaints_bp.post("/<int:complaint_id>")
@require_permission(P.HANDLE_COMPLAINTS)
def update_complaint(complaint_id: int):
    """The staff panel of a complaint thread: status, department, assignee, priority."""
    complaint = get_or_404(Complaint, complaint_id)
    form = ComplaintUpdateForm()
    if form.validate_on_submit():
        with form_errors(form):
            complaint_rules.update_complaint(
                complaint, current_user, status=form.status.data,
                department=form.department.data, assignee_id=form.assignee.data,
                priority=form.priority.data, ip=client_ip())
            flash(_("The complaint is updated."), "success")
            return redirect(url_for("forum.thread_detail", thread_id=complaint.thread_id))
    flash(_("Choose values from the lists."), "danger")
    return render_thread(complaint.thread, status=400, complaint_form=form)


# --- complaints recorded for a homeowner (phone, walk-in, e-mail, on site) ---------------

@complaints_bp.get("/record")
@require_permission(P.HANDLE_COMPLAINTS)
def record_search():
    """Step 1: find the homeowner (name, e-mail, phone or unit, as the members admin)."""
    text = request.args.get("q", "").strip()[:100]
    page = paginate(reading.record_candidates(text), reading.RECORD_SEARCH_PER_PAGE) if text else None
    return render_template("forum/admin/record_search.html", page=page, q=text)


@complaints_bp.route("/record/<int:user_id>", methods=["GET", "POST"])
@require_permission(P.HANDLE_COMPLAINTS)
def record_complaint(user_id: int):
    """Step 2: record the complaint; it is the homeowner's own thread."""
    homeowner = get_or_404(User, user_id, visible=reading.may_record_for)
    choices = reading.record_choices(homeowner)
    locale = str(get_locale())
    form = ComplaintRecordForm()
    form.category.choices = {c.slug: c.name(locale) for c in choices.categories}
    form.unit.choices = [(None, _("No unit")), *((u.id, u.label) for u in choices.units)]
    if request.method == "GET" and len(choices.units) == 1:
        form.unit.data = choices.units[0].id
    if form.validate_on_submit():
        category = next(c for c in choices.categories if c.slug == form.category.data)
        unit = next((u for u in choices.units if u.id == form.unit.data), None)
        with form_errors(form, "body"):
            post = services.record_complaint(
                current_user, homeowner, category, form.title.data, form.body.data,
                channel=form.channel.data, unit=unit, is_private=form.is_private.data,
                ip=client_ip())
            flash(_("The complaint %(ticket)s is recorded for %(name)s.",
                    ticket=post.thread.complaint.ticket_number, name=homeowner.display_name),
                  "success")
            return redirect(url_for("forum.thread_detail", thread_id=post.thread_id))
    return render_template("forum/admin/record_form.html", form=form, homeowner=homeowner,
                           units=choices.units), 400 if form.errors else 200


# --- canned replies ----------------------------------------------------------------------

@bp.get("/canned")
@require_permission(P.HANDLE_COMPLAINTS)
def canned_list():
    return render_template("forum/admin/canned.html", replies=reading.canned_replies(),
                           form=EmptyForm(formdata=None))


@bp.route("/canned/new", methods=["GET", "POST"])
@bp.route("/canned/<int:reply_id>", methods=["GET", "POST"])
@require_permission(P.HANDLE_COMPLAINTS)
def canned_edit(reply_id: int | None = None):
    reply_ = get_or_404(CannedReply, reply_id) if reply_id is not None else None
    form = CannedReplyForm(obj=reply_, locale=str(get_locale()) if reply_ is None else reply_.locale)
    if form.validate_on_submit():
        with form_errors(form, "locale"):
            services.save_canned_reply(reply_, current_user, locale=form.locale.data,
                                       title=form.title.data, body=form.body.data, ip=client_ip())
            flash(_("The canned reply is saved."), "success")
            return redirect(url_for("forum_admin.canned_list"))
    return render_template("forum/admin/canned_form.html", form=form,
                           reply=reply_), 400 if form.errors else 200


@bp.post("/canned/<int:reply_id>/delete")
@require_permission(P.HANDLE_COMPLAINTS)
def canned_delete(reply_id: int):
    reply_ = get_or_404(CannedReply, reply_id)
    services.delete_canned_reply(reply_, current_user, ip=client_ip())
    flash(_("The canned reply is deleted."), "info")
    return redirect(url_for("forum_admin.canned_list"))


# --- categories and service levels -------------------------------------------------------

@bp.get("/categories")
@require_permission(P.MANAGE_SETTINGS)
def category_list():
    return render_template("forum/admin/categories.html", categories=reading.categories(),
                           locale=str(get_locale()), departments=Department.labels(),
                           kinds=CategoryKind.labels())


@bp.route("/categories/new", methods=["GET", "POST"])
@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
@require_permission(P.MANAGE_SETTINGS)
def category_edit(category_id: int | None = None):
    category = get_or_404(Category, category_id) if category_id is not None else None
    form = CategoryForm(obj=category)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in services.CATEGORY_FIELDS}
        with form_errors(form, "slug"):
            services.save_category(category, current_user, values, ip=client_ip())
            flash(_("The category is saved."), "success")
            return redirect(url_for("forum_admin.category_list"))
    return render_template("forum/admin/category_form.html", form=form,
                           category=category), 400 if form.errors else 200


def _render_departments(form: DepartmentLeadForm, staff_form: DepartmentStaffForm,
                        status: int = 200):
    shown = complaint_rules.leads_page()
    staff = complaint_rules.staff_page()
    form.lead.choices = _nobody_and(shown.handlers)
    staff_form.user.choices = [(None, _("Choose a staff member")),
                               *((user.id, user.display_name) for user in staff.handlers)]
    return render_template("forum/admin/departments.html", form=form, leads=shown.leads,
                           staff_form=staff_form, staff=staff.staff,
                           departments=Department.labels()), status


@bp.route("/departments", methods=["GET", "POST"])
@require_permission(P.MANAGE_SETTINGS)
def departments():
    form = DepartmentLeadForm()
    if form.validate_on_submit():
        with form_errors(form):
            complaint_rules.set_department_lead_by_id(form.department.data, form.lead.data,
                                                      current_user, ip=client_ip())
            flash(_("The department lead is saved."), "success")
            return redirect(url_for("forum_admin.departments"))
    return _render_departments(form, DepartmentStaffForm(formdata=None, prefix="staff"),
                               400 if form.errors else 200)


@bp.post("/departments/staff")
@require_permission(P.MANAGE_SETTINGS)
def add_department_staff():
    """Make a complaint handler one of a department's staff."""
    staff_form = DepartmentStaffForm(prefix="staff")
    if staff_form.validate_on_submit():
        with form_errors(staff_form, "user"):
            member = complaint_rules.add_department_staff_by_id(
                staff_form.department.data, staff_form.user.data, current_user, ip=client_ip())
            flash(_("%(name)s now belongs to %(department)s.", name=member.user.display_name,
                    department=Department.label_of(member.department)), "success")
            return redirect(url_for("forum_admin.departments"))
    return _render_departments(DepartmentLeadForm(formdata=None), staff_form, 400)


@bp.post("/departments/staff/<department>/<int:user_id>/remove")
@require_permission(P.MANAGE_SETTINGS)
def remove_department_staff(department: str, user_id: int):
    member = complaint_rules.department_member(department, user_id)
    if member is None:
        abort(404)
    name = member.user.display_name
    complaint_rules.remove_department_staff(member, current_user, ip=client_ip())
    flash(_("%(name)s no longer belongs to %(department)s.", name=name,
            department=Department.label_of(department)), "info")
    return redirect(url_for("forum_admin.departments"))
