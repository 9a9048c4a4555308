"""Suggestion pages: submit with photos, mine and the wall, the author's reason, photo access,
and the staff queue, fund and review steps."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.feedback import suggestions
from portal.feedback.models import Suggestion, SuggestionPhoto
from tests import factories
from tests.feedback.helpers import fund, make_suggestion, reviewer
from tests.forum.helpers import upload


def test_member_submits_with_photos_and_sees_it_in_mine(client, db, login):
    author = login("member")
    unit = factories.make_unit("Jade Lake")
    db.session.commit()
    response = client.post("/suggestions/new", data={
        "development_id": str(unit.building.development_id), "stage": "design", "title": "Bigger bike room",
        "body": "Please **double** it.", "photos": [upload(), upload()]}, content_type="multipart/form-data")
    assert response.status_code == 302
    suggestion = db.session.scalar(select(Suggestion))
    assert suggestion.author_id == author.id and len(suggestion.photos) == 2
    page = client.get(f"/suggestions/{suggestion.id}").get_data(as_text=True)
    assert "<strong>double</strong>" in page
    photo = client.get(f"/suggestions/photos/{suggestion.photos[0].id}")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    photo.close()
    assert "Bigger bike room" in client.get("/suggestions").get_data(as_text=True)


def test_bad_submissions_get_the_form_back_and_nothing_saved(client, db, login):
    login("partner")
    unit = factories.make_unit("Jade Lake")
    db.session.commit()
    base = {"development_id": str(unit.building.development_id), "stage": "design", "title": "T", "body": "B"}
    for changes, message in (({"body": ""}, "Write your suggestion first."),
                             ({"development_id": "99999999999999999999"}, "Not a valid choice"),
                             ({"stage": "x"}, "Not a valid choice"),
                             ({"photos": [upload(b"GIF89a....", "x.gif")]}, "not a JPEG, PNG or WebP")):
        response = client.post("/suggestions/new", data={**base, **changes},
                               content_type="multipart/form-data")
        assert response.status_code == 400, changes
        assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Suggestion)) == 0
    assert db.session.scalar(select(func.count()).select_from(SuggestionPhoto)) == 0


def test_others_get_404_until_adopted_then_the_wall_shows_it(client, db, login):
    from tests.forum.helpers import file_storage

    suggestion = make_suggestion(photos=[file_storage()])
    login("member")
    db.session.commit()
    assert client.get(f"/suggestions/{suggestion.id}").status_code == 404
    assert client.get(f"/suggestions/photos/{suggestion.photos[0].id}").status_code == 404
    fund(1000)
    staff = reviewer()
    suggestions.start_review(suggestion, actor=staff)
    suggestions.adopt(suggestion, 100, actor=staff)
    suggestions.implement(suggestion, "Lobbies widened in phase 3.", actor=staff)
    db.session.commit()
    wall = client.get("/suggestions").get_data(as_text=True)
    assert "Wider corridors" in wall and "Lobbies widened in phase 3." in wall
    page = client.get(f"/suggestions/{suggestion.id}").get_data(as_text=True)
    assert "Your reward" not in page  # only the author sees their points


def test_author_reads_why_it_was_not_adopted(client, db, login):
    author = login("member")
    suggestion = make_suggestion(author)
    staff = reviewer()
    suggestions.start_review(suggestion, actor=staff)
    suggestions.decline(suggestion, "Against the fire code.", actor=staff)
    db.session.commit()
    page = client.get(f"/suggestions/{suggestion.id}").get_data(as_text=True)
    assert "Against the fire code." in page and "Not adopted" in page


def test_staff_review_steps_fund_and_refusals(client, db, login):
    login("service")
    author = factories.make_member()
    suggestion = make_suggestion(author)
    db.session.commit()
    assert client.post("/admin/suggestions/fund", data={"year": "2026", "budget": "1e3"}).status_code == 400
    year = suggestions.utcnow().year
    set_fund = client.post("/admin/suggestions/fund", data={"year": str(year), "budget": "5000"})
    assert set_fund.status_code == 302
    listing = client.get("/admin/suggestions/").get_data(as_text=True)
    assert 'id="fund-balance">5,000<' in listing and "Wider corridors" in listing
    assert client.post(f"/admin/suggestions/{suggestion.id}/review").status_code == 302
    over = client.post(f"/admin/suggestions/{suggestion.id}/adopt", data={"points": "5001"})
    assert over.status_code == 400
    assert "above the fund&#39;s balance (5,000 points left" in over.get_data(as_text=True)
    for bad in ("-1", "1.5", "１０", "", "99999999999999999999"):
        refused = client.post(f"/admin/suggestions/{suggestion.id}/adopt", data={"points": bad})
        assert refused.status_code == 400
    db.session.expire_all()
    assert db.session.get(Suggestion, suggestion.id).status == "under_review"
    adopted = client.post(f"/admin/suggestions/{suggestion.id}/adopt", data={"points": "1200"})
    assert adopted.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(author), author.id).points_balance == 1200
    listing = client.get("/admin/suggestions/").get_data(as_text=True)
    assert 'id="fund-awarded">1,200<' in listing and 'id="fund-balance">3,800<' in listing
    empty = client.post(f"/admin/suggestions/{suggestion.id}/implement", data={"implementation": ""})
    assert empty.status_code == 400
    assert client.post(f"/admin/suggestions/{suggestion.id}/implement",
                       data={"implementation": "Done in phase 3"}).status_code == 302
    assert db.session.get(Suggestion, suggestion.id).status == "implemented"
