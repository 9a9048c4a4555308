"""The member's notification list. CSRFProtect guards every POST app-wide."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.permissions import P, require_login, require_permission
from portal.core.forms import EmptyForm
from portal.core.loaders import get_or_404
from portal.core.pagination import paginate
from portal.core.security import is_safe_path
from portal.core.uow import form_errors
from portal.notifications.forms import NotificationSettingsForm
from portal.notifications.models import Notification
from portal.notifications.services import (
    mark_read,
    notifications_query,
    set_staff_emails,
    staff_emails_of,
)

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

PAGE_SIZE = 30


@bp.get("/")
@require_login
def notification_list():
    page = paginate(notifications_query(current_user.id), PAGE_SIZE)
    return render_template("notifications/list.html", page=page, form=EmptyForm())


@bp.post("/read")
@require_login
def mark_all_read():
    mark_read(current_user.id)
    return redirect(url_for("notifications.notification_list"))


@bp.post("/<int:notification_id>/open")
@require_login
def open_notification(notification_id: int):
    """Mark one notification read and go to what it is about."""
    note = get_or_404(Notification, notification_id,
                      visible=lambda note: note.user_id == current_user.id)
    mark_read(current_user.id, note.id)
    target = note.link if is_safe_path(note.link) else url_for("notifications.notification_list")
    return redirect(target)


@bp.route("/settings", methods=["GET", "POST"])
@require_permission(P.STAFF_AREA)
def settings():
    """A staff member's own choice of which alerts also come by e-mail."""
    form = NotificationSettingsForm(data={"staff_emails": staff_emails_of(current_user.id)})
    if form.validate_on_submit():
        with form_errors(form, "staff_emails"):
            set_staff_emails(current_user, form.staff_emails.data)
            flash(_("Your notification settings are saved."), "success")
            return redirect(url_for("notifications.settings"))
    return render_template("notifications/settings.html", form=form), 400 if form.errors else 200
