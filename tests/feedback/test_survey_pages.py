"""Survey pages: the member list, answering once with the thanks page, refusals with a
translated message and a 4xx, and the staff builder, publish, results and chart."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.feedback.models import Survey, SurveyQuestion, SurveyResponse
from tests import factories
from tests.feedback.helpers import choice, free_text, make_survey, rating


def _responses(db) -> int:
    return db.session.scalar(select(func.count()).select_from(SurveyResponse))


def test_member_lists_answers_and_sees_the_thanks_page_with_points(client, db, login):
    member = login("member")
    survey = make_survey(rating(), choice("multiple"), free_text(), points=300)
    db.session.commit()
    listing = client.get("/surveys").get_data(as_text=True)
    assert "Satisfaction survey" in listing and "300 points" in listing
    assert client.get("/").get_data(as_text=True).count("Satisfaction survey") == 1  # home panel
    page = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert 'type="radio"' in page and 'type="checkbox"' in page
    q1, q2, q3 = (q.id for q in survey.questions)
    form = {f"q{q1}": "9", f"q{q2}": ["0", "2"], f"q{q3}": "Lovely <b>club</b>"}
    response = client.post(f"/surveys/{survey.id}", data=form)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/surveys/{survey.id}/thanks")
    thanks = client.get(f"/surveys/{survey.id}/thanks").get_data(as_text=True)
    assert "300 points have been added to your balance." in thanks
    db.session.refresh(member)
    assert member.points_balance == 300
    again = client.post(f"/surveys/{survey.id}", data={**form, f"q{q1}": "1"})
    assert again.status_code == 409
    assert "You have already answered this survey." in again.get_data(as_text=True)
    assert _responses(db) == 1 and member.points_balance == 300
    assert client.get(f"/surveys/{survey.id}").status_code == 302  # straight to the thanks page
    assert "Answered" in client.get("/surveys").get_data(as_text=True)


def test_bad_answers_get_the_form_back_with_a_message_and_nothing_saved(client, db, login):
    login("member")
    survey = make_survey(rating(), choice("single"))
    db.session.commit()
    q1, q2 = (q.id for q in survey.questions)
    for data, message in (({f"q{q2}": "0"}, "Please answer this question."),
                          ({f"q{q1}": "11", f"q{q2}": "0"}, "Choose a rating from 0 to 10."),
                          ({f"q{q1}": "5", f"q{q2}": "9"}, "Choose from the list.")):
        response = client.post(f"/surveys/{survey.id}", data=data)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    assert _responses(db) == 0


def test_survey_not_for_me_closed_or_draft(client, db, login):
    login("member")
    not_mine = make_survey(rating(), segment={"verified": "yes"})
    draft = make_survey(rating(), publish=False)
    db.session.commit()
    refused = client.post(f"/surveys/{not_mine.id}", data={f"q{not_mine.questions[0].id}": "5"})
    assert refused.status_code == 403
    assert "This survey is not meant for you." in refused.get_data(as_text=True)
    assert client.get(f"/surveys/{draft.id}").status_code == 404
    assert client.get("/surveys/99999").status_code == 404
    assert client.get(f"/surveys/{not_mine.id}/thanks").status_code == 302
    assert _responses(db) == 0


def test_closed_survey_answers_409(client, db, login):
    from portal.feedback import surveys
    from tests.feedback.helpers import marketing

    login("member")
    survey = make_survey(rating())
    surveys.close_now(survey, actor=marketing())
    db.session.commit()
    assert "This survey is closed." in client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    response = client.post(f"/surveys/{survey.id}", data={f"q{survey.questions[0].id}": "5"})
    assert response.status_code == 409 and _responses(db) == 0


FORM = {"title_zh_Hant": "年度調查", "title_zh_Hans": "年度调查", "title_en": "Annual survey",
        "intro_en": "Hi", "opens_at": "2026-01-01T09:00", "closes_at": "2099-01-01T09:00",
        "points": "100", "development_id": "", "verified": "", "redeemed": "", "redeemed_days": ""}


def test_staff_build_preview_publish_and_see_results(client, db, login):
    login("marketing")
    members = [factories.make_member() for _ in range(2)]
    db.session.commit()
    preview = client.post("/admin/surveys/new", data={**FORM, "preview": "1"})
    assert preview.status_code == 200 and "Audience: 2 members" in preview.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Survey)) == 0
    assert client.post("/admin/surveys/new", data={**FORM, "submit": "1"}).status_code == 302
    survey = db.session.scalar(select(Survey))
    assert survey.opens_at.hour == 1  # 09:00 in Asia/Shanghai is 01:00 UTC
    bad = client.post(f"/admin/surveys/{survey.id}/questions", data={"kind": "single", "text_en": "Q",
                                                                     "options_en": "only one"})
    assert bad.status_code == 400 and "Give at least two options" in bad.get_data(as_text=True)
    assert client.post(f"/admin/surveys/{survey.id}/questions", data={
        "kind": "rating", "text_en": "How happy?", "is_required": "y"}).status_code == 302
    assert client.post(f"/admin/surveys/{survey.id}/publish").status_code == 302
    db.session.refresh(survey)
    assert survey.status == "published"
    from portal.feedback import surveys as service

    service.answer(survey, members[0], {survey.questions[0].id: 9})
    db.session.commit()
    page = client.get(f"/admin/surveys/{survey.id}/results").get_data(as_text=True)
    assert 'id="response-count">1<' in page and 'id="survey-index">90.0<' in page
    assert "<svg" in page and "50.0%" in page
    listing = client.get("/admin/surveys/").get_data(as_text=True)
    assert 'id="club-survey-index">90.0<' in listing
    edit = client.post(f"/admin/surveys/{survey.id}/edit", data={**FORM, "submit": "1"})
    assert edit.status_code == 409
    question = db.session.scalar(select(SurveyQuestion))
    client.post(f"/admin/surveys/{survey.id}/questions/{question.id}/remove")
    assert db.session.scalar(select(func.count()).select_from(SurveyQuestion)) == 1


def test_staff_form_errors(client, db, login):
    login("marketing")
    response = client.post("/admin/surveys/new", data={**FORM, "title_zh_Hant": "", "title_zh_Hans": "",
                                                      "title_en": "", "submit": "1"})
    assert response.status_code == 400
    assert "Write it in at least one language." in response.get_data(as_text=True)
    response = client.post("/admin/surveys/new", data={**FORM, "points": "1e3", "submit": "1"})
    assert response.status_code == 400
    response = client.post("/admin/surveys/new", data={**FORM, "closes_at": "2025-01-01T09:00",
                                                      "submit": "1"})
    assert response.status_code == 400
    assert "The end must be after the start." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Survey)) == 0
