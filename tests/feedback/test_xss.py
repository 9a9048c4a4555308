"""Text staff and members write in feedback (survey texts, answers, suggestions, review
comments, evaluation comments) is inert wherever it is shown."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portal.core.timeutil import utcnow
from portal.feedback import rounds, suggestions, surveys
from tests import factories
from tests.conftest import log_in
from tests.feedback.helpers import fund, make_round, make_suggestion, marketing, partner, reviewer
from tests.xss_corpus import XSS_VECTORS, assert_inert_html

MAIN = re.compile(r"<main[^>]*>(.*)</main>", re.S)
# The page's own forms and chart frames: what users wrote is inside them, and stays checked.
# Only opening tags exactly as our templates write them are dropped, so an injected <svg> or
# <form> of any other shape is still caught.
OUR_TAGS = re.compile(r'<svg xmlns="http://www.w3.org/2000/svg" viewBox="[^"<>]*" width="\d+" '
                      r'height="\d+" role="img"[^<>]*>|<svg width="12" height="12" '
                      r'aria-hidden="true">|</svg>|<form method="post"[^<>]*>|</form>')
VECTORS = XSS_VECTORS[::4]


def _main(response) -> str:
    assert response.status_code == 200
    return OUR_TAGS.sub("", MAIN.search(response.get_data(as_text=True)).group(1))


@pytest.mark.parametrize("payload", VECTORS)
def test_feedback_pages_show_hostile_text_inert(app, db, client, payload):
    staff = marketing()
    now = utcnow()
    survey = surveys.save_survey(None, surveys.SurveyInput(
        titles={"en": payload}, intros={"en": payload}, opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=9), points=0, segment={}), actor=staff)
    surveys.add_question(survey, surveys.QuestionInput("single", {"en": payload}, {"en": [payload, "b"]},
                                                       True), actor=staff)
    surveys.add_question(survey, surveys.QuestionInput("text", {"en": payload}, {}, False), actor=staff)
    surveys.publish(survey, actor=staff)
    member = factories.make_member(display_name=payload)
    surveys.answer(survey, member, {survey.questions[0].id: "0", survey.questions[1].id: payload})
    fund(1000)
    idea = make_suggestion(member, title=payload[:160], body=payload)
    suggestions.start_review(idea, actor=reviewer())
    suggestions.adopt(idea, 10, actor=reviewer())
    suggestions.implement(idea, payload, actor=reviewer())
    round_ = make_round(actor=staff, title=payload[:160], brief=payload)
    guest = partner(display_name=payload)
    rounds.invite(round_, [guest.id], "partner", actor=staff)
    rounds.add_comment(round_, guest, payload)
    evaluation = make_round("evaluation", actor=staff, title=payload[:160])
    rounds.rate(evaluation, staff, dict.fromkeys(("positioning", "planning", "design", "construction",
                                                  "marketing", "social_impact"), 3), payload)
    db.session.commit()
    log_in(client, member)
    for path in ("/surveys", f"/surveys/{survey.id}/thanks", "/suggestions", f"/suggestions/{idea.id}"):
        assert_inert_html(_main(client.get(path)))
    log_in(client, guest)
    assert_inert_html(_main(client.get(f"/rounds/{round_.id}")))
    log_in(client, staff)
    for path in (f"/admin/surveys/{survey.id}", f"/admin/surveys/{survey.id}/results", "/admin/suggestions/",
                 f"/admin/suggestions/{idea.id}", f"/admin/evaluations/{round_.id}",
                 f"/admin/evaluations/{evaluation.id}"):
        assert_inert_html(_main(client.get(path)))
