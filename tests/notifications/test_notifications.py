import pytest
from flask_babel import force_locale

from portal.notifications.models import Notification
from portal.notifications.services import notify, render_message, send_email, unread_count
from tests.factories import make_member


def test_unread_count_shows_in_header_and_list_translates(client, login, db):
    member = login("member", locale="zh_Hant")
    notify(member, "homes", "Your home %(unit)s is verified.", {"unit": "1棟 801"}, link="/account/")
    page = client.get("/notifications/").get_data(as_text=True)
    assert "您的房產1棟 801已通過認證。" in page
    assert 'id="unread-count">1<' in page


def test_opening_marks_read_and_follows_a_safe_link(client, login, db):
    member = login("member")
    note = notify(member, "homes", "Your home %(unit)s is verified.", {"unit": "A"},
                  link="https://evil.example/")
    response = client.post(f"/notifications/{note.id}/open")
    assert response.headers["Location"] == "/notifications/"
    assert db.session.get(Notification, note.id).read_at is not None
    assert unread_count(member.id) == 0


def test_mark_all_read_touches_only_my_notifications(client, login, db):
    member = login("member")
    other = make_member()
    notify(member, "x", "Welcome to the club!")
    notify(other, "x", "Welcome to the club!")
    client.post("/notifications/read")
    assert unread_count(member.id) == 0
    assert unread_count(other.id) == 1


def test_params_are_escaped(client, login, db):
    member = login("member")
    notify(member, "homes", "Your home %(unit)s is verified.", {"unit": "<script>x</script>"})
    page = client.get("/notifications/").get_data(as_text=True)
    assert "<script>x</script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page


def test_a_message_written_by_staff_is_shown_as_text(client, login, db):
    """A campaign's own message to its members is stored as the message itself, with no
    parameters (campaigns.execution): neither markup nor a format string."""
    member = login("member")
    notify(member, "campaign", "<img src=x onerror=alert(1)> 50% off, 100%(points)s!")
    response = client.get("/notifications/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt; 50% off, 100%(points)s!" in page


def test_render_message_and_logged_email(app, db, caplog):
    member = make_member(locale="zh_Hans")
    note = notify(member, "homes", "Your home %(unit)s is verified.", {"unit": "B"})
    with app.test_request_context(), force_locale("en"):
        assert render_message(note) == "Your home B is verified."
        caplog.set_level("INFO")
        send_email(member, "Welcome to the club!", "Your home %(unit)s is verified.", {"unit": "B"})
        assert "您的房产" not in caplog.text  # queued: nothing leaves before the commit
    db.session.commit()
    assert "您的房产B已通过认证。" in caplog.text


def test_someone_elses_notification_is_404_and_stays_unread(client, login, db):
    other = make_member()
    note = notify(other, "homes", "Your home %(unit)s is verified.", {"unit": "A"})
    login("member")
    assert client.post(f"/notifications/{note.id}/open").status_code == 404
    assert client.post("/notifications/99999999999999999999/open").status_code == 404
    assert db.session.get(Notification, note.id).read_at is None


@pytest.mark.parametrize("page", ["99999999999999999999", "-1", "0", "x", "4"])
def test_the_list_clamps_the_page(client, login, db, page):
    member = login("member", locale="en")
    notify(member, "x", "Welcome to the club!")
    response = client.get(f"/notifications/?page={page}")
    assert response.status_code == 200
    assert "Welcome to the club!" in response.get_data(as_text=True)
