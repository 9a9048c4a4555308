"""Staff pages: the complaint queue and complaint updates (P.HANDLE_COMPLAINTS), canned
replies (P.HANDLE_COMPLAINTS), categories, service levels and department leads
(P.MANAGE_SETTINGS). Moderation pages are in moderation_admin.py.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.accounts.models import User
from portal.accounts.permissions import P, require_permission
from portal.accounts.services import developments
from portal.core.forms import EmptyForm
from portal.core.security import client_ip, safe_next
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.forum import complaints as complaint_rules
from portal.forum import services
from portal.forum.common import ForumError, Outbox
from portal.forum.forms import (
    STATUS_CHOICES,
    BulkAssignForm,
    CannedReplyForm,
    CategoryForm,
    DepartmentLeadForm,
)
from portal.forum.models import (
    DEPARTMENT_LABELS,
    PRIORITY_LABELS,
    CannedReply,
    Category,
    Complaint,
    DepartmentLead,
)
from portal.forum.staff_panel import complaint_form_for
from portal.forum.views import render_thread

complaints_bp = Blueprint("complaints_admin", __name__, url_prefix="/admin/complaints")
bp = Blueprint("forum_admin", __name__, url_prefix="/admin/forum")

QUEUE_PER_PAGE = 30


def _user_or_none(raw: str) -> User | None | bool:
    """'' → None (nobody); an id of a complaint handler → that user; else False (invalid)."""
    if raw == "":
        return None
    user = db.session.get(User, int(raw)) if raw.isdigit() else None
    return user if user is not None and complaint_rules.can_handle_complaint(user) else False


# --- complaint queue --------------------------------------------------------------------

@complaints_bp.get("/")
@require_permission(P.HANDLE_COMPLAINTS)
def queue():
    args = request.args
    development = args.get("development", "")
    filters = complaint_rules.QueueFilters(
        status=args.get("status", "active"), department=args.get("department", ""),
        assignee=args.get("assignee", ""), overdue=args.get("overdue") == "1",
        development_id=int(development) if development.isdigit() else None)
    now = utcnow()
    page = db.paginate(complaint_rules.queue_query(filters, current_user, now),
                       page=int(args["page"]) if args.get("page", "").isdigit() else 1,
                       per_page=QUEUE_PER_PAGE, error_out=False)
    clocks = {c.id: complaint_rules.clock(c, now) for c in page.items}
    handlers = complaint_rules.handlers()
    form = BulkAssignForm(formdata=None)
    form.assignee.choices = {"": _("Nobody"), **{str(u.id): u.display_name for u in handlers}}
    form.next.data = request.full_path
    return render_template(
        "forum/admin/queue.html", page=page, clocks=clocks, filters=filters, form=form,
        handlers=handlers, developments=developments(), statuses=STATUS_CHOICES,
        departments=DEPARTMENT_LABELS, priorities=PRIORITY_LABELS, locale=str(get_locale()))


@complaints_bp.post("/assign")
@require_permission(P.HANDLE_COMPLAINTS)
def bulk_assign():
    form = BulkAssignForm()
    form.assignee.choices = {"": "", **{str(u.id): "" for u in complaint_rules.handlers()}}
    back = safe_next(form.next.data, url_for("complaints_admin.queue"))
    assignee = _user_or_none(form.assignee.data or "")
    if not form.validate_on_submit() or not form.complaint_ids.data or assignee is False:
        flash(_("Choose complaints and someone to assign them to."), "danger")
        return redirect(back)
    ids = form.complaint_ids.data[:QUEUE_PER_PAGE * 4]
    complaints = list(db.session.scalars(select(Complaint).where(Complaint.id.in_(ids))))
    if len(complaints) != len(set(ids)):
        abort(404)
    outbox = complaint_rules.bulk_assign(complaints, current_user, assignee, ip=client_ip())
    db.session.commit()
    outbox.send()
    flash(_("%(count)d complaints assigned.", count=len(complaints)), "success")
    return redirect(back)


@complaints_bp.post("/<int:complaint_id>")
@require_permission(P.HANDLE_COMPLAINTS)
def update_complaint(complaint_id: int):
    """The staff panel of a complaint thread: status, department, assignee, priority."""
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None:
        abort(404)
    thread = complaint.thread
    reference = complaint_form_for(thread)
    form = type(reference)()
    form.status.choices, form.assignee.choices = reference.status.choices, reference.assignee.choices
    assignee = _user_or_none(form.assignee.data or "")
    if not form.validate_on_submit() or assignee is False:
        flash(_("Choose values from the lists."), "danger")
        return render_thread(thread, status=400)
    try:
        outbox = Outbox()
        if form.status.data != complaint.status:
            outbox = complaint_rules.change_status(complaint, current_user, form.status.data,
                                                   ip=client_ip())
        assigned = complaint_rules.assign(
            complaint, current_user, department=form.department.data, assignee=assignee,
            priority=form.priority.data, ip=client_ip())
        outbox.mails.extend(assigned.mails)
    except ForumError as error:
        db.session.rollback()
        flash(str(error), "danger")
        return render_thread(db.session.get(Complaint, complaint_id).thread, status=400)
    db.session.commit()
    outbox.send()
    flash(_("The complaint is updated."), "success")
    return redirect(url_for("forum.thread_detail", thread_id=thread.id))


# --- canned replies ----------------------------------------------------------------------

@bp.get("/canned")
@require_permission(P.HANDLE_COMPLAINTS)
def canned_list():
    return render_template("forum/admin/canned.html", replies=services.canned_replies(),
                           form=EmptyForm(formdata=None))


@bp.route("/canned/new", methods=["GET", "POST"])
@bp.route("/canned/<int:reply_id>", methods=["GET", "POST"])
@require_permission(P.HANDLE_COMPLAINTS)
def canned_edit(reply_id: int | None = None):
    reply_ = None
    if reply_id is not None:
        reply_ = db.session.get(CannedReply, reply_id)
        if reply_ is None:
            abort(404)
    form = CannedReplyForm(obj=reply_, locale=str(get_locale()) if reply_ is None else reply_.locale)
    if form.validate_on_submit():
        services.save_canned_reply(reply_, current_user, locale=form.locale.data,
                                   title=form.title.data, body=form.body.data, ip=client_ip())
        db.session.commit()
        flash(_("The canned reply is saved."), "success")
        return redirect(url_for("forum_admin.canned_list"))
    return render_template("forum/admin/canned_form.html", form=form,
                           reply=reply_), 400 if form.errors else 200


@bp.post("/canned/<int:reply_id>/delete")
@require_permission(P.HANDLE_COMPLAINTS)
def canned_delete(reply_id: int):
    reply_ = db.session.get(CannedReply, reply_id)
    if reply_ is None:
        abort(404)
    services.delete_canned_reply(reply_, current_user, ip=client_ip())
    db.session.commit()
    flash(_("The canned reply is deleted."), "info")
    return redirect(url_for("forum_admin.canned_list"))


# --- categories and service levels -------------------------------------------------------

@bp.get("/categories")
@require_permission(P.MANAGE_SETTINGS)
def category_list():
    return render_template("forum/admin/categories.html", categories=services.categories(),
                           locale=str(get_locale()), departments=DEPARTMENT_LABELS)


@bp.route("/categories/new", methods=["GET", "POST"])
@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
@require_permission(P.MANAGE_SETTINGS)
def category_edit(category_id: int | None = None):
    category = None
    if category_id is not None:
        category = db.session.get(Category, category_id)
        if category is None:
            abort(404)
    form = CategoryForm(obj=category)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in services.CATEGORY_FIELDS}
        for name in ("description_zh_hant", "description_zh_hans", "description_en"):
            values[name] = values[name] or ""
        try:
            services.save_category(category, current_user, values, ip=client_ip())
        except ForumError as error:
            db.session.rollback()
            form.slug.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The category is saved."), "success")
            return redirect(url_for("forum_admin.category_list"))
    return render_template("forum/admin/category_form.html", form=form,
                           category=category), 400 if form.errors else 200


@bp.route("/departments", methods=["GET", "POST"])
@require_permission(P.MANAGE_SETTINGS)
def departments():
    handlers = complaint_rules.handlers()
    form = DepartmentLeadForm()
    form.lead.choices = {"": _("Nobody"), **{str(u.id): u.display_name for u in handlers}}
    if form.validate_on_submit():
        lead = _user_or_none(form.lead.data)
        if lead is False:
            abort(400)
        complaint_rules.set_department_lead(form.department.data, lead, current_user,
                                            ip=client_ip())
        db.session.commit()
        flash(_("The department lead is saved."), "success")
        return redirect(url_for("forum_admin.departments"))
    leads = {lead.department: lead.user for lead in db.session.scalars(select(DepartmentLead))}
    return render_template("forum/admin/departments.html", form=form, leads=leads,
                           departments=DEPARTMENT_LABELS), 400 if form.errors else 200

