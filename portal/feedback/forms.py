"""Feedback forms: the survey builder, the answer form built from a survey's questions,
suggestions and their review, review-round comments and evaluations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    MultipleFileField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from portal.core.forms import PortalForm, StrictIntegerField
from portal.core.timeutil import local_to_utc, utc_to_local
from portal.feedback.models import (
    ASPECTS,
    LANGS,
    Aspect,
    QuestionKind,
    RaterGroup,
    RoundKind,
    RoundStage,
    SuggestionStage,
    Survey,
)
from portal.feedback.surveys import QuestionInput, SurveyInput
from portal.segments.forms import SegmentForm

LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
LANG_NAMES = {"zh_Hant": _l("Traditional Chinese"), "zh_Hans": _l("Simplified Chinese"), "en": _l("English")}


class SurveyForm(SegmentForm):
    title_zh_Hant = StringField(_l("Title (Traditional Chinese)"), validators=[Length(max=160)])  # noqa: N815
    title_zh_Hans = StringField(_l("Title (Simplified Chinese)"), validators=[Length(max=160)])  # noqa: N815
    title_en = StringField(_l("Title (English)"), validators=[Length(max=160)])
    intro_zh_Hant = TextAreaField(_l("Introduction (Traditional Chinese)"), validators=[Length(max=2000)])  # noqa: N815
    intro_zh_Hans = TextAreaField(_l("Introduction (Simplified Chinese)"), validators=[Length(max=2000)])  # noqa: N815
    intro_en = TextAreaField(_l("Introduction (English)"), validators=[Length(max=2000)])
    # In the staff member's own time zone; stored in UTC.
    opens_at = DateTimeLocalField(_l("Opens (your time zone)"), format=LOCAL_FORMATS,
                                  validators=[InputRequired(message=_l("Enter a date and time."))])
    closes_at = DateTimeLocalField(_l("Closes (your time zone)"), format=LOCAL_FORMATS,
                                   validators=[InputRequired(message=_l("Enter a date and time."))])
    points = StrictIntegerField(_l("Points for completing"), validators=[Optional()])
    preview = SubmitField(_l("Preview the audience"))
    submit = SubmitField(_l("Save the draft"))

    def fill(self, survey: Survey) -> None:
        for name in ("title", "intro"):
            for lang in LANGS:
                getattr(self, f"{name}_{lang}").data = getattr(survey, f"{name}_{lang}")
        self.opens_at.data = utc_to_local(survey.opens_at)
        self.closes_at.data = utc_to_local(survey.closes_at)
        self.points.data = survey.points
        self.fill_segment(survey.segment)

    def to_input(self) -> SurveyInput:
        return SurveyInput(
            titles={lang: getattr(self, f"title_{lang}").data for lang in LANGS},
            intros={lang: getattr(self, f"intro_{lang}").data for lang in LANGS},
            opens_at=local_to_utc(self.opens_at.data), closes_at=local_to_utc(self.closes_at.data),
            points=self.points.data, segment=self.segment_data())


class QuestionForm(PortalForm):
    kind = SelectField(_l("Kind"), choices=QuestionKind.choices())
    text_zh_Hant = StringField(_l("Question (Traditional Chinese)"), validators=[Length(max=500)])  # noqa: N815
    text_zh_Hans = StringField(_l("Question (Simplified Chinese)"), validators=[Length(max=500)])  # noqa: N815
    text_en = StringField(_l("Question (English)"), validators=[Length(max=500)])
    options_zh_Hant = TextAreaField(_l("Options, one per line (Traditional Chinese)"),  # noqa: N815
                                    validators=[Length(max=5000)])
    options_zh_Hans = TextAreaField(_l("Options, one per line (Simplified Chinese)"),  # noqa: N815
                                    validators=[Length(max=5000)])
    options_en = TextAreaField(_l("Options, one per line (English)"), validators=[Length(max=5000)])
    is_required = BooleanField(_l("An answer is required"), default=True)
    submit = SubmitField(_l("Add the question"))

    def to_input(self) -> QuestionInput:
        return QuestionInput(
            kind=self.kind.data,
            texts={lang: getattr(self, f"text_{lang}").data for lang in LANGS},
            options={lang: (getattr(self, f"options_{lang}").data or "").splitlines() for lang in LANGS},
            is_required=bool(self.is_required.data))


def answer_form(survey: Survey, locale: str, formdata=None) -> PortalForm:
    """A form with one field `q<id>` per question, in the reader's language.

    The fields only parse; the rules (required, ranges) are the service's, which names the
    field of the question it refuses.
    """

    class SurveyAnswerForm(PortalForm):
        pass

    for question in survey.questions:
        label = question.text(locale)
        if question.kind == QuestionKind.RATING:
            field = RadioField(label, choices=[SelectChoice(str(v), str(v)) for v in range(11)],
                               validators=[Optional()], validate_choice=False)
        elif question.kind == QuestionKind.SINGLE:
            field = RadioField(label, choices=[SelectChoice(str(i), text) for i, text in
                                               enumerate(question.option_labels(locale))],
                               validators=[Optional()], validate_choice=False)
        elif question.kind == QuestionKind.MULTIPLE:
            field = SelectMultipleField(label, choices=[SelectChoice(str(i), text) for i, text in
                                                        enumerate(question.option_labels(locale))],
                                        validators=[Optional()], validate_choice=False,
                                        widget=widgets.ListWidget(prefix_label=False),
                                        option_widget=widgets.CheckboxInput())
        else:
            field = TextAreaField(label, validators=[Optional()])
        setattr(SurveyAnswerForm, f"q{question.id}", field)
    SurveyAnswerForm.submit = SubmitField(_l("Send my answers"))
    return SurveyAnswerForm(formdata=formdata)


def answers_of(form: PortalForm, survey: Survey) -> dict[int, object]:
    return {q.id: getattr(form, f"q{q.id}").data for q in survey.questions}


# --- suggestions ------------------------------------------------------------------------------

class SuggestionForm(PortalForm):
    development_id = SelectField(_l("Development"), choices=[],
                                 validators=[InputRequired(message=_l("Choose from the list."))])
    stage = SelectField(_l("Stage"), choices=SuggestionStage.choices())
    title = StringField(_l("Title"), validators=[Length(max=160)])
    body = TextAreaField(_l("Your suggestion"), validators=[Length(max=5000)],
                         description=_l("What could be better, and how? Markdown is allowed."))
    photos = MultipleFileField(_l("Photos"), description=_l(
        "Up to %(max)d photos (JPEG, PNG or WebP, 5 MB each).", max=4))
    submit = SubmitField(_l("Send the suggestion"))

    def setup(self, developments) -> None:
        self.development_id.choices = [SelectChoice("", "—"),
                                       *[SelectChoice(str(d.id), d.name) for d in developments]]

    @property
    def development(self) -> int | None:
        raw = self.development_id.data or ""
        return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


class AdoptForm(PortalForm):
    points = StrictIntegerField(_l("Reward (points from the fund)"),
                                validators=[InputRequired(message=_l("Enter the reward."))])
    adopt = SubmitField(_l("Adopt and reward"))


class DeclineForm(PortalForm):
    reason = TextAreaField(_l("Reason (shown to the author)"), validators=[Length(max=1000)])
    decline = SubmitField(_l("Not adopted"))


class ImplementForm(PortalForm):
    implementation = TextAreaField(_l("What was changed (shown on the wall)"), validators=[Length(max=2000)])
    implement = SubmitField(_l("Mark as implemented"))


class FundForm(PortalForm):
    year = StrictIntegerField(_l("Year"), validators=[InputRequired(message=_l("Enter a year."))])
    budget = StrictIntegerField(_l("Budget (points)"),
                                validators=[InputRequired(message=_l("Enter a budget."))])
    save = SubmitField(_l("Set the fund"))


# --- review rounds and evaluations ------------------------------------------------------------

class RoundForm(PortalForm):
    kind = SelectField(_l("Kind"), choices=RoundKind.choices())
    development_id = SelectField(_l("Development"), choices=[],
                                 validators=[InputRequired(message=_l("Choose from the list."))])
    stage = SelectField(_l("Stage (review rounds)"), choices=[SelectChoice("", "—"), *RoundStage.choices()])
    title = StringField(_l("Title"), validators=[Length(max=160)])
    brief = TextAreaField(_l("What we ask (shown to the participants)"), validators=[Length(max=4000)])
    submit = SubmitField(_l("Open the round"))

    def setup(self, developments) -> None:
        self.development_id.choices = [SelectChoice("", "—"),
                                       *[SelectChoice(str(d.id), d.name) for d in developments]]

    @property
    def development(self) -> int | None:
        raw = self.development_id.data or ""
        return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


class InviteForm(PortalForm):
    user_ids = SelectMultipleField(_l("Partner accounts"), choices=[])
    group = SelectField(_l("Invite as"), choices=RaterGroup.choices())
    invite = SubmitField(_l("Invite"))

    def setup(self, partners, is_review: bool) -> None:
        self.user_ids.choices = [SelectChoice(str(p.id), f"{p.display_name} <{p.email}>") for p in partners]
        groups = [RaterGroup.PARTNER] if is_review else [RaterGroup.PARTNER, RaterGroup.COMMUNITY]
        self.group.choices = [SelectChoice(g.value, g.label) for g in groups]

    @property
    def ids(self) -> list[int]:
        return [int(raw) for raw in self.user_ids.data or []
                if raw.isascii() and raw.isdigit() and len(raw) < 10]


class CommentForm(PortalForm):
    body = TextAreaField(_l("Your comment"), validators=[Length(max=5000)],
                         description=_l("Markdown is allowed."))
    files = MultipleFileField(_l("Photos, scans or PDF files"), description=_l(
        "Up to %(max)d files: JPEG, PNG or WebP (5 MB each) or PDF (10 MB each).", max=4))
    submit = SubmitField(_l("Send the comment"))


SCORE_CHOICES = [SelectChoice(str(v), str(v)) for v in range(1, 6)]


class EvaluationForm(PortalForm):
    positioning = RadioField(Aspect.POSITIONING.label, choices=SCORE_CHOICES, validate_choice=False,
                             validators=[Optional()])
    planning = RadioField(Aspect.PLANNING.label, choices=SCORE_CHOICES, validate_choice=False,
                          validators=[Optional()])
    design = RadioField(Aspect.DESIGN.label, choices=SCORE_CHOICES, validate_choice=False,
                        validators=[Optional()])
    construction = RadioField(Aspect.CONSTRUCTION.label, choices=SCORE_CHOICES, validate_choice=False,
                              validators=[Optional()])
    marketing = RadioField(Aspect.MARKETING.label, choices=SCORE_CHOICES, validate_choice=False,
                           validators=[Optional()])
    social_impact = RadioField(Aspect.SOCIAL_IMPACT.label, choices=SCORE_CHOICES, validate_choice=False,
                               validators=[Optional()])
    comment = TextAreaField(_l("Comments"), validators=[Length(max=5000)])
    submit = SubmitField(_l("Send my evaluation"))

    def scores(self) -> dict[str, str | None]:
        return {aspect: getattr(self, aspect).data for aspect in ASPECTS}
