"""PDF attachments on review-round comments (downloaded only, access-checked) and the
per-account limit on feedback forms."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from portal.core.documents import clean_download_name
from portal.feedback import rounds
from portal.feedback.errors import FeedbackError
from portal.feedback.models import ReviewFile
from tests.conftest import test_config
from tests.feedback.helpers import make_round, make_survey, marketing, partner, rating
from tests.forum.helpers import file_storage

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _invited_round(guest):
    staff = marketing()
    round_ = make_round(actor=staff)
    rounds.invite(round_, [guest.id], "partner", actor=staff)
    return round_


def test_pdf_and_photo_attachments_are_stored_and_a_bad_file_stores_nothing(app, db, english):
    guest = partner()
    round_ = _invited_round(guest)
    comment = rounds.add_comment(round_, guest, "Drawings attached",
                                 [file_storage(PDF, "../../Tower 2 <plan>.pdf"), file_storage()])
    kinds = sorted((f.kind, f.download_name) for f in comment.files)
    assert kinds == [("image", ""), ("pdf", "Tower 2 _plan.pdf")]
    folder = rounds.file_folder()
    assert len(list(folder.iterdir())) == 3  # pdf + photo + thumbnail
    for bad, message in ((b"%PDF-1.4 truncated", "not a complete PDF"),
                         (b"<html><script>alert(1)</script>", "PDF files")):
        with pytest.raises(FeedbackError, match=message):
            rounds.add_comment(round_, guest, "More", [file_storage(), file_storage(bad, "x.pdf")])
    assert len(list(folder.iterdir())) == 3
    assert db.session.scalar(select(func.count()).select_from(ReviewFile)) == 2


def test_pdf_is_served_as_a_sandboxed_download_to_its_author_and_staff_only(app, db, client, login):
    guest = login("partner")
    round_ = _invited_round(guest)
    comment = rounds.add_comment(round_, guest, "Plan", [file_storage(PDF, "plan.pdf")])
    db.session.commit()
    file_id = comment.files[0].id
    response = client.get(f"/rounds/files/{file_id}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff" and "sandbox" in response.headers[
        "Content-Security-Policy"]
    assert response.get_data() == PDF
    response.close()
    assert client.get(f"/rounds/files/{file_id}/thumb").status_code == 404
    login("partner")
    assert client.get(f"/rounds/files/{file_id}").status_code == 404


@pytest.mark.parametrize(("raw", "clean"), [("a.pdf", "a.pdf"), ("", "document.pdf"), ("CON", "CON.pdf"),
                                            ("x\x00y.pdf", "x_y.pdf"), ("..", "document.pdf")])
def test_download_names_are_cleaned(raw, clean):
    assert clean_download_name(raw) == clean


class TestPostingLimit:
    @pytest.fixture
    def app_config(self, tmp_path):
        return test_config(tmp_path, RATELIMIT_ENABLED=True, FEEDBACK_POST_LIMIT="3 per minute")

    def test_feedback_forms_share_one_budget_per_account(self, client, db, login):
        login("member")
        survey = make_survey(rating())
        db.session.commit()
        statuses = [client.post("/suggestions/new", data={"body": ""}).status_code for _ in range(2)]
        statuses.append(client.post(f"/surveys/{survey.id}", data={}).status_code)
        statuses.append(client.post(f"/surveys/{survey.id}", data={}).status_code)
        assert statuses == [400, 400, 400, 429]
        assert client.get(f"/surveys/{survey.id}").status_code == 200  # reading is not limited


def test_pdf_bytes_from_a_stream(app):
    from portal.core.documents import is_pdf

    stream = io.BytesIO(PDF)
    assert is_pdf(stream) and stream.tell() == 0
