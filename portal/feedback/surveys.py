"""Survey rules: the builder (draft, questions, publish, close), who may answer, answering.

Plain arguments in, a model or a `FeedbackError` out; functions flush, never commit.
A member answers once: the response row is inserted in a SAVEPOINT under
UNIQUE(survey_id, member_id), so a double click, a replay or a concurrent submit is
refused and writes nothing; only the first submit goes on to pay the points (through
`adjusted_reward`, so campaign bonus rules apply, with a ledger key per survey and member).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import Building, Development, Ownership, OwnershipStatus, Unit, User
from portal.accounts.permissions import P
from portal.audit.services import record_action
from portal.core.i18n import N_
from portal.core.rewards import RewardTrigger, adjusted_reward
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.feedback.errors import FeedbackError
from portal.feedback.models import (
    LANGS,
    RATING_MAX,
    RATING_MIN,
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    SurveyStatus,
)
from portal.points.models import LedgerKind
from portal.points.services import credit
from portal.segments.builder import Segment, contains, parse_segment

MAX_POINTS = 100_000
MAX_QUESTIONS = 50
MAX_OPTIONS = 20
MAX_TEXT_ANSWER = 2000
MAX_TITLE, MAX_INTRO, MAX_QUESTION, MAX_OPTION = 160, 2000, 500, 200


@dataclass(frozen=True)
class SurveyInput:
    """What staff submit for a survey (parsed by the form, checked here again)."""

    titles: dict[str, str]
    intros: dict[str, str]
    opens_at: datetime | None
    closes_at: datetime | None
    points: int | None
    segment: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class QuestionInput:
    kind: str
    texts: dict[str, str]
    options: dict[str, list[str]]  # per language, one option per line
    is_required: bool


def _require_manager(actor: User | None) -> None:
    if actor is None or not actor.can(P.MANAGE_SURVEYS):
        raise FeedbackError(_l("Only marketing staff can manage surveys."))


def _texts(values: dict[str, str], maximum: int, name: str, *, required: bool) -> dict[str, str]:
    """Stripped per-language texts; at least one language when required (the others fall back)."""
    texts = {lang: " ".join((values.get(lang) or "").split()) if name != "intro"
             else (values.get(lang) or "").strip() for lang in LANGS}
    for lang, text in texts.items():
        if len(text) > maximum:
            raise FeedbackError(_l("The text is too long (at most %(max)d characters).", max=maximum),
                                field=f"{name}_{lang}")
    if required and not any(texts.values()):
        raise FeedbackError(_l("Write it in at least one language."), field=f"{name}_en")
    return texts


def _check_survey(data: SurveyInput) -> dict[str, Any]:
    titles = _texts(data.titles, MAX_TITLE, "title", required=True)
    intros = _texts(data.intros, MAX_INTRO, "intro", required=False)
    if data.opens_at is None or data.closes_at is None:
        raise FeedbackError(_l("Enter when the survey opens and closes."), field="closes_at")
    if data.closes_at <= data.opens_at:
        raise FeedbackError(_l("The end must be after the start."), field="closes_at")
    points = data.points or 0
    if isinstance(points, bool) or not isinstance(points, int) or not 0 <= points <= MAX_POINTS:
        raise FeedbackError(_l("Enter a whole number of points between 0 and %(maximum)s.",
                               maximum=f"{MAX_POINTS:,}"), field="points")
    segment = parse_segment(data.segment)
    if segment.development_id is not None and db.session.get(Development, segment.development_id) is None:
        raise FeedbackError(_l("Choose from the list."), field="development_id")
    return {**{f"title_{k}": v for k, v in titles.items()}, **{f"intro_{k}": v for k, v in intros.items()},
            "opens_at": data.opens_at, "closes_at": data.closes_at, "points": points,
            "segment": segment.to_json()}


def save_survey(survey: Survey | None, data: SurveyInput, *, actor: User, ip: str | None = None) -> Survey:
    """Create a draft (survey None) or change one; a published survey only closes early."""
    _require_manager(actor)
    if survey is not None and not survey.is_draft:
        raise FeedbackError(_l("This survey is published: it can no longer change."))
    values = _check_survey(data)
    created = survey is None
    if created:
        survey = Survey(created_by_id=actor.id, status=SurveyStatus.DRAFT.value)
        db.session.add(survey)
    for name, value in values.items():
        setattr(survey, name, value)
    db.session.flush()
    record_action(actor, "survey.create" if created else "survey.edit", survey,
                  {"points": survey.points, "segment": survey.segment}, ip=ip)
    return survey


def _check_question(data: QuestionInput) -> dict[str, Any]:
    try:
        kind = QuestionKind(data.kind)
    except ValueError:
        raise FeedbackError(_l("Choose from the list."), field="kind") from None
    texts = _texts(data.texts, MAX_QUESTION, "text", required=True)
    options: list[dict[str, str]] = []
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        lines = {lang: [" ".join(line.split()) for line in (data.options.get(lang) or [])]
                 for lang in LANGS}
        lines = {lang: [line for line in values if line] for lang, values in lines.items()}
        counts = {len(values) for values in lines.values() if values}
        if not counts or max(counts) < 2:
            raise FeedbackError(_l("Give at least two options, one per line."), field="options_en")
        if len(counts) > 1:
            raise FeedbackError(_l("Give the same number of options in every language you fill."),
                                field="options_en")
        count = counts.pop()
        if count > MAX_OPTIONS:
            raise FeedbackError(_l("At most %(max)d options.", max=MAX_OPTIONS), field="options_en")
        if any(len(line) > MAX_OPTION for values in lines.values() for line in values):
            raise FeedbackError(_l("The text is too long (at most %(max)d characters).", max=MAX_OPTION),
                                field="options_en")
        options = [{lang: (lines[lang][i] if lines[lang] else "") for lang in LANGS} for i in range(count)]
    return {"kind": kind.value, "is_required": bool(data.is_required), "options": options,
            **{f"text_{k}": v for k, v in texts.items()}}


def add_question(survey: Survey, data: QuestionInput, *, actor: User,
                 ip: str | None = None) -> SurveyQuestion:
    """Append a question to a draft."""
    _require_manager(actor)
    if not survey.is_draft:
        raise FeedbackError(_l("This survey is published: it can no longer change."))
    if len(survey.questions) >= MAX_QUESTIONS:
        raise FeedbackError(_l("At most %(max)d questions.", max=MAX_QUESTIONS))
    values = _check_question(data)
    position = max((q.position for q in survey.questions), default=0) + 1
    question = SurveyQuestion(survey=survey, position=position, **values)
    db.session.add(question)
    db.session.flush()
    record_action(actor, "survey.question_add", survey,
                  {"question": question.id, "kind": question.kind}, ip=ip)
    return question


def remove_question(survey: Survey, question: SurveyQuestion, *, actor: User, ip: str | None = None) -> None:
    _require_manager(actor)
    if not survey.is_draft or question.survey_id != survey.id:
        raise FeedbackError(_l("This survey is published: it can no longer change."))
    survey.questions.remove(question)
    db.session.flush()
    record_action(actor, "survey.question_remove", survey, {"question": question.id}, ip=ip)


def publish(survey: Survey, *, actor: User, ip: str | None = None, now: datetime | None = None) -> Survey:
    """Draft → published: members of the segment can answer between the open and close dates."""
    _require_manager(actor)
    now = now or utcnow()
    if not survey.is_draft:
        raise FeedbackError(_l("This survey is already published."))
    if not survey.questions:
        raise FeedbackError(_l("Add at least one question first."))
    if survey.closes_at <= now:
        raise FeedbackError(_l("The survey would already be closed: move the close date."))
    survey.status = SurveyStatus.PUBLISHED.value
    survey.published_at = now
    db.session.flush()
    record_action(actor, "survey.publish", survey, {"questions": len(survey.questions)}, ip=ip)
    return survey


def close_now(survey: Survey, *, actor: User, ip: str | None = None, now: datetime | None = None) -> Survey:
    """End a published survey early (answers given stay)."""
    _require_manager(actor)
    now = now or utcnow()
    if survey.is_draft or survey.closes_at <= now:
        raise FeedbackError(_l("This survey is not open."))
    if survey.opens_at >= now:  # not open yet: it never will be
        survey.opens_at = now - timedelta(seconds=1)
    survey.closes_at = now
    db.session.flush()
    record_action(actor, "survey.close", survey, {}, ip=ip)
    return survey


# --- members ----------------------------------------------------------------------------------

def segment_of(survey: Survey) -> Segment:
    return parse_segment(survey.segment)


def is_for(survey: Survey, member: User) -> bool:
    """Whether `member` is in the survey's audience (the segment, evaluated now)."""
    return contains(segment_of(survey), member.id)


def response_of(survey: Survey, member: User) -> SurveyResponse | None:
    return db.session.scalar(select(SurveyResponse).where(
        SurveyResponse.survey_id == survey.id, SurveyResponse.member_id == member.id))


@dataclass(frozen=True)
class OpenSurvey:
    survey: Survey
    answered: bool


def open_surveys_for(member: User, now: datetime | None = None) -> list[OpenSurvey]:
    """Published surveys open now whose audience holds `member`, closing soonest first."""
    now = now or utcnow()
    surveys = db.session.scalars(select(Survey).where(
        Survey.status == SurveyStatus.PUBLISHED.value, Survey.opens_at <= now, Survey.closes_at > now)
        .order_by(Survey.closes_at, Survey.id)).all()
    answered = set(db.session.scalars(select(SurveyResponse.survey_id).where(
        SurveyResponse.member_id == member.id,
        SurveyResponse.survey_id.in_([s.id for s in surveys]))))
    return [OpenSurvey(s, s.id in answered) for s in surveys if is_for(s, member)]


def home_development_id(member: User) -> int | None:
    """The development of the member's first verified home (None: no verified home)."""
    return db.session.scalar(
        select(Building.development_id).join(Unit, Unit.building_id == Building.id)
        .join(Ownership, Ownership.unit_id == Unit.id)
        .where(Ownership.user_id == member.id, Ownership.status == OwnershipStatus.VERIFIED.value)
        .order_by(Ownership.id).limit(1))


def _whole(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    text = str(raw).strip() if raw is not None else ""
    return int(text) if text and text.isascii() and text.isdigit() and len(text) <= 3 else None


def _given(raw: Any) -> bool:
    if raw is None:
        return False
    if isinstance(raw, list | tuple):
        return any(_given(item) for item in raw)
    return str(raw).strip() != ""


def _answer_rows(question: SurveyQuestion, raw: Any) -> list[dict[str, Any]]:
    """The answer rows of one question, or FeedbackError naming the question's field."""
    name = f"q{question.id}"
    if not _given(raw):
        if question.is_required:
            raise FeedbackError(_l("Please answer this question."), field=name)
        return []
    if question.kind == QuestionKind.RATING:
        value = _whole(raw[0] if isinstance(raw, list | tuple) and len(raw) == 1 else raw)
        if value is None or not RATING_MIN <= value <= RATING_MAX:
            raise FeedbackError(_l("Choose a rating from 0 to 10."), field=name)
        return [{"rating": value}]
    if question.kind == QuestionKind.TEXT:
        text = str(raw[0] if isinstance(raw, list | tuple) else raw).strip()
        if len(text) > MAX_TEXT_ANSWER:
            raise FeedbackError(_l("The text is too long (at most %(max)d characters).",
                                   max=MAX_TEXT_ANSWER), field=name)
        return [{"text": text}]
    values = list(raw) if isinstance(raw, list | tuple) else [raw]
    values = [item for item in values if _given(item)]
    if question.kind == QuestionKind.SINGLE and len(values) != 1:
        raise FeedbackError(_l("Choose one option."), field=name)
    chosen = [_whole(item) for item in values]
    out_of_range = any(c is None or not 0 <= c < len(question.options) for c in chosen)
    if out_of_range or len(set(chosen)) != len(chosen):
        raise FeedbackError(_l("Choose from the list."), field=name)
    return [{"option": c} for c in sorted(chosen)]


def answer(survey: Survey, member: User, answers: dict[int, Any], *,
           now: datetime | None = None) -> SurveyResponse:
    """Record the member's answers (question id → raw value) and pay the points, once.

    Refused, writing nothing: a survey not published or not open now, a member outside
    the audience, a second submit, a missing required answer, a value out of range.
    """
    now = now or utcnow()
    if not member.can(P.ANSWER_SURVEYS) or survey.is_draft or not is_for(survey, member):
        raise FeedbackError(_l("This survey is not meant for you."))
    if not survey.is_open_at(now):
        raise FeedbackError(_l("This survey is closed."))
    if response_of(survey, member) is not None:
        raise FeedbackError(_l("You have already answered this survey."))
    rows = {q.id: _answer_rows(q, answers.get(q.id)) for q in survey.questions}
    response = SurveyResponse(survey_id=survey.id, member_id=member.id,
                              development_id=home_development_id(member), submitted_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(response)
            db.session.flush()
    except IntegrityError:  # a concurrent submit of the same member won
        raise FeedbackError(_l("You have already answered this survey.")) from None
    db.session.add_all([SurveyAnswer(response_id=response.id, question_id=question_id, **row)
                        for question_id, question_rows in rows.items() for row in question_rows])
    points = adjusted_reward(RewardTrigger.SURVEY_COMPLETED, member.id, survey.points) if survey.points else 0
    if points:
        credit(member, points, kind=LedgerKind.SURVEY, reason=N_("Survey answered: %(title)s"),
               reason_params={"title": survey.title(member.locale)},
               idempotency_key=f"survey:{survey.id}:member:{member.id}", source=survey)
    response.points = points
    db.session.flush()
    return response


# --- staff lists ----------------------------------------------------------------------------

def surveys_query() -> Select:
    """The staff list, newest first (ix_surveys_created_at_id)."""
    return select(Survey).order_by(Survey.created_at.desc(), Survey.id.desc())


def response_counts(survey_ids: list[int]) -> dict[int, int]:
    return dict(db.session.execute(
        select(SurveyResponse.survey_id, func.count()).where(SurveyResponse.survey_id.in_(survey_ids))
        .group_by(SurveyResponse.survey_id)).all())


def developments() -> list[Development]:
    return list(db.session.scalars(select(Development).order_by(Development.name)))
