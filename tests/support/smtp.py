"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives.

Use the `smtp_server` fixture and configure the app with `smtp_config(smtp_server)`.
"""

from __future__ import annotations

import email
import time
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

from tests.support.ports import free_port


class Inbox:
    """aiosmtpd handler: every message received, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


class SmtpServer:
    def __init__(self, host: str, port: int, inbox: Inbox) -> None:
        self.host, self.port, self.inbox = host, port, inbox


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SmtpServer(controller.hostname, controller.port, inbox)
    finally:
        controller.stop()


def smtp_config(server: SmtpServer) -> dict:
    return {"MAIL_SERVER": server.host, "MAIL_PORT": server.port, "MAIL_SUPPRESS_SEND": False,
            "MAIL_USE_TLS": False, "MAIL_USE_SSL": False}


def body_text(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()
