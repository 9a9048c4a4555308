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

from portal.accounts.permissions import P, require_permission
from portal.core.forms import EmptyForm
from portal.core.loaders import get_or_404
from portal.core.pagination import requested_page
from portal.core.security import client_ip, safe_next
from portal.core.uow import flashed_errors, form_errors
from portal.forum import complaints as complaint_rules
from portal.forum import reading, services
from portal.forum.forms import (
    BulkAssignForm,
    CannedReplyForm,
    CategoryForm,
    ComplaintUpdateForm,
    DepartmentLeadForm,
)
from portal.forum.models import (
    CannedReply,
    Category,
    CategoryKind,
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
        priorities=Priority.labels(), locale=str(get_locale()))


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
    shown = complaint_rules.leads_page()
    form.lead.choices = _nobody_and(shown.handlers)
    return render_template("forum/admin/departments.html", form=form, leads=shown.leads,
                           departments=Department.labels()), 400 if form.errors else 200
