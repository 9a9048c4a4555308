"""Pieces every forum service uses: the domain error and telling a member about something."""

from __future__ import annotations

from portal.core.errors import DomainError
from portal.core.urls import absolute_url
from portal.notifications.services import notify, send_email


class ForumError(DomainError):
    """A forum rule was broken; `str()` is the translated message, safe to show."""


def tell(user, kind: str, message: str, params: dict, link: str, *,
         subject: str | None = None, email_body: str | None = None) -> bool:
    """An in-app notification now and, when `subject` is given, an e-mail that the job
    queue sends after the commit (a rolled-back request sends nothing).

    `message`, `subject` and `email_body` are msgids (N_), written once here and
    translated for the recipient when read. The e-mail body (`email_body`, else
    `message`) also gets `%(url)s`, the absolute address of `link`. Returns whether an
    e-mail was queued.
    """
    notify(user, kind, message, params, link=link)
    if subject is None:
        return False
    send_email(user, subject, email_body or message, {**params, "url": absolute_url(link)})
    return True
