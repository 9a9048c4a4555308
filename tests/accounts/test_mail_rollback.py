"""A rolled-back request sends no e-mail: the decision on a home is e-mailed by the job
queue after the commit, so a refusal or a crash after the service queued it sends nothing.
A real SMTP server on loopback receives whatever does go out; jobs run right after the
commit (JOBS_IMMEDIATE), so an e-mail that escaped the rollback would be there at once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.accounts import services
from portal.accounts.models import Ownership
from portal.audit.models import AuditEntry
from portal.notifications.models import Notification
from tests import factories
from tests.conftest import test_config as make_config
from tests.support.smtp import body_text, smtp_config, smtp_server  # noqa: F401 (fixture)


@pytest.fixture
def app_config(tmp_path, smtp_server):  # noqa: F811
    return make_config(tmp_path, **smtp_config(smtp_server))


@pytest.fixture
def pending(db):
    ownership = factories.make_ownership(factories.make_member(email="owner@example.com"),
                                         verified=False)
    db.session.commit()
    return ownership


def _nothing_written(db, ownership) -> None:
    db.session.refresh(ownership)
    assert ownership.status == "pending"
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_an_approval_is_emailed_after_the_commit(client, db, login, pending, smtp_server):  # noqa: F811
    """The control: the same request, not refused, does send its e-mail."""
    login("service")
    assert client.post(f"/admin/homes/{pending.id}/approve").status_code == 302
    [message] = smtp_server.inbox.wait_for(1)
    assert smtp_server.inbox.recipients == [["owner@example.com"]]
    assert message["Subject"] == "Your home verification"
    assert f"Your home {pending.unit.label} is verified." in body_text(message)


def test_a_service_that_queued_an_email_then_refused_sends_nothing(client, db, login, pending,
                                                                   smtp_server,  # noqa: F811
                                                                   monkeypatch):
    real_send_email = services.send_email

    def queue_then_refuse(*args, **kwargs):
        real_send_email(*args, **kwargs)  # the e-mail is queued…
        raise services.AccountError("Refused after the e-mail was queued.")  # …then a rule says no

    monkeypatch.setattr(services, "send_email", queue_then_refuse)
    login("service")
    response = client.post(f"/admin/homes/{pending.id}/approve")
    assert response.status_code == 409
    assert "Refused after the e-mail was queued." in response.get_data(as_text=True)
    assert smtp_server.inbox.wait_for(1, timeout=0.5) == []
    _nothing_written(db, pending)


def test_a_request_that_fails_after_the_service_sends_nothing(client, db, login, pending,
                                                              smtp_server,  # noqa: F811
                                                              monkeypatch):
    def broken_flash(*_args, **_kwargs):
        raise RuntimeError("the page could not be built")

    monkeypatch.setattr("portal.accounts.admin.flash", broken_flash)
    login("service")
    with pytest.raises(RuntimeError):  # a 500 for the browser (TESTING propagates it)
        client.post(f"/admin/homes/{pending.id}/approve")
    assert smtp_server.inbox.wait_for(1, timeout=0.5) == []
    _nothing_written(db, pending)


def test_a_refused_link_sends_nothing(client, db, login, smtp_server):  # noqa: F811
    """Staff link a unit the member already owns: refused, nothing e-mailed or written."""
    member = factories.make_member()
    owned = factories.make_ownership(member)
    db.session.commit()
    login("service")
    response = client.post(f"/admin/members/{member.id}/units?lang=en", data={
        "development": str(owned.unit.building.development_id),
        "building": owned.unit.building.name, "unit_number": owned.unit.number})
    assert response.status_code == 400
    assert "This member already owns this unit." in response.get_data(as_text=True)
    assert smtp_server.inbox.wait_for(1, timeout=0.5) == []
    assert db.session.scalar(select(func.count()).select_from(Ownership)) == 1
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
