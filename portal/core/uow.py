"""One unit of work per request, CLI command and job (ARCHITECTURE.md, "One way through a request").

The request path: `PortalFlask.dispatch_request` runs the view inside `run_request`,
which commits once when the view returns a non-error response and rolls back on
anything else. A `DomainError` that escapes a view rolls back and becomes a flash
and a redirect back; views that re-render a form use `form_errors(form)` (the
message goes on the form, nothing is written) and buttons use `flashed_errors()`.

Services never commit. What must happen only after a successful commit (e-mails,
deleting replaced files, enqueueing jobs) they queue with `after_commit`; the queue
lives on the session and is dropped by a rollback — including the rollback of a
savepoint the work was queued in — so a rolled-back request sends nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import current_app, flash, redirect, request, url_for
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from portal.core.errors import DomainError
from portal.core.security import safe_next
from portal.extensions import db

log = logging.getLogger(__name__)

_QUEUE = "after_commit"
_BEFORE = "before_commit"


def after_commit(callback: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run `callback(*args, **kwargs)` once the current transaction commits; never if it
    rolls back. Callbacks run outside the transaction and must not use its session."""
    session = db.session()
    transaction = (session.get_nested_transaction() or session.get_transaction()
                   or session.begin())
    session.info.setdefault(_QUEUE, []).append((transaction, callback, args, kwargs))


def before_commit(callback: Callable[..., Any], *args: Any, order: tuple = (), **kwargs: Any) -> None:
    """Run `callback(*args, **kwargs)` inside the current transaction just before it commits,
    after every other write of it, the queued calls sorted by `order`; dropped if the work
    that queued it rolls back, also to a savepoint. For rows many transactions update (the
    points totals per month): taking those locks last and in one order means two
    transactions cannot deadlock on them."""
    session = db.session()
    transaction = (session.get_nested_transaction() or session.get_transaction()
                   or session.begin())
    session.info.setdefault(_BEFORE, []).append((transaction, (order, callback, args, kwargs)))


@event.listens_for(Session, "before_commit")
def _run_before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint is being released: the work waits for the real commit
    while session.info.get(_BEFORE):
        pending = [item for _transaction, item in session.info.pop(_BEFORE)]
        for _order, callback, args, kwargs in sorted(pending, key=lambda item: item[0]):
            callback(*args, **kwargs)
    session.flush()


def _inside(transaction: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released: the work waits for the real commit
    pending = session.info.pop(_QUEUE, [])
    for _transaction, callback, args, kwargs in pending:
        try:
            callback(*args, **kwargs)
        except Exception:
            if current_app.testing:
                raise  # loud in tests
            # The data is committed; a failing follow-up (mail outage…) must not undo that.
            log.exception("after-commit work %r failed", callback)


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    for queue in (_QUEUE, _BEFORE):
        pending = session.info.get(queue)
        if pending:
            session.info[queue] = [item for item in pending
                                   if not _inside(item[0], previous_transaction)]


@event.listens_for(Session, "after_transaction_end")
def _forget_on_close(session: Session, transaction: SessionTransaction) -> None:
    # A root transaction that ended without committing (close, rollback) leaves nothing.
    if transaction.parent is None:
        session.info.pop(_QUEUE, None)
        session.info.pop(_BEFORE, None)


@contextmanager
def unit_of_work() -> Iterator[None]:
    """For CLI commands and jobs: commit once on success, roll back on any exception.

    Chunked bulk jobs open one unit of work per chunk, so a kill loses one chunk at most.
    """
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()


def run_request(view: Callable[[], Any]):
    """Run a view in the request's unit of work (called by `PortalFlask.dispatch_request`)."""
    try:
        response = current_app.make_response(view())
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "danger")
        return redirect(_back())
    except BaseException:
        db.session.rollback()
        raise
    if response.status_code >= 400:
        db.session.rollback()
    else:
        db.session.commit()
    return response


def _back() -> str:
    """Where a refused action returns: the page the form was on, when it is ours."""
    referrer = request.referrer or ""
    host = request.host_url.rstrip("/")
    path = referrer[len(host):] if referrer.startswith(host + "/") else None
    if request.method == "GET" and path is None:
        path = request.full_path.rstrip("?")
    return safe_next(path, url_for("home.index"))


class _Refused:
    """Context manager: a `DomainError` inside rolls back and is reported, not raised."""

    def __init__(self, report: Callable[[DomainError], None]) -> None:
        self.report = report
        self.error: DomainError | None = None

    def __enter__(self) -> _Refused:
        self._savepoint = db.session.begin_nested()
        return self

    def __exit__(self, kind, error, _traceback) -> bool:
        if error is None:
            if self._savepoint.is_active:
                self._savepoint.commit()
            return False
        if self._savepoint.is_active:
            self._savepoint.rollback()
        if isinstance(error, DomainError):
            self.error = error
            self.report(error)
            return True
        return False

    def __bool__(self) -> bool:
        return self.error is not None


def form_errors(form, field: str | None = None) -> _Refused:
    """`with form_errors(form): service(...); return redirect(...)` — a refused service
    call undoes its writes, puts its message on the form (above it, or on `field`, or on
    the field the error names) and the view falls through to re-render the form."""

    def report(error: DomainError) -> None:
        name = field or error.field
        target = getattr(form, name, None) if name else None
        if target is not None and hasattr(target, "errors"):
            target.errors = [*target.errors, str(error)]
        else:
            form.form_errors.append(str(error))

    return _Refused(report)


def flashed_errors() -> _Refused:
    """`with flashed_errors(): service(...); flash(done)` then the same redirect either
    way: a refused call undoes its writes and flashes its message."""
    return _Refused(lambda error: flash(str(error), "danger"))
