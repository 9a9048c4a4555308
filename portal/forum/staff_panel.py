"""The staff tools shown on a thread page: complaint handling, canned replies, moderation.

Built from what `reading.thread_page` found for complaint handlers and moderators (no
queries here); the forms post to the staff blueprint (portal/forum/admin.py), which
checks the permissions again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import get_locale
from flask_babel import gettext as _

from portal.forum.forms import ComplaintUpdateForm, HideForm, MergeForm, MoveForm, SilenceForm
from portal.forum.models import CannedReply, Complaint, ComplaintStatus, Thread
from portal.forum.reading import StaffTools


@dataclass
class StaffPanel:
    canned: list[CannedReply] = field(default_factory=list)
    complaint_form: ComplaintUpdateForm | None = None
    move_form: MoveForm | None = None
    merge_form: MergeForm | None = None
    hide_form: HideForm | None = None
    silence_form: SilenceForm | None = None


def complaint_form_for(complaint: Complaint, tools: StaffTools,
                       submitted: ComplaintUpdateForm | None = None) -> ComplaintUpdateForm:
    """The complaint's staff form (or the submitted one, with its errors) listing the
    current status and the allowed moves, and the handlers to assign."""
    form = submitted or ComplaintUpdateForm(formdata=None, data={
        "status": complaint.status, "department": complaint.department,
        "assignee": complaint.assignee_id, "priority": complaint.priority})
    form.status.choices = [(status, ComplaintStatus.label_of(status)) for status in tools.statuses]
    form.assignee.choices = [(None, _("Nobody")),
                             *((user.id, user.display_name) for user in tools.handlers)]
    return form


def staff_panel(thread: Thread, tools: StaffTools | None, reply_form, *,
                canned_id: int | None = None,
                complaint_form: ComplaintUpdateForm | None = None) -> StaffPanel | None:
    """The panel for `tools` (None for members); `canned_id` fills the reply box with a
    canned reply, `complaint_form` re-shows a refused complaint update."""
    if tools is None:
        return None
    panel = StaffPanel()
    if tools.handles:
        panel.canned = tools.canned
        if canned_id is not None and not reply_form.body.data:
            canned = next((c for c in panel.canned if c.id == canned_id), None)
            if canned is not None:
                reply_form.body.data = canned.body
        if thread.complaint is not None:
            panel.complaint_form = complaint_form_for(thread.complaint, tools, complaint_form)
    if tools.moderates:
        locale = str(get_locale())
        panel.move_form = MoveForm(formdata=None)
        panel.move_form.category.choices = [(c.id, c.name(locale)) for c in tools.move_targets]
        panel.merge_form = MergeForm(formdata=None)
        panel.hide_form = HideForm(formdata=None)
        panel.silence_form = SilenceForm(formdata=None)
    return panel
