def test_home_renders_for_anonymous(client):
    response = client.get("/?lang=en")
    assert response.status_code == 200
    assert b"Welcome to the Homeowner Club" in response.data


def test_healthz(client):
    assert client.get("/healthz").json == {"status": "ok"}
