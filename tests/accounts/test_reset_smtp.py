"""Password reset end to end through a real SMTP server on loopback; the e-mail is sent by
the job worker after the commit, never by the request."""

from __future__ import annotations

import re

import pytest

from portal.accounts.models import User
from portal.core.jobs import queue
from tests import factories
from tests.conftest import test_config as make_config
from tests.support.smtp import body_text, smtp_config, smtp_server  # noqa: F401 (fixture)

LINK = re.compile(r"http://portal\.test/auth/reset/\S+")


@pytest.fixture
def app_config(tmp_path, smtp_server, request):  # noqa: F811
    return make_config(tmp_path, **smtp_config(smtp_server), **getattr(request, "param", {}))


# As in production: jobs wait in the queue until a worker runs them.
QUEUED = pytest.mark.parametrize("app_config", [{"JOBS_URL": "memory://", "JOBS_IMMEDIATE": False}],
                                 indirect=True)


def _ask_for_link(client, smtp_server, email, **kwargs) -> str:  # noqa: F811
    before = len(smtp_server.inbox.messages)
    response = client.post("/auth/reset", data={"email": email}, **kwargs)
    assert response.status_code == 200
    messages = smtp_server.inbox.wait_for(before + 1)
    assert len(messages) == before + 1
    return LINK.search(body_text(messages[-1])).group(0)


def test_reset_mail_link_sets_a_new_password(client, db, smtp_server):  # noqa: F811
    user = factories.make_member(email="amy@example.com", locale="en")
    db.session.commit()

    link = _ask_for_link(client, smtp_server, "  AMY@example.com ")
    message = smtp_server.inbox.messages[-1]
    assert smtp_server.inbox.recipients[-1] == ["amy@example.com"]
    assert message["Subject"] == "Reset your Homeowner Club password"
    assert "Hello " + user.display_name in body_text(message)

    path = link.removeprefix("http://portal.test")
    form_page = client.get(path)
    assert form_page.status_code == 200
    assert b'id="reset-password-form"' in form_page.data

    done = client.post(path, data={"password": "a brand new secret", "confirm": "a brand new secret"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/auth/login")

    old = client.post("/auth/login", data={"email": "amy@example.com", "password": factories.PASSWORD})
    assert old.status_code == 400
    new = client.post("/auth/login", data={"email": "amy@example.com", "password": "a brand new secret"})
    assert new.status_code == 302
    assert client.get("/account/").status_code == 200

    # The link is single-use: the password it was bound to has changed.
    hash_after_reset = db.session.get(User, user.id).password_hash
    client.post("/auth/logout")
    again = client.get(path)
    assert again.status_code == 400
    assert b'id="reset-invalid"' in again.data
    reuse = client.post(path, data={"password": "yet another secret", "confirm": "yet another secret"})
    assert reuse.status_code == 400
    assert db.session.get(User, user.id).password_hash == hash_after_reset
    assert client.post("/auth/login", data={
        "email": "amy@example.com", "password": "yet another secret"}).status_code == 400


def test_mail_is_in_the_recipients_language(client, db, smtp_server):  # noqa: F811
    factories.make_member(email="chan@example.com", locale="zh_Hant")
    db.session.commit()
    _ask_for_link(client, smtp_server, "chan@example.com", headers={"Accept-Language": "en"})
    message = smtp_server.inbox.messages[-1]
    assert message["Subject"] == "重設業主會密碼"
    assert "/auth/reset/" in body_text(message)


def test_host_header_does_not_change_the_link(client, db, smtp_server):  # noqa: F811
    factories.make_member(email="host@example.com")
    db.session.commit()
    link = _ask_for_link(client, smtp_server, "host@example.com",
                         headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"})
    assert link.startswith("http://portal.test/auth/reset/")
    assert "evil" not in body_text(smtp_server.inbox.messages[-1])


def test_unknown_email_sends_nothing(client, db, smtp_server):  # noqa: F811
    response = client.post("/auth/reset", data={"email": "nobody@example.com"})
    assert response.status_code == 200
    assert smtp_server.inbox.wait_for(1, timeout=0.3) == []


@QUEUED
def test_the_reset_mail_is_sent_by_the_worker_not_the_request(app, client, db, smtp_server):  # noqa: F811
    factories.make_member(email="worker@example.com", locale="en")
    db.session.commit()
    huey = queue(app).huey
    huey.flush()

    response = client.post("/auth/reset", data={"email": "worker@example.com"})
    assert response.status_code == 200
    assert b'id="reset-sent"' in response.data
    assert smtp_server.inbox.wait_for(1, timeout=0.3) == []  # the request sent nothing
    assert huey.pending_count() == 1  # it left one job

    huey.execute(huey.dequeue())  # what `flask jobs worker` does
    assert huey.pending_count() == 0
    messages = smtp_server.inbox.wait_for(1)
    assert len(messages) == 1 and smtp_server.inbox.recipients[0] == ["worker@example.com"]
    link = LINK.search(body_text(messages[0])).group(0)
    assert client.get(link.removeprefix("http://portal.test")).status_code == 200


@QUEUED
def test_an_smtp_outage_does_not_fail_the_request_the_job_is_retried(app, client, db,
                                                                     smtp_server):  # noqa: F811
    """The request answers at once whatever SMTP does; the job fails, is retried later and
    delivers the link once the mail server is back."""
    factories.make_member(email="outage@example.com", locale="en")
    db.session.commit()
    huey = queue(app).huey
    huey.flush()
    mail_state = app.extensions["mail"]
    mail_state.port = _closed_port()  # the mail server is down

    response = client.post("/auth/reset", data={"email": "outage@example.com"})
    assert response.status_code == 200
    assert b'id="reset-sent"' in response.data

    with app.app_context():  # the worker: the job fails (logged by huey) and is rescheduled
        huey.execute(huey.dequeue())
    assert smtp_server.inbox.messages == []
    assert huey.pending_count() == 0
    [retry] = huey.scheduled()
    assert retry.retries == 2  # three tries in all (deliver_email: retries=3), one used

    mail_state.port = smtp_server.port  # the mail server is back
    [due] = huey.read_schedule(retry.eta)  # what the worker's scheduler does when it is time
    huey.execute(due, timestamp=retry.eta)
    assert huey.scheduled_count() == 0
    messages = smtp_server.inbox.wait_for(1)
    assert len(messages) == 1
    assert LINK.search(body_text(messages[0]))


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed
