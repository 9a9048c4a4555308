"""Feedback test data, made through the services: surveys, members with homes, answers."""

from __future__ import annotations

from datetime import datetime, timedelta

from portal.accounts.permissions import Role
from portal.core.timeutil import utcnow
from portal.feedback import surveys
from portal.feedback.models import Survey
from tests import factories

TITLES = {"zh_Hant": "滿意度調查", "zh_Hans": "满意度调查", "en": "Satisfaction survey"}


def marketing():
    return factories.make_user(Role.MARKETING)


def survey_input(**changes) -> surveys.SurveyInput:
    now = utcnow()
    values = {"titles": dict(TITLES), "intros": {"en": "Two minutes, please."},
              "opens_at": now - timedelta(days=1), "closes_at": now + timedelta(days=30),
              "points": 200, "segment": {}}
    values.update(changes)
    return surveys.SurveyInput(**values)


def rating(text: str = "How satisfied are you?", required: bool = True) -> surveys.QuestionInput:
    return surveys.QuestionInput("rating", {"en": text}, {}, required)


def choice(kind: str = "single", options=("Yes", "No", "Maybe"), required: bool = True):
    return surveys.QuestionInput(kind, {"en": f"A {kind} question"}, {"en": list(options)}, required)


def free_text(required: bool = False) -> surveys.QuestionInput:
    return surveys.QuestionInput("text", {"en": "Anything else?"}, {}, required)


def make_survey(*questions, publish: bool = True, actor=None, **changes) -> Survey:
    actor = actor or marketing()
    survey = surveys.save_survey(None, survey_input(**changes), actor=actor)
    for question in questions or (rating(),):
        surveys.add_question(survey, question, actor=actor)
    if publish:
        surveys.publish(survey, actor=actor, now=min(utcnow(), survey.opens_at))
    return survey


def homeowner(development: str = "Jade Lake", **fields):
    member = factories.make_member(**fields)
    factories.make_ownership(member, factories.make_unit(development))
    return member


def answer_at(survey: Survey, member, values: dict[int, object], at: datetime | None = None):
    """Answer by question position (0-based) → value."""
    questions = survey.questions
    return surveys.answer(survey, member, {questions[i].id: v for i, v in values.items()}, now=at)


def make_suggestion(author=None, development: str = "Jade Lake", **changes):
    from portal.feedback import suggestions

    author = author or factories.make_member()
    unit = factories.make_unit(development)
    values = {"development_id": unit.building.development_id, "stage": "design", "title": "Wider corridors",
              "body": "Make the *lift lobby* wider."}
    values.update(changes)
    return suggestions.submit(author, **values)


def reviewer():
    return factories.make_user(Role.SERVICE)


def fund(budget: int, year: int | None = None):
    from portal.feedback import suggestions

    return suggestions.set_fund(year or utcnow().year, budget, actor=factories.make_user(Role.ADMIN))


def make_round(kind: str = "review", development: str = "Jade Lake", actor=None, **changes):
    from portal.feedback import rounds

    unit = factories.make_unit(development)
    values = {"development_id": unit.building.development_id,
              "stage": "scheme_design" if kind == "review" else "",
              "title": "Phase 3 scheme design", "brief": "Tell us what you think."}
    values.update(changes)
    return rounds.open_round(kind, actor=actor or marketing(), **values)


def partner():
    return factories.make_user(Role.PARTNER)
