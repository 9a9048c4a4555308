"""The satisfaction index on a small data set computed by hand (numbers in the docstrings).

Ratings (0–10) of the two rating questions:
    A (Jade Lake, 2025-06):   q1 = 8,  q2 = 6
    B (Jade Lake, 2025-06):   q1 = 10, q2 = 9
    C (Cloud Peak, 2026-03):  q1 = 5,  q2 skipped (optional)
    P (partner, no home, 2026-03): q1 = 7, q2 = 7
Overall: (8+6+10+9+5+7+7) = 52 over 7 answers → 52 / 7 × 10 = 74.2857… → 74.3
Jade Lake: 33 / 4 × 10 = 82.5; Cloud Peak: 5 / 1 × 10 = 50.0; no verified home: 14 / 2 × 10 = 70.0
2025: 33 / 4 × 10 = 82.5; 2026: 19 / 3 × 10 = 63.333… → 63.3
q1 average 30 / 4 = 7.5; q2 average 22 / 3 = 7.33
Complaint ratings 5, 4, 2 (1–5): mean 11 / 3 = 3.667 → (3.667 − 1) / 4 × 100 = 66.7
"""

from __future__ import annotations

from datetime import datetime, timedelta

from portal.accounts.permissions import Role
from portal.core.timeutil import utcnow
from portal.feedback import results
from portal.forum import complaints
from tests import factories
from tests.feedback.helpers import answer_at, choice, free_text, homeowner, make_survey, rating
from tests.forum.helpers import make_complaint

JUNE_2025, MARCH_2026 = datetime(2025, 6, 10, 8), datetime(2026, 3, 5, 8)


def _data_set():
    survey = make_survey(rating("Overall?"), rating("Property management?", required=False),
                         choice("multiple", ["Repairs", "Clubhouse", "Website"], required=False),
                         free_text(), opens_at=datetime(2025, 1, 1), closes_at=utcnow() + timedelta(days=30),
                         segment={"roles": ["member", "partner"]})
    a, b = homeowner("Jade Lake"), homeowner("Jade Lake")
    c = homeowner("Cloud Peak")
    p = factories.make_user(Role.PARTNER)
    answer_at(survey, a, {0: 8, 1: 6, 2: ["0", "2"], 3: "Faster repairs please"}, JUNE_2025)
    answer_at(survey, b, {0: 10, 1: 9, 2: ["0"]}, JUNE_2025)
    answer_at(survey, c, {0: 5, 3: "Clubhouse opens too late"}, MARCH_2026)
    answer_at(survey, p, {0: "7", 1: "7", 2: ["1"]}, MARCH_2026)
    factories.make_member()  # in the audience, did not answer: 4 of 5 responded
    return survey


def test_index_overall_per_development_and_year_reproduce_the_hand_computation(app, db, english):
    survey = _data_set()
    view = results.results_of(survey, "en")
    assert view.responses == 4 and view.audience == 5 and view.rate == 0.8
    assert view.index == 74.3 and view.rating_answers == 7
    assert {(f.key, f.answers, f.index) for f in view.by_development} == {
        ("Jade Lake", 4, 82.5), ("Cloud Peak", 1, 50.0), ("No verified home", 2, 70.0)}
    assert [(f.key, f.answers, f.index) for f in view.by_year] == [(2025, 4, 82.5), (2026, 3, 63.3)]
    q1, q2, multiple, text = view.questions
    assert (q1.answered, q1.average) == (4, 7.5)
    assert (q1.counts[8], q1.counts[10], q1.counts[5], q1.counts[7]) == (1, 1, 1, 1)
    assert (q2.answered, q2.average) == (3, 7.33)
    assert multiple.counts == [2, 1, 1] and multiple.labels == ["Repairs", "Clubhouse", "Website"]
    assert sorted(text.texts) == ["Clubhouse opens too late", "Faster repairs please"]


def test_club_index_sets_complaint_satisfaction_beside_the_survey_index(app, db, english):
    _data_set()
    staff = factories.make_user(Role.SERVICE)
    for stars in (5, 4, 2):
        author = factories.make_member()
        complaint = make_complaint(author)
        complaints.change_status(complaint, staff, "resolved")
        complaints.rate(complaint, author, stars)
    club = results.club_index()
    assert club.overall == 74.3 and club.answers == 7
    assert club.complaints_score == 66.7 and club.complaint_ratings == 3
    year = utcnow().year
    by_year = {y.year: y for y in club.years}
    assert by_year[2025].survey.index == 82.5 and by_year[2025].complaints_score is None
    assert by_year[year].complaints_score == 66.7 and by_year[year].complaint_ratings == 3


def test_complaint_satisfaction_scale_ends(app, db):
    from portal.forum.complaints import RatingFigure

    assert RatingFigure(None, 1, 1.0).score == 0.0 and RatingFigure(None, 1, 5.0).score == 100.0
    assert RatingFigure(None, 2, 3.0).score == 50.0


def test_csv_has_one_row_per_response_with_answers(app, db, client, login):
    survey = _data_set()
    login("marketing")
    response = client.get(f"/admin/surveys/{survey.id}/responses.csv")
    text = response.get_data(as_text=True)
    response.close()
    lines = text.lstrip("\ufeff").strip().splitlines()
    assert len(lines) == 5
    assert "Overall?" in lines[0] and "Repairs; Website" in lines[1] and "Faster repairs please" in lines[1]
