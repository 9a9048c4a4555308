"""The staff tools shown on a thread page: complaint handling, canned replies, moderation.

Built for complaint handlers and moderators only; the forms post to the staff
blueprint (portal/forum/admin.py), which checks the permissions again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from portal.core.forms import select_choices
from portal.forum import complaints as complaint_rules
from portal.forum import rules, services
from portal.forum.forms import (
    STATUS_CHOICES,
    ComplaintUpdateForm,
    HideForm,
    MergeForm,
    MoveForm,
    SilenceForm,
)
from portal.forum.models import CannedReply, Thread


@dataclass
class StaffPanel:
    canned: list[CannedReply] = field(default_factory=list)
    complaint_form: ComplaintUpdateForm | None = None
    move_form: MoveForm | None = None
    merge_form: MergeForm | None = None
    hide_form: HideForm | None = None
    silence_form: SilenceForm | None = None


def complaint_form_for(thread: Thread) -> ComplaintUpdateForm:
    complaint = thread.complaint
    form = ComplaintUpdateForm(formdata=None, data={
        "status": complaint.status, "department": complaint.department,
        "assignee": str(complaint.assignee_id or ""), "priority": complaint.priority})
    allowed = [complaint.status, *sorted(complaint_rules.STAFF_TRANSITIONS[complaint.status])]
    form.status.choices = select_choices({s: STATUS_CHOICES[s] for s in allowed})
    form.assignee.choices = {"": _("Nobody"),
                             **{str(u.id): u.display_name for u in complaint_rules.handlers()}}
    return form


def staff_panel(thread: Thread, reply_form) -> StaffPanel | None:
    user = current_user
    handles, moderates = rules.can_handle_complaint(user), rules.can_moderate(user)
    if not (handles or moderates):
        return None
    panel = StaffPanel()
    locale = str(get_locale())
    if handles:
        panel.canned = services.canned_replies(locale)
        chosen = request.args.get("canned", "")
        if chosen.isdigit() and not reply_form.body.data:
            canned = next((c for c in panel.canned if c.id == int(chosen)), None)
            if canned is not None:
                reply_form.body.data = canned.body
        if thread.complaint is not None:
            panel.complaint_form = complaint_form_for(thread)
    if moderates:
        same_kind = [c for c in services.categories()
                     if c.is_complaint == (thread.complaint is not None) and c.id != thread.category_id]
        panel.move_form = MoveForm(formdata=None)
        panel.move_form.category.choices = {str(c.id): c.name(locale) for c in same_kind}
        panel.merge_form = MergeForm(formdata=None)
        panel.hide_form = HideForm(formdata=None)
        panel.silence_form = SilenceForm(formdata=None)
    return panel
