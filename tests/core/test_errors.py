import pytest
from flask import abort

from tests.conftest import test_config

pytestmark = pytest.mark.own_app  # the tests add routes


@pytest.fixture
def app_config(tmp_path):
    return test_config(tmp_path, PROPAGATE_EXCEPTIONS=False)


@pytest.fixture
def failing_routes(app):
    @app.get("/test-crash")
    def crash():
        raise RuntimeError("secret stack detail")

    @app.get("/test-abort/<int:code>")
    def aborting(code):
        abort(code)


@pytest.mark.usefixtures("failing_routes")
def test_500_is_generic_translated_and_has_a_reference(client):
    response = client.get("/test-crash", headers={"Accept-Language": "zh-TW"})
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret stack detail" not in page and "Traceback" not in page
    assert "出現問題" in page and "參考編號" in page


@pytest.mark.usefixtures("failing_routes")
@pytest.mark.parametrize(("code", "text"), [
    (400, "Bad request"), (403, "Not allowed"), (404, "Page not found"),
    (413, "Too large"), (429, "Too many attempts"), (503, "Unavailable"),
])
def test_error_pages_in_english(client, code, text):
    response = client.get(f"/test-abort/{code}?lang=en")
    assert response.status_code == code
    assert text in response.get_data(as_text=True)


def test_unknown_page_is_404_with_security_headers(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
