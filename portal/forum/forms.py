"""Forum forms. Choices that depend on the user or the database are set by the view.

Ids posted from a list (unit, assignee, lead, category) are core's `IdChoiceField`s
(1…2**31-1, else a translated form error — never a database overflow), rendered as a
select; the service checks what the id refers to.
"""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from portal.core.forms import MAX_ID, IdChoiceField, IdField, PortalForm, StrictIntegerField
from portal.core.i18n import LANGUAGE_NAMES
from portal.forum.complaints.escalation import MAX_ESCALATION_NOTE
from portal.forum.complaints.progress import RATING_WORDS
from portal.forum.models import (
    MAX_PHOTOS_PER_POST,
    RECORDED_CHANNELS,
    CategoryKind,
    ComplaintStatus,
    Department,
    Priority,
)
from portal.forum.services import MAX_BODY, MAX_TITLE

_BODY = [DataRequired(message=_l("Write something first.")),
         Length(max=MAX_BODY, message=_l("The text is too long (at most %(max)d characters)."))]
# Members write Markdown without being told the word: the label says what to write and the
# help says what formatting works.
_FORMAT_HELP = _l("You can use **bold**, lists and links.")
_PHOTOS_HELP = _l("Up to %(max)d photos (JPEG, PNG or WebP, 5 MB each).", max=MAX_PHOTOS_PER_POST)


def photos_field() -> MultipleFileField:
    return MultipleFileField(_l("Photos"), description=_PHOTOS_HELP)


def posted_id(value) -> int:
    """`coerce` for lists of posted ids: 1…MAX_ID, else a form error (not an overflow)."""
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 10 or not 1 <= int(text) <= MAX_ID:
        raise ValueError(gettext("Not a valid choice."))
    return int(text)


class ThreadCreateForm(PortalForm):
    category = SelectField(_l("Category"), choices={})
    title = StringField(_l("Title"), validators=[
        DataRequired(message=_l("Give the thread a title.")),
        Length(max=MAX_TITLE, message=_l("The title is too long."))])
    body = TextAreaField(_l("Describe the matter"), validators=_BODY, description=_FORMAT_HELP,
                         render_kw={"rows": 8})
    unit = IdChoiceField(_l("My unit"), validators=[Optional()])
    is_private = BooleanField(_l("Private: only staff can read this complaint"))
    photos = photos_field()
    submit = SubmitField(_l("Post"))


class ReplyForm(PortalForm):
    body = TextAreaField(_l("Your reply"), validators=_BODY, description=_FORMAT_HELP,
                         render_kw={"rows": 6})
    photos = photos_field()
    is_internal = BooleanField(_l("Internal note (staff only)"))
    submit = SubmitField(_l("Reply"))


class PostEditForm(PortalForm):
    title = StringField(_l("Title"), validators=[
        Optional(), Length(max=MAX_TITLE, message=_l("The title is too long."))])
    body = TextAreaField(_l("Text"), validators=_BODY, description=_FORMAT_HELP,
                         render_kw={"rows": 8})
    submit = SubmitField(_l("Save"))


class FlagForm(PortalForm):
    reason = TextAreaField(_l("What is wrong with this post?"), validators=[
        DataRequired(message=_l("Say what is wrong with the post.")), Length(max=500)],
        render_kw={"rows": 3})
    submit = SubmitField(_l("Report to moderators"))


class RatingForm(PortalForm):
    # Five stars, each labelled with its word (很不滿意 … 很滿意): a radio group that
    # reads right to a screen reader and works without JavaScript.
    rating = RadioField(_l("How well was your complaint handled?"), coerce=int,
                        choices=[SelectChoice(value=n, label=word)
                                 for n, word in RATING_WORDS.items()],
                        validators=[InputRequired(message=_l("Choose a rating from 1 to 5."))])
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=1000)],
                            render_kw={"rows": 2})
    submit = SubmitField(_l("Rate"))


class EscalateForm(PortalForm):
    reason = TextAreaField(_l("Why does this complaint need escalating?"), validators=[
        DataRequired(message=_l("Say why the complaint needs escalating.")),
        Length(max=MAX_ESCALATION_NOTE,
               message=_l("The reason is too long (at most %(max)d characters)."))],
        render_kw={"rows": 3, "maxlength": MAX_ESCALATION_NOTE})
    submit = SubmitField(_l("Escalate"))


class ComplaintUpdateForm(PortalForm):
    """Staff: status, department, assignee and priority in one form."""

    # Any status is accepted here; the workflow refuses moves it does not allow. The page
    # lists the current status and the allowed moves only.
    status = SelectField(_l("Status"), choices=ComplaintStatus.choices())
    department = SelectField(_l("Department"), choices=Department.choices())
    assignee = IdChoiceField(_l("Assignee"), validators=[Optional()], validate_choice=False)
    priority = SelectField(_l("Priority"), choices=Priority.choices())
    submit = SubmitField(_l("Update"))


class BulkAssignForm(PortalForm):
    complaint_ids = SelectMultipleField(_l("Complaints"), choices={}, coerce=posted_id,
                                        validate_choice=False)
    assignee = IdChoiceField(_l("Assign to"), validators=[Optional()], validate_choice=False)
    next = HiddenField()
    submit = SubmitField(_l("Assign selected"))


class MoveForm(PortalForm):
    category = IdChoiceField(_l("Move to"), validators=[
        InputRequired(message=_l("Choose a category."))])
    submit = SubmitField(_l("Move"))


class MergeForm(PortalForm):
    target_id = IdField(_l("Merge into thread number"), validators=[
        InputRequired(message=_l("Enter a thread number."))])
    submit = SubmitField(_l("Merge"))


class HideForm(PortalForm):
    reason = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Hide"))


class SilenceForm(PortalForm):
    days = StrictIntegerField(_l("Days"), default=7, validators=[
        InputRequired(message=_l("Enter a number of days.")),
        NumberRange(min=1, max=365, message=_l("Choose between 1 and %(max)d days."))])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Silence member"))


class CategoryForm(PortalForm):
    slug = StringField(_l("Address (slug)"), validators=[
        DataRequired(message=_l("Enter an address.")), Length(max=60),
        Regexp(r"^[a-z0-9][a-z0-9-]*$", message=_l("Use lower-case letters, digits and dashes."))])
    kind = SelectField(_l("Kind"), choices=CategoryKind.choices())
    name_zh_hant = StringField(_l("Name (Traditional Chinese)"), validators=[
        DataRequired(message=_l("Enter a name.")), Length(max=80)])
    name_zh_hans = StringField(_l("Name (Simplified Chinese)"), validators=[
        DataRequired(message=_l("Enter a name.")), Length(max=80)])
    name_en = StringField(_l("Name (English)"), validators=[
        DataRequired(message=_l("Enter a name.")), Length(max=80)])
    description_zh_hant = StringField(_l("Description (Traditional Chinese)"),
                                      validators=[Optional(), Length(max=300)])
    description_zh_hans = StringField(_l("Description (Simplified Chinese)"),
                                      validators=[Optional(), Length(max=300)])
    description_en = StringField(_l("Description (English)"),
                                 validators=[Optional(), Length(max=300)])
    position = StrictIntegerField(_l("Position"), default=0, validators=[
        InputRequired(message=_l("Enter a whole number.")), NumberRange(min=0, max=1000)])
    first_response_hours = StrictIntegerField(_l("First official response within (hours)"),
                                              default=24, validators=[
        InputRequired(message=_l("Enter a whole number.")), NumberRange(min=1, max=24 * 90)])
    resolution_hours = StrictIntegerField(_l("Resolution within (hours)"), default=168, validators=[
        InputRequired(message=_l("Enter a whole number.")), NumberRange(min=1, max=24 * 365)])
    default_department = SelectField(_l("Department for new complaints"),
                                     choices=Department.choices())
    submit = SubmitField(_l("Save"))


class CannedReplyForm(PortalForm):
    locale = SelectField(_l("Language"), choices=dict(LANGUAGE_NAMES))
    title = StringField(_l("Title"), validators=[
        DataRequired(message=_l("Enter a title.")), Length(max=120)])
    body = TextAreaField(_l("Text"), validators=_BODY, render_kw={"rows": 6},
                         description=_l("Put what staff must fill in for each reply in brackets, "
                                        "e.g. ［日期］ or [date]: a reply is refused until "
                                        "they are replaced."))
    submit = SubmitField(_l("Save"))


class DepartmentLeadForm(PortalForm):
    department = SelectField(_l("Department"), choices=Department.choices())
    lead = IdChoiceField(_l("Lead"), validators=[Optional()], validate_choice=False)
    submit = SubmitField(_l("Save"))


class DepartmentStaffForm(PortalForm):
    department = SelectField(_l("Department"), choices=Department.choices())
    user = IdChoiceField(_l("Staff member"), validators=[
        InputRequired(message=_l("Choose a staff member."))], validate_choice=False)
    submit = SubmitField(_l("Add to the department"))


class ComplaintRecordForm(PortalForm):
    """Staff record a complaint for a homeowner who phoned or came by."""

    channel = SelectField(_l("How did the homeowner reach us?"),
                          choices=[SelectChoice(value=c.value, label=c.label)
                                   for c in RECORDED_CHANNELS])
    category = SelectField(_l("Category"), choices={})
    unit = IdChoiceField(_l("Unit"), validators=[Optional()])
    title = StringField(_l("Title"), validators=[
        DataRequired(message=_l("Give the thread a title.")),
        Length(max=MAX_TITLE, message=_l("The title is too long."))])
    body = TextAreaField(_l("What the homeowner told us"), validators=_BODY,
                         description=_FORMAT_HELP, render_kw={"rows": 8})
    is_private = BooleanField(_l("Private: only staff and the homeowner can read this complaint"))
    submit = SubmitField(_l("Record the complaint"))
