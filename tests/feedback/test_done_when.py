"""The issue's "done when", on the demo data: a member answers a survey and gets points, and
staff see the index move."""

from __future__ import annotations

import re

from sqlalchemy import select

from portal.accounts.demo import demo_user
from portal.feedback.models import Survey
from tests.conftest import log_in


def _index(page: str) -> float:
    return float(re.search(r'id="club-survey-index">([\d.]+)<', page).group(1))


def test_demo_member_answers_gets_points_and_the_index_moves(app, db, demo):
    staff, member = app.test_client(), app.test_client()
    log_in(staff, demo_user("marketing@demo.club"))
    before = _index(staff.get("/admin/surveys/").get_data(as_text=True))
    log_in(member, demo_user("member@demo.club"))
    survey = db.session.scalars(select(Survey).order_by(Survey.id.desc())).first()
    assert survey.title("en").endswith("homeowner satisfaction survey")
    assert survey.title("zh_Hant") in member.get("/surveys").get_data(as_text=True)
    balance = demo_user("member@demo.club").points_balance
    q = survey.questions
    response = member.post(f"/surveys/{survey.id}", data={f"q{q[0].id}": "0", f"q{q[1].id}": "0"})
    assert response.status_code == 302
    thanks = member.get(f"/surveys/{survey.id}/thanks").get_data(as_text=True)
    assert "300" in thanks
    db.session.expire_all()
    assert demo_user("member@demo.club").points_balance == balance + 300
    after = _index(staff.get("/admin/surveys/").get_data(as_text=True))
    assert after < before
    results = staff.get(f"/admin/surveys/{survey.id}/results").get_data(as_text=True)
    assert 'id="response-count">6<' in results


def test_demo_partner_suggestion_adopted_and_rewarded_from_the_fund(app, db, demo):
    from portal.core.timeutil import utcnow
    from portal.feedback import suggestions
    from portal.feedback.models import Suggestion

    partner = demo_user("partner@demo.club")
    idea = db.session.scalar(select(Suggestion).where(Suggestion.author_id == partner.id,
                                                      Suggestion.status == "adopted"))
    assert idea.reward_points == 3000 and partner.points_balance >= 3000
    fund = suggestions.fund_of(utcnow().year)
    assert (fund.budget, fund.awarded, fund.balance) == (50_000, 4500, 45_500)
    staff = app.test_client()
    log_in(staff, demo_user("service@demo.club"))
    page = staff.get("/admin/suggestions/").get_data(as_text=True)
    assert 'id="fund-balance">45,500<' in page and idea.title in page
    member = app.test_client()
    log_in(member, demo_user("member@demo.club"))
    wall = member.get("/suggestions").get_data(as_text=True)
    assert idea.title in wall and "會所延長開放時間" in wall


def test_demo_evaluation_shows_partner_and_community_scores_side_by_side(app, db, demo):
    """Demo scores (positioning … social impact): staff (4,4,4,3,5,4); partners (4,3,4,3,4,3)
    and (5,4,4,4,4,4); community (4,4,3,3,3,5), (3,4,3,2,3,4), (4,5,4,3,4,5)."""
    from portal.feedback import rounds
    from portal.feedback.models import FeedbackRound

    evaluation = db.session.scalar(select(FeedbackRound).where(FeedbackRound.kind == "evaluation"))
    staff_scores, partners, community = rounds.report_of(evaluation).groups
    assert list(partners.averages.values()) == [4.5, 3.5, 4.0, 3.5, 4.0, 3.5]
    assert list(community.averages.values()) == [3.67, 4.33, 3.33, 2.67, 3.33, 4.67]
    assert (staff_scores.raters, partners.raters, community.raters) == (1, 2, 3)
    staff = app.test_client()
    log_in(staff, demo_user("marketing@demo.club"))
    page = staff.get(f"/admin/evaluations/{evaluation.id}").get_data(as_text=True)
    assert 'id="evaluation-chart"' in page and "Partners (2)" in page and "Community (3)" in page
    member = app.test_client()
    log_in(member, demo_user("member@demo.club"))  # lives in Jade Lake Garden: may still rate
    assert 'id="evaluation-form"' in member.get(f"/rounds/{evaluation.id}").get_data(as_text=True)
