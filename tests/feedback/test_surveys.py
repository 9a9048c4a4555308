"""Survey rules: the builder, the audience, answering once, points through the ledger and
campaign bonus rules, and every bad input refused with nothing saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts.permissions import Role
from portal.campaigns import services as campaigns
from portal.core.timeutil import utcnow
from portal.feedback import surveys
from portal.feedback.errors import FeedbackError
from portal.feedback.models import SurveyAnswer, SurveyResponse
from portal.points.models import LedgerEntry
from tests import factories
from tests.campaigns.helpers import bonus_input
from tests.feedback.helpers import choice, free_text, homeowner, make_survey, marketing, rating, survey_input


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _ledger(db, member) -> list[LedgerEntry]:
    return list(db.session.scalars(select(LedgerEntry).where(LedgerEntry.member_id == member.id)))


def test_answer_once_pays_points_once(app, db, english):
    survey = make_survey(rating(), points=250)
    member = factories.make_member()
    response = surveys.answer(survey, member, {survey.questions[0].id: "9"})
    assert response.points == 250 and member.points_balance == 250
    for _ in range(2):  # double click, replay
        with pytest.raises(FeedbackError, match="already answered"):
            surveys.answer(survey, member, {survey.questions[0].id: "3"})
    assert _count(db, SurveyResponse) == 1 and _count(db, SurveyAnswer) == 1
    entries = _ledger(db, member)
    assert [(e.amount, e.kind, e.idempotency_key) for e in entries] == [
        (250, "survey", f"survey:{survey.id}:member:{member.id}")]


def test_running_campaign_bonus_rule_boosts_the_survey_reward(app, db, english):
    staff = marketing()
    member = factories.make_member()
    rule = campaigns.save_draft(None, bonus_input(trigger="survey_completed", multiplier_pct=150),
                                actor=staff)
    campaigns.launch(rule, actor=staff)
    survey = make_survey(rating(), points=200)
    response = surveys.answer(survey, member, {survey.questions[0].id: 10})
    assert response.points == 300 and member.points_balance == 300
    db.session.refresh(rule)
    assert rule.spent == 100 and rule.reached == 1


def test_survey_without_points_writes_no_ledger_row(app, db, english):
    survey = make_survey(rating(), points=0)
    member = factories.make_member()
    assert surveys.answer(survey, member, {survey.questions[0].id: 5}).points == 0
    assert _ledger(db, member) == []


def test_audience_segment_decides_who_may_answer(app, db, english):
    survey = make_survey(rating(), segment={"verified": "yes"})
    owner, other = homeowner(), factories.make_member()
    assert [item.survey.id for item in surveys.open_surveys_for(owner)] == [survey.id]
    assert surveys.open_surveys_for(other) == []
    with pytest.raises(FeedbackError, match="not meant for you"):
        surveys.answer(survey, other, {survey.questions[0].id: 5})
    staff = factories.make_user(Role.SERVICE)  # staff are never in a segment
    with pytest.raises(FeedbackError, match="not meant for you"):
        surveys.answer(survey, staff, {survey.questions[0].id: 5})
    assert _count(db, SurveyResponse) == 0


def test_closed_not_yet_open_and_draft_surveys_are_refused(app, db, english):
    member = factories.make_member()
    now = utcnow()
    closed = make_survey(rating(), opens_at=now - timedelta(days=9), closes_at=now - timedelta(days=2),
                         publish=False)
    closed.status = "published"
    later = make_survey(rating(), opens_at=now + timedelta(days=2), closes_at=now + timedelta(days=9),
                        publish=False)
    surveys.publish(later, actor=marketing())
    draft = make_survey(rating(), publish=False)
    for survey, message in ((closed, "closed"), (later, "closed"), (draft, "not meant for you")):
        with pytest.raises(FeedbackError, match=message):
            surveys.answer(survey, member, {survey.questions[0].id: 5})
    assert _count(db, SurveyResponse) == 0
    assert surveys.open_surveys_for(member) == []


@pytest.mark.parametrize("value", ["11", "-1", "1.5", "１０", "7a", "1e1", ["3", "4"],
                                   "99999999999999999999"])
def test_rating_out_of_range_is_refused(app, db, english, value):
    survey = make_survey(rating())
    with pytest.raises(FeedbackError, match="rating from 0 to 10") as refused:
        surveys.answer(survey, factories.make_member(), {survey.questions[0].id: value})
    assert refused.value.field == f"q{survey.questions[0].id}"
    assert _count(db, SurveyResponse) == 0


def test_missing_required_answer_is_refused_and_optional_may_be_skipped(app, db, english):
    survey = make_survey(rating(), rating(required=False), free_text())
    member = factories.make_member()
    with pytest.raises(FeedbackError, match="Please answer this question") as refused:
        surveys.answer(survey, member, {survey.questions[1].id: 5})
    assert refused.value.field == f"q{survey.questions[0].id}"
    assert _count(db, SurveyResponse) == 0 and member.points_balance == 0
    surveys.answer(survey, member, {survey.questions[0].id: 0})
    assert _count(db, SurveyAnswer) == 1


@pytest.mark.parametrize(("kind", "value", "message"), [
    ("single", ["0", "1"], "Choose one option"), ("single", "3", "Choose from the list"),
    ("single", "x", "Choose from the list"), ("multiple", ["0", "0"], "Choose from the list"),
    ("multiple", ["0", "7"], "Choose from the list"), ("multiple", ["-1"], "Choose from the list"),
])
def test_bad_choices_are_refused(app, db, english, kind, value, message):
    survey = make_survey(choice(kind))
    with pytest.raises(FeedbackError, match=message):
        surveys.answer(survey, factories.make_member(), {survey.questions[0].id: value})
    assert _count(db, SurveyResponse) == 0


def test_too_long_free_text_is_refused(app, db, english):
    survey = make_survey(free_text(required=True))
    with pytest.raises(FeedbackError, match="too long"):
        surveys.answer(survey, factories.make_member(), {survey.questions[0].id: "x" * 2001})


def test_builder_rules(app, db, english):
    staff = marketing()
    with pytest.raises(FeedbackError, match="at least one language"):
        surveys.save_survey(None, survey_input(titles={}), actor=staff)
    now = utcnow()
    with pytest.raises(FeedbackError, match="end must be after"):
        surveys.save_survey(None, survey_input(opens_at=now, closes_at=now), actor=staff)
    for points in (-1, 100_001, True, 1.5):
        with pytest.raises(FeedbackError, match="whole number of points"):
            surveys.save_survey(None, survey_input(points=points), actor=staff)
    with pytest.raises(FeedbackError, match="Choose from the list"):
        surveys.save_survey(None, survey_input(segment={"development_id": 999_999}), actor=staff)
    with pytest.raises(FeedbackError, match="Only marketing"):
        surveys.save_survey(None, survey_input(), actor=factories.make_user(Role.SERVICE))
    survey = surveys.save_survey(None, survey_input(), actor=staff)
    with pytest.raises(FeedbackError, match="at least one question"):
        surveys.publish(survey, actor=staff)
    with pytest.raises(FeedbackError, match="at least two options"):
        surveys.add_question(survey, choice(options=["Only"]), actor=staff)
    with pytest.raises(FeedbackError, match="same number of options"):
        surveys.add_question(survey, surveys.QuestionInput(
            "single", {"en": "Q"}, {"en": ["a", "b"], "zh_Hant": ["甲"]}, True), actor=staff)
    with pytest.raises(FeedbackError, match="Choose from the list"):
        surveys.add_question(survey, surveys.QuestionInput("slider", {"en": "Q"}, {}, True), actor=staff)
    question = surveys.add_question(survey, surveys.QuestionInput(
        "single", {"en": "Which?", "zh_Hant": "哪個？"}, {"en": ["a", "b"], "zh_Hant": ["甲", "乙"]}, True),
        actor=staff)
    assert question.options == [{"zh_Hant": "甲", "zh_Hans": "", "en": "a"},
                                {"zh_Hant": "乙", "zh_Hans": "", "en": "b"}]
    assert question.option_labels("zh_Hans") == ["甲", "乙"]  # falls back to another language
    assert question.text("zh_Hans") == "哪个？"  # the Traditional text, read in Simplified
    surveys.publish(survey, actor=staff)
    with pytest.raises(FeedbackError, match="published"):
        surveys.add_question(survey, rating(), actor=staff)
    with pytest.raises(FeedbackError, match="published"):
        surveys.save_survey(survey, survey_input(), actor=staff)


def test_close_now_ends_answering(app, db, english):
    staff = marketing()
    survey = make_survey(rating(), actor=staff)
    surveys.close_now(survey, actor=staff)
    with pytest.raises(FeedbackError, match="closed"):
        surveys.answer(survey, factories.make_member(), {survey.questions[0].id: 5})
    with pytest.raises(FeedbackError, match="not open"):
        surveys.close_now(survey, actor=staff)


def test_response_remembers_the_development_of_the_verified_home(app, db, english):
    survey = make_survey(rating())
    owner = homeowner("Cloud Peak")
    response = surveys.answer(survey, owner, {survey.questions[0].id: 7})
    assert response.development.name == "Cloud Peak"
