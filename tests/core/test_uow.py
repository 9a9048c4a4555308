"""The unit of work: one commit per request, rollback on errors, after-commit work only
after a successful commit — in requests, CLI-style blocks, savepoints and jobs."""

from __future__ import annotations

import pytest
from flask import redirect, render_template_string
from sqlalchemy import func, select
from wtforms import StringField

from portal import create_app
from portal.core.errors import DomainError
from portal.core.forms import PortalForm
from portal.core.uow import after_commit, flashed_errors, form_errors, unit_of_work
from portal.extensions import db
from portal.notifications.models import Notification
from portal.notifications.services import notify, send_email
from tests import factories
from tests.conftest import RequestClient, test_config

ran: list[str] = []


class NameForm(PortalForm):
    name = StringField()


@pytest.fixture(scope="module")
def uow_app(tmp_path_factory):
    """An app of its own: these tests add routes, which a shared app no longer accepts."""
    app = create_app(test_config(tmp_path_factory.mktemp("uow"), PROPAGATE_EXCEPTIONS=False))
    app.test_client_class = RequestClient

    def write(text: str) -> None:
        member = factories.make_member()
        notify(member, "test", text)
        after_commit(ran.append, text)
        send_email(member, "Welcome to the club!", text)

    @app.post("/t/ok")
    def ok():
        write("ok")
        return redirect("/t/done")

    @app.post("/t/refused")
    def refused():
        write("refused")
        raise DomainError("Not today.")

    @app.post("/t/crash")
    def crash():
        write("crash")
        raise RuntimeError("boom")

    @app.post("/t/bad-form")
    def bad_form():
        write("bad-form")
        return "invalid", 400

    @app.post("/t/form")
    def form_view():
        form = NameForm(meta={"csrf": False})
        if form.validate_on_submit():
            with form_errors(form):
                write("form")
                raise DomainError("That name is taken.", field="name")
        return render_template_string("{{ form.name.errors|join }}", form=form), 400

    @app.post("/t/button")
    def button():
        with flashed_errors():
            write("button")
            raise DomainError("Sold out.")
        return redirect("/t/done")

    @app.get("/t/done")
    def done():
        return render_template_string("{% for m in get_flashed_messages() %}{{ m }}{% endfor %}")

    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def uclient(uow_app):
    ran.clear()
    with uow_app.app_context():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
    return uow_app.test_client()


def _notifications(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Notification))


def test_success_commits_once_then_runs_after_commit_work(uow_app, uclient, caplog):
    caplog.set_level("INFO")
    response = uclient.post("/t/ok")
    assert response.status_code == 302
    assert _notifications(uow_app) == 1
    assert ran == ["ok"]
    assert "e-mail to" in caplog.text


@pytest.mark.parametrize(("path", "status"), [("/t/refused", 302), ("/t/crash", 500),
                                              ("/t/bad-form", 400)])
def test_rolled_back_request_writes_nothing_and_sends_no_email(uow_app, uclient, caplog, path,
                                                               status):
    caplog.set_level("INFO")
    response = uclient.post(path)
    assert response.status_code == status
    assert _notifications(uow_app) == 0
    assert ran == []
    assert "e-mail to" not in caplog.text


def test_escaped_domain_error_is_flashed_after_the_redirect(uclient):
    response = uclient.post("/t/refused", headers={"Referer": "http://localhost/t/done"},
                            follow_redirects=True)
    assert response.request.path == "/t/done"
    assert "Not today." in response.get_data(as_text=True)


def test_foreign_referrer_is_not_followed(uclient):
    response = uclient.post("/t/refused", headers={"Referer": "https://evil.example/x"})
    assert response.headers["Location"] == "/"


def test_form_errors_put_the_message_on_the_field_and_undo_the_writes(uow_app, uclient):
    response = uclient.post("/t/form", data={"name": "Ann"})
    assert response.status_code == 400
    assert "That name is taken." in response.get_data(as_text=True)
    assert _notifications(uow_app) == 0 and ran == []


def test_flashed_errors_undo_the_writes_and_flash(uow_app, uclient):
    response = uclient.post("/t/button", follow_redirects=True)
    assert "Sold out." in response.get_data(as_text=True)
    assert _notifications(uow_app) == 0 and ran == []


def test_nul_byte_in_a_form_field_is_a_form_error(uow_app, uclient):
    response = uclient.post("/t/form", data={"name": "A\x00B"}, headers={"Accept-Language": "zh-TW"})
    assert response.status_code == 400
    assert "此欄位含有不允許的字元。" in response.get_data(as_text=True)
    assert ran == []


def test_work_queued_in_a_rolled_back_savepoint_is_dropped(uow_app, uclient):
    with uow_app.app_context():
        after_commit(ran.append, "outer")
        savepoint = db.session.begin_nested()
        after_commit(ran.append, "inner")
        savepoint.rollback()
        released = db.session.begin_nested()
        after_commit(ran.append, "kept")
        released.commit()
        assert ran == []  # releasing a savepoint is not the commit
        db.session.commit()
    assert ran == ["outer", "kept"]


def test_unit_of_work_commits_on_success_and_rolls_back_on_error(uow_app, uclient):
    with uow_app.app_context():
        with unit_of_work():
            notify(factories.make_member(), "test", "kept")
            after_commit(ran.append, "kept")
        with pytest.raises(RuntimeError), unit_of_work():
            notify(factories.make_member(), "test", "lost")
            after_commit(ran.append, "lost")
            raise RuntimeError("kill")
    assert _notifications(uow_app) == 1
    assert ran == ["kept"]


def test_after_commit_work_that_fails_in_production_is_logged_not_raised(uow_app, uclient, caplog):
    def explode():
        raise OSError("smtp down")

    uow_app.testing = False
    try:
        with uow_app.app_context():
            notify(factories.make_member(), "test", "kept")
            after_commit(explode)
            db.session.commit()
    finally:
        uow_app.testing = True
    assert _notifications(uow_app) == 1
    assert "after-commit work" in caplog.text

