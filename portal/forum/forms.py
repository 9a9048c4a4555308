"""Forum forms. Choices that depend on the user or the database are set by the view."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
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
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from portal.core.forms import StrictIntegerField, select_choices
from portal.core.i18n import LANGUAGE_NAMES
from portal.forum.models import (
    CATEGORY_KIND_LABELS,
    DEPARTMENT_LABELS,
    MAX_PHOTOS_PER_POST,
    PRIORITY_LABELS,
    STATUS_LABELS,
)
from portal.forum.services import MAX_BODY, MAX_TITLE

_BODY = [DataRequired(message=_l("Write something first.")),
         Length(max=MAX_BODY, message=_l("The text is too long (at most %(max)d characters)."))]
_PHOTOS_HELP = _l("Up to %(max)d photos (JPEG, PNG or WebP, 5 MB each).", max=MAX_PHOTOS_PER_POST)


def photos_field() -> MultipleFileField:
    return MultipleFileField(_l("Photos"), description=_PHOTOS_HELP)


class ThreadCreateForm(FlaskForm):
    category = SelectField(_l("Category"), choices={})
    title = StringField(_l("Title"), validators=[
        DataRequired(message=_l("Give the thread a title.")),
        Length(max=MAX_TITLE, message=_l("The title is too long."))])
    body = TextAreaField(_l("Text (Markdown)"), validators=_BODY, render_kw={"rows": 8})
    unit = SelectField(_l("My unit"), choices={}, validators=[Optional()])
    is_private = BooleanField(_l("Private: only staff can read this complaint"))
    photos = photos_field()
    submit = SubmitField(_l("Post"))


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("Your reply (Markdown)"), validators=_BODY, render_kw={"rows": 6})
    photos = photos_field()
    is_internal = BooleanField(_l("Internal note (staff only)"))
    submit = SubmitField(_l("Reply"))


class PostEditForm(FlaskForm):
    title = StringField(_l("Title"), validators=[
        Optional(), Length(max=MAX_TITLE, message=_l("The title is too long."))])
    body = TextAreaField(_l("Text (Markdown)"), validators=_BODY, render_kw={"rows": 8})
    submit = SubmitField(_l("Save"))


class FlagForm(FlaskForm):
    reason = TextAreaField(_l("What is wrong with this post?"), validators=[
        DataRequired(message=_l("Say what is wrong with the post.")), Length(max=500)],
        render_kw={"rows": 3})
    submit = SubmitField(_l("Report to moderators"))


class RatingForm(FlaskForm):
    rating = RadioField(_l("How well was your complaint handled?"), coerce=int,
                        choices={1: "1", 2: "2", 3: "3", 4: "4", 5: "5"},
                        validators=[InputRequired(message=_l("Choose a rating from 1 to 5."))])
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=1000)],
                            render_kw={"rows": 2})
    submit = SubmitField(_l("Rate"))


class ComplaintUpdateForm(FlaskForm):
    """Staff: status, department, assignee and priority in one form."""

    status = SelectField(_l("Status"), choices={})
    department = SelectField(_l("Department"), choices=select_choices(DEPARTMENT_LABELS))
    assignee = SelectField(_l("Assignee"), choices={})
    priority = SelectField(_l("Priority"), choices=select_choices(PRIORITY_LABELS))
    submit = SubmitField(_l("Update"))


class BulkAssignForm(FlaskForm):
    complaint_ids = SelectMultipleField(_l("Complaints"), choices={}, coerce=int,
                                        validate_choice=False)
    assignee = SelectField(_l("Assign to"), choices={})
    next = HiddenField()
    submit = SubmitField(_l("Assign selected"))


class MoveForm(FlaskForm):
    category = SelectField(_l("Move to"), choices={})
    submit = SubmitField(_l("Move"))


class MergeForm(FlaskForm):
    target_id = StrictIntegerField(_l("Merge into thread number"), validators=[
        InputRequired(message=_l("Enter a thread number.")), NumberRange(min=1)])
    submit = SubmitField(_l("Merge"))


class HideForm(FlaskForm):
    reason = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Hide"))


class SilenceForm(FlaskForm):
    days = StrictIntegerField(_l("Days"), default=7, validators=[
        InputRequired(message=_l("Enter a number of days.")),
        NumberRange(min=1, max=365, message=_l("Choose between 1 and %(max)d days."))])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Silence member"))


class CategoryForm(FlaskForm):
    slug = StringField(_l("Address (slug)"), validators=[
        DataRequired(message=_l("Enter an address.")), Length(max=60),
        Regexp(r"^[a-z0-9][a-z0-9-]*$", message=_l("Use lower-case letters, digits and dashes."))])
    kind = SelectField(_l("Kind"), choices=select_choices(CATEGORY_KIND_LABELS))
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
                                     choices=select_choices(DEPARTMENT_LABELS))
    submit = SubmitField(_l("Save"))


class CannedReplyForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=dict(LANGUAGE_NAMES))
    title = StringField(_l("Title"), validators=[
        DataRequired(message=_l("Enter a title.")), Length(max=120)])
    body = TextAreaField(_l("Text (Markdown)"), validators=_BODY, render_kw={"rows": 6})
    submit = SubmitField(_l("Save"))


class DepartmentLeadForm(FlaskForm):
    department = SelectField(_l("Department"), choices=select_choices(DEPARTMENT_LABELS))
    lead = SelectField(_l("Lead"), choices={})
    submit = SubmitField(_l("Save"))


STATUS_CHOICES = dict(STATUS_LABELS)
