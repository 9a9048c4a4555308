"""Pieces every forum service uses: the domain error and e-mails sent after the commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from portal.notifications.services import notify, send_email


class ForumError(ValueError):
    """A forum rule was broken; `str()` is the translated message, safe to show."""

    def __init__(self, message) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class PendingMail:
    recipient: Any
    subject: str  # msgid
    body: str  # msgid
    params: dict


@dataclass
class Outbox:
    """Notifications are added in the transaction; their e-mails wait for the commit."""

    mails: list[PendingMail] = field(default_factory=list)

    def notify(self, user, kind: str, message: str, params: dict, link: str,
               subject: str | None = None, email_body: str | None = None) -> None:
        """In-app notification now; an e-mail queued when `subject` is given.

        The e-mail body (`email_body`, else `message`) also gets `%(url)s`, the absolute
        address of `link`.
        """
        notify(user, kind, message, params, link=link)
        if subject is not None:
            base = current_app.config.get("SERVER_NAME_FOR_LINKS", "").rstrip("/")
            self.mails.append(PendingMail(user, subject, email_body or message,
                                          {**params, "url": base + link}))

    def send(self) -> int:
        """Send the queued e-mails; call only after `db.session.commit()`."""
        for mail in self.mails:
            send_email(mail.recipient, mail.subject, mail.body, mail.params)
        sent, self.mails = len(self.mails), []
        return sent
