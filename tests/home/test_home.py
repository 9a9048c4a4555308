from sqlalchemy.exc import OperationalError

from portal.core.hooks import HomePanel, add_home_panel
from tests.factories import make_unit


def test_landing_lists_developments_now_selling(client, db):
    make_unit(development="Jade Lake", selling=True)
    make_unit(development="Old Town", selling=False)
    page = client.get("/?lang=en").get_data(as_text=True)
    assert "Jade Lake" in page and "Old Town" not in page


def test_member_home_shows_feature_panels(app, client, login, tmp_path):
    login("member")
    template = "home/_test_panel.html"
    app.jinja_loader.searchpath.append(str(tmp_path))
    (tmp_path / "home").mkdir()
    (tmp_path / template).write_text("<p id='panel'>{{ panel.greeting }}</p>")
    add_home_panel(app, HomePanel(template, lambda user: {"greeting": f"hi {user.id}"}))
    page = client.get("/").get_data(as_text=True)
    assert "<p id='panel'>hi " in page


def test_healthz_is_503_when_the_database_fails(app, client, monkeypatch):
    from portal.extensions import db

    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("down"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable"}


def test_favicon_is_served_at_the_root_and_named_in_every_page(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/vnd.microsoft.icon"
    assert response.get_data()[:4] == b"\x00\x00\x01\x00"  # an ICO header
    response.close()
    page = client.get("/?lang=en").get_data(as_text=True)
    assert 'rel="icon"' in page and "img/favicon.svg" in page
    assert "img/logo.svg" in page
