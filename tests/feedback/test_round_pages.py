"""Round pages: invited partners comment with files, others get a translated 403; members of
the development rate once; the staff report shows the groups side by side with a chart."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.feedback import rounds
from portal.feedback.models import Evaluation, FeedbackRound, ReviewComment, Suggestion
from tests import factories
from tests.conftest import log_in
from tests.feedback.helpers import make_round, marketing, partner
from tests.forum.helpers import upload

GOOD = {"positioning": "4", "planning": "3", "design": "5", "construction": "2", "marketing": "4",
        "social_impact": "5", "comment": "Good <script>alert(1)</script> neighbourhood"}


def test_invited_partner_comments_with_a_file_others_are_refused(client, db, login):
    me = login("partner")
    staff = marketing()
    round_ = make_round(actor=staff)
    rounds.invite(round_, [me.id], "partner", actor=staff)
    db.session.commit()
    assert "Phase 3 scheme design" in client.get("/rounds").get_data(as_text=True)
    response = client.post(f"/rounds/{round_.id}/comments",
                           data={"body": "Side road entrance", "files": [upload()]},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    comment = db.session.scalar(select(ReviewComment))
    page = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert "Side road entrance" in page
    image = client.get(f"/rounds/files/{comment.files[0].id}/thumb")
    assert image.status_code == 200
    image.close()
    empty = client.post(f"/rounds/{round_.id}/comments", data={"body": ""})
    assert empty.status_code == 400 and "Write your comment first." in empty.get_data(as_text=True)
    other = make_round(actor=staff, title="Other round")
    db.session.commit()
    refused = client.get(f"/rounds/{other.id}")
    assert refused.status_code == 403
    assert "You were not invited to this round." in refused.get_data(as_text=True)
    assert client.post(f"/rounds/{other.id}/comments", data={"body": "x"}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(ReviewComment)) == 1


def test_homeowner_rates_once_and_staff_see_the_report(client, db, login):
    me = login("member")
    factories.make_ownership(me, factories.make_unit("Jade Lake"))
    round_ = make_round("evaluation", "Jade Lake", title="Jade Lake evaluation")
    db.session.commit()
    page = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert 'id="evaluation-form"' in page and "Community" in page
    bad = client.post(f"/rounds/{round_.id}/evaluation", data={**GOOD, "design": "6"})
    assert bad.status_code == 400 and "Rate each aspect from 1 to 5." in bad.get_data(as_text=True)
    assert client.post(f"/rounds/{round_.id}/evaluation", data=GOOD).status_code == 302
    again = client.post(f"/rounds/{round_.id}/evaluation", data={**GOOD, "design": "1"})
    assert again.status_code == 400
    assert "You have already rated this development." in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Evaluation)) == 1
    staff = marketing()
    db.session.commit()
    log_in(client, staff)
    report = client.get(f"/admin/evaluations/{round_.id}").get_data(as_text=True)
    assert 'id="evaluation-chart"' in report and "Social impact" in report
    assert "<script>alert(1)</script>" not in report and "&lt;script&gt;" in report


def test_member_of_another_development_cannot_rate(client, db, login):
    login("member")
    round_ = make_round("evaluation", "Jade Lake")
    db.session.commit()
    response = client.post(f"/rounds/{round_.id}/evaluation", data=GOOD)
    assert response.status_code == 403
    assert "You were not invited to this evaluation." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Evaluation)) == 0


def test_staff_open_invite_adopt_comment_and_close(client, db, login):
    login("marketing")
    guest = partner()
    unit = factories.make_unit("Riverside")
    db.session.commit()
    bad = client.post("/admin/evaluations/new", data={"kind": "review", "development_id": str(
        unit.building.development_id), "stage": "", "title": "R"})
    assert bad.status_code == 400
    response = client.post("/admin/evaluations/new", data={
        "kind": "review", "development_id": str(unit.building.development_id), "stage": "pre_handover",
        "title": "Pre-handover walk", "brief": "Walk the flats with us."})
    assert response.status_code == 302
    round_ = db.session.scalar(select(FeedbackRound))
    assert client.post(f"/admin/evaluations/{round_.id}/invite",
                       data={"user_ids": [str(guest.id)], "group": "partner"}).status_code == 302
    comment = rounds.add_comment(round_, guest, "Balcony drains are blocked in tower 2.")
    db.session.commit()
    detail = client.get(f"/admin/evaluations/{round_.id}").get_data(as_text=True)
    assert "Balcony drains" in detail and guest.display_name in detail
    adopted = client.post(f"/admin/evaluations/comments/{comment.id}/adopt")
    assert adopted.status_code == 302 and "/admin/suggestions/" in adopted.headers["Location"]
    suggestion = db.session.scalar(select(Suggestion))
    assert (suggestion.stage, suggestion.status) == ("construction", "under_review")
    assert client.post(f"/admin/evaluations/{round_.id}/close").status_code == 302
    db.session.expire_all()
    assert not db.session.get(FeedbackRound, round_.id).is_open
