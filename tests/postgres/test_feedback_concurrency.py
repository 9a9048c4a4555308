"""The suggestion fund on PostgreSQL with real concurrent connections: rewards racing for the
last of the fund, and two staff adopting one suggestion at once; survey submits racing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.feedback import suggestions, surveys
from portal.feedback.errors import FeedbackError
from portal.feedback.models import Suggestion, SuggestionFund, SurveyResponse
from portal.points.models import LedgerEntry
from tests import factories
from tests.feedback.helpers import fund, make_suggestion, make_survey, rating, reviewer
from tests.support.race import assert_points_verify_clean, migrated_postgres_app, race

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(tmp_path, postgres_server):
    with migrated_postgres_app(tmp_path, postgres_server, "feedback") as app:
        yield app


def _adopt(suggestion_id: int, staff_id: int, points: int) -> str:
    suggestions.adopt(db.session.get(Suggestion, suggestion_id), points, actor=db.session.get(User, staff_id))
    return "adopted"


def test_fund_is_never_overspent_by_concurrent_rewards(pg_app):
    fund(500)
    staff = reviewer()
    ids = []
    for _ in range(12):
        suggestion = make_suggestion()
        suggestions.start_review(suggestion, actor=staff)
        ids.append(suggestion.id)
    db.session.commit()
    staff_id = staff.id
    outcome = race(pg_app, 12, lambda i: _adopt(ids[i], staff_id, 100), refusal=FeedbackError,
                   describe=lambda e: "refused", request_path="/?lang=en")
    assert not outcome.crashes, outcome.results
    assert outcome.results.count("adopted") == 5 and outcome.results.count("refused") == 7
    row = db.session.get(SuggestionFund, utcnow().year)
    assert (row.budget, row.awarded) == (500, 500)
    paid = select(func.sum(LedgerEntry.amount)).where(LedgerEntry.kind == "suggestion")
    assert db.session.scalar(paid) == 500
    assert db.session.scalar(select(func.count()).select_from(Suggestion)
                             .where(Suggestion.status == "adopted")) == 5
    assert_points_verify_clean(pg_app)


def test_two_staff_adopting_one_suggestion_reward_once(pg_app):
    fund(10_000)
    staff = [reviewer() for _ in range(6)]
    suggestion = make_suggestion()
    suggestions.start_review(suggestion, actor=staff[0])
    db.session.commit()
    suggestion_id, staff_ids = suggestion.id, [s.id for s in staff]
    outcome = race(pg_app, 6, lambda i: _adopt(suggestion_id, staff_ids[i], 1000), refusal=FeedbackError,
                   describe=lambda e: "refused", request_path="/?lang=en")
    assert not outcome.crashes, outcome.results
    assert outcome.results.count("adopted") == 1
    assert db.session.get(SuggestionFund, utcnow().year).awarded == 1000
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 1
    assert_points_verify_clean(pg_app)


def test_concurrent_survey_submits_record_one_response_and_pay_once(pg_app):
    survey = make_survey(rating(), points=100)
    member = factories.make_member()
    db.session.commit()
    survey_id, member_id = survey.id, member.id

    def submit(index: int) -> str:
        found = db.session.get(type(survey), survey_id)
        surveys.answer(found, db.session.get(User, member_id), {found.questions[0].id: index % 11})
        return "answered"

    outcome = race(pg_app, 10, submit, refusal=FeedbackError, describe=lambda e: "refused",
                   request_path="/?lang=en")
    assert not outcome.crashes, outcome.results
    assert outcome.results.count("answered") == 1
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1
    assert db.session.get(User, member_id).points_balance == 100
    assert_points_verify_clean(pg_app)
