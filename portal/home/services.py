"""What the home page and the health check read."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal.core.hooks import hooks
from portal.extensions import db


def database_is_up() -> bool:
    """One round trip to the database; a failure leaves the rollback to the unit of work."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    return True


def home_panels(user) -> list[tuple[str, dict]]:
    """The panels features put on the member home page, in order, with their variables
    (a panel whose context is None is not for this user)."""
    shown = []
    for panel in sorted(hooks().home_panels, key=lambda panel: panel.order):
        context = panel.context(user)
        if context is not None:
            shown.append((panel.template, context))
    return shown
