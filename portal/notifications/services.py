"""Notify members in the app and by e-mail.

`notify` only adds a row (it flushes with the caller's transaction). `send_email`
queues the e-mail as a job that starts after the commit, so no request waits on SMTP
and a rolled-back request sends nothing; the worker renders it in the recipient's
language.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_mail import Message
from sqlalchemy import bindparam, func, insert, or_, select, update

from portal.accounts.models import User
from portal.core.errors import DomainError
from portal.core.jobs import enqueue, job
from portal.core.timeutil import utcnow
from portal.core.urls import absolute_url
from portal.extensions import db, mail
from portal.notifications.models import (
    DEFAULT_STAFF_EMAILS,
    Notification,
    NotificationSetting,
    StaffEmails,
)

log = logging.getLogger(__name__)


def notify(user: Any, kind: str, message: str, params: dict | None = None, link: str = "") -> Notification:
    """`message` is a msgid marked with N_(); it is translated when shown."""
    note = Notification(user_id=user.id, kind=kind, message=message, params=params or {}, link=link)
    db.session.add(note)
    db.session.flush()
    return note


def notify_many(kind: str, message: str, notices: list[tuple[int, dict]], link: str = "") -> None:
    """The same msgid to many members in one INSERT (bulk work: imports, campaigns);
    `notices` holds (user id, params) pairs."""
    if notices:
        now = utcnow()
        db.session.execute(insert(Notification), [
            {"user_id": user_id, "kind": kind, "message": message, "params": params, "link": link,
             "created_at": now} for user_id, params in notices])


def staff_emails_of(user_id: int) -> str:
    """The user's choice of which staff alerts also come by e-mail (`StaffEmails`)."""
    setting = db.session.get(NotificationSetting, user_id)
    return setting.staff_emails if setting is not None else DEFAULT_STAFF_EMAILS.value


def set_staff_emails(user: Any, choice: str) -> None:
    """Save the user's own choice of staff alerts by e-mail; refuses unknown choices."""
    if choice not in {c.value for c in StaffEmails}:
        raise DomainError(_l("Choose one of the options."), field="staff_emails")
    setting = db.session.get(NotificationSetting, user.id)
    if setting is None:
        db.session.add(NotificationSetting(user_id=user.id, staff_emails=choice, updated_at=utcnow()))
    else:
        setting.staff_emails, setting.updated_at = choice, utcnow()
    db.session.flush()


def alert_staff(user_ids: list[int], kind: str, message: str, params: dict, link: str, *,
                subject: str, urgent: bool = False) -> None:
    """Tell staff about something that needs them: one INSERT of in-app notifications
    now, and one job after the commit that e-mails those whose own setting asks for it
    (every alert, or only urgent ones). `message` and `subject` are msgids (N_); the
    e-mail body is `message` with `%(url)s`, the absolute address of `link`."""
    ids = sorted(set(user_ids))
    if not ids:
        return
    notify_many(kind, message, [(user_id, params) for user_id in ids], link=link)
    enqueue(email_staff_alert, ids, subject, message, {**params, "url": absolute_url(link)}, urgent)


def staff_alert_recipients(user_ids: list[int], urgent: bool) -> list[Any]:
    """Of these users, the active ones who want this alert by e-mail (one query)."""
    wanted = [StaffEmails.ALL.value, *([StaffEmails.URGENT.value] if urgent else [])]
    choice = NotificationSetting.staff_emails
    condition = choice.in_(wanted)
    if DEFAULT_STAFF_EMAILS.value in wanted:  # no row: the default choice
        condition = or_(condition, choice.is_(None))
    return list(db.session.scalars(
        select(User).outerjoin(NotificationSetting, NotificationSetting.user_id == User.id)
        .where(User.id.in_(user_ids), User.is_active_account, condition).order_by(User.id)))


@job
def email_staff_alert(user_ids: list[int], subject: str, body: str, params: dict,
                      urgent: bool) -> int:
    """Queue one e-mail per staff member who wants this alert by e-mail (each sent, and
    retried, on its own); the setting is read when the job runs. Returns how many."""
    recipients = staff_alert_recipients(user_ids, urgent)
    for user in recipients:
        send_email(user, subject, body, params)
    return len(recipients)


def render_message(note: Notification) -> str:
    """The notification in the reader's language, as plain text for the template to escape.

    Not Jinja's `_()`: that marks the message safe and %-formats it even without parameters,
    and a campaign's own message to its members is stored as the message itself
    (campaigns.execution), so its markup would reach the page and a "%" in it would fail.
    """
    return gettext(note.message, **note.params)


# The layout's bell asks on every page: built once (building it cost more than running it).
_UNREAD_COUNT = (select(func.count()).select_from(Notification)
                 .where(Notification.user_id == bindparam("user_id"), Notification.read_at.is_(None)))


def unread_count(user_id: int) -> int:
    return db.session.scalar(_UNREAD_COUNT, {"user_id": user_id}) or 0


def notifications_query(user_id: int):
    return (select(Notification).where(Notification.user_id == user_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()))


def mark_read(user_id: int, notification_id: int | None = None) -> int:
    """Mark one (or all) of this user's notifications read; returns rows changed."""
    stmt = update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    return db.session.execute(stmt.values(read_at=utcnow())).rowcount


def send_email(recipient: Any, subject: str, body: str, params: dict | None = None) -> None:
    """E-mail `recipient` once the current unit of work commits (by the job worker).

    `subject` and `body` are msgids, rendered in the recipient's locale with `params`.
    """
    enqueue(deliver_email, recipient.email, recipient.locale, subject, body, dict(params or {}))


@job(retries=3, retry_delay=300)
def deliver_email(address: str, locale: str, subject: str, body: str, params: dict) -> None:
    """Render and send one e-mail. Without MAIL_SERVER (development) it goes to the log."""
    with force_locale(locale):
        text = gettext(body, **params)
        url = params.get("url")
        if url and url not in text:  # a notice's message names no link: the link goes below it
            text = f"{text}\n\n{url}"
        msg = Message(subject=gettext(subject, **params), recipients=[address], body=text)
    if current_app.config.get("MAIL_SUPPRESS_SEND"):
        log.info("e-mail to %s: %s\n%s", address, msg.subject, msg.body)
        return
    mail.send(msg)  # an SMTP outage raises, and the queue retries later
