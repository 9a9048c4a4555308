"""Complaints reach the right person: the staff of each department, and what they are told.

Staff belong to departments (`DepartmentStaff`, managed by admins on the departments
page). When a complaint of a department arrives, is escalated or is reopened, its staff
are told in the app at once (one INSERT for the whole department) and by e-mail per
their own setting (one job after the commit: `notifications.services.alert_staff`).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.accounts.models import User
from portal.audit.services import record_action
from portal.core.forms import MAX_ID
from portal.core.i18n import N_
from portal.extensions import db
from portal.forum.common import ForumError
from portal.forum.complaints.queue import handlers
from portal.forum.models import Complaint, Department, DepartmentStaff
from portal.forum.rules import can_handle_complaint
from portal.notifications.services import alert_staff

# What the staff of the department are told (msgids, translated for each reader).
ARRIVED = N_("New complaint %(ticket)s “%(title)s” for your department.")
RECORDED = N_("New complaint %(ticket)s “%(title)s” for your department, recorded by staff "
              "for the homeowner.")
REOPENED = N_("The homeowner reopened the complaint %(ticket)s “%(title)s”.")
ASSIGNED = N_("You were assigned the complaint %(ticket)s “%(title)s”.")
DEPARTMENT_SUBJECT = N_("Complaint %(ticket)s: %(title)s")
ESCALATED_SUBJECT = N_("Escalated complaint %(ticket)s: %(title)s")


def _department(department: str) -> str:
    if department not in {d.value for d in Department}:
        raise ForumError(_l("Unknown department."), field="department")
    return department


def department_staff_ids(department: str) -> list[int]:
    """The active staff of a department (one query)."""
    return list(db.session.scalars(
        select(DepartmentStaff.user_id).join(User, User.id == DepartmentStaff.user_id)
        .where(DepartmentStaff.department == department, User.is_active_account)
        .order_by(DepartmentStaff.user_id)))


def alert_department(complaint: Complaint, message: str, params: dict, link: str, *,
                     subject: str = DEPARTMENT_SUBJECT, urgent: bool = False,
                     also: tuple[int | None, ...] = (),
                     skip: set[int | None] | frozenset[int] = frozenset()) -> list[int]:
    """Tell the staff of the complaint's department and the users in `also` (each once),
    except those in `skip` (who did it, who was told already); returns whom."""
    ids = sorted({*department_staff_ids(complaint.department), *(i for i in also if i)} - set(skip))
    alert_staff(ids, "complaint", message, params, link, subject=subject, urgent=urgent)
    return ids


def alert_assignee(assignee: User, message: str, params: dict, link: str) -> None:
    """The agent a complaint was assigned to: in the app, and by e-mail per their setting."""
    alert_staff([assignee.id], "complaint", message, params, link, subject=DEPARTMENT_SUBJECT)


# --- membership -----------------------------------------------------------------------------

def add_department_staff(department: str, user: User | None, actor: User,
                         ip: str | None = None) -> DepartmentStaff:
    """Make a complaint handler one of the department's staff (refused if already)."""
    department = _department(department)
    if user is None or not user.is_active_account or not can_handle_complaint(user):
        raise ForumError(_l("Only complaint handlers can belong to a department."), field="user")
    if db.session.get(DepartmentStaff, (department, user.id)) is not None:
        raise ForumError(_l("%(name)s already belongs to this department.", name=user.display_name),
                         field="user")
    member = DepartmentStaff(department=department, user_id=user.id, added_by_id=actor.id)
    db.session.add(member)
    db.session.flush()
    record_action(actor, "complaint.department_staff.add", None,
                  {"department": department, "staff": user.id}, ip)
    return member


def add_department_staff_by_id(department: str, user_id: int | None, actor: User,
                               ip: str | None = None) -> DepartmentStaff:
    """`add_department_staff` for a posted user id."""
    user = db.session.get(User, user_id) if user_id is not None else None
    return add_department_staff(department, user, actor, ip)


def remove_department_staff(member: DepartmentStaff, actor: User, ip: str | None = None) -> None:
    """Take someone out of a department: they are no longer told of its complaints."""
    department, user_id = member.department, member.user_id
    db.session.delete(member)
    db.session.flush()
    record_action(actor, "complaint.department_staff.remove", None,
                  {"department": department, "staff": user_id}, ip)


def department_member(department: str, user_id: int) -> DepartmentStaff | None:
    """The membership of `user_id` in `department`, if any (None for unknown departments)."""
    if department not in {d.value for d in Department} or not 1 <= user_id <= MAX_ID:
        return None
    return db.session.get(DepartmentStaff, (department, user_id))


def departments_of(user: User) -> list[str]:
    """The departments `user` belongs to."""
    return list(db.session.scalars(
        select(DepartmentStaff.department).where(DepartmentStaff.user_id == user.id)
        .order_by(DepartmentStaff.department)))


@dataclass(frozen=True)
class StaffPage:
    staff: dict[str, list[DepartmentStaff]]  # department → its staff, by name
    handlers: list[User]  # who may be added


def staff_page() -> StaffPage:
    """Each department's staff (one query) and the handlers to choose from."""
    staff: dict[str, list[DepartmentStaff]] = {d.value: [] for d in Department}
    rows = db.session.scalars(
        select(DepartmentStaff).join(User, User.id == DepartmentStaff.user_id)
        .options(joinedload(DepartmentStaff.user))
        .order_by(DepartmentStaff.department, User.display_name, User.id))
    for row in rows:
        staff.setdefault(row.department, []).append(row)
    return StaffPage(staff, handlers())
