"""Small helpers shared by the accounts tests."""

from __future__ import annotations

import re

from flask import current_app

from portal.accounts.services import ResetTokens


def without_csrf(body: str) -> str:
    """A page with its (time-stamped) CSRF tokens blanked, for comparing two answers."""
    return re.sub(r'(name="[\w-]*csrf_token"[^>]*value=")[^"]*"', r'\1"',
                  re.sub(r'(value=")[^"]*("[^>]*name="[\w-]*csrf_token")', r'\1\2', body))


def reset_path(user, max_age: int = 3600) -> str:
    token = ResetTokens(current_app.config["SECRET_KEY"], max_age).make(user)
    return f"/auth/reset/{token}"


def login_form(client, email: str, password: str, **kwargs):
    return client.post("/auth/login", data={"email": email, "password": password}, **kwargs)


# Without a mail server (tests) the mails are written to this log, which caplog reads.
MAIL_LOG = "portal.notifications.services"
_CONFIRM_LINK = re.compile(r"http://portal\.test(/auth/register/confirm/[\w-]+)")


def mails_to(caplog, address: str) -> list[str]:
    """The e-mails sent to `address` so far (subject and body), oldest first."""
    return [record.getMessage() for record in caplog.records if record.name == MAIL_LOG
            and record.getMessage().startswith(f"e-mail to {address}:")]


def confirm_paths(caplog, address: str) -> list[str]:
    """The paths of the sign-up links mailed to `address`, oldest first."""
    return [match.group(1) for mail in mails_to(caplog, address)
            if (match := _CONFIRM_LINK.search(mail))]


def confirm_path(caplog, address: str) -> str:
    """The path of the sign-up link last mailed to `address`."""
    links = confirm_paths(caplog, address)
    assert links, f"no sign-up link was mailed to {address}"
    return links[-1]


def sign_up(client, caplog, data: dict, query: str = ""):
    """Fill in the register form, then press the button on the mailed link's page: the
    answer of that POST (a redirect home, or the page again with the refusal)."""
    caplog.set_level("INFO", logger=MAIL_LOG)
    sent = client.post("/auth/register" + query, data=data)
    assert (sent.status_code, sent.location) == (302, "/auth/register/sent"), sent.status_code
    return client.post(confirm_path(caplog, data["email"].strip().lower()) + query)
