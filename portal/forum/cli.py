"""`flask complaints escalate` (cron) and `flask forum reindex`."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup

from portal.extensions import db
from portal.forum.complaints import escalate_overdue
from portal.forum.search import reindex_all

complaints_cli = AppGroup("complaints", help="Complaint jobs.")
forum_cli = AppGroup("forum", help="Forum maintenance.")


@complaints_cli.command("escalate")
@click.option("--now", "now_text", default=None, metavar="YYYY-MM-DDTHH:MM",
              help="Pretend it is this UTC time (for testing the sweep).")
def escalate_command(now_text: str | None) -> None:
    """Escalate every overdue complaint not escalated yet. Safe to run any number of times."""
    now = datetime.fromisoformat(now_text) if now_text else None
    count, outbox = escalate_overdue(now)
    db.session.commit()
    sent = outbox.send()
    click.echo(f"Escalated {count} complaint(s); {sent} e-mail(s) sent.")


@forum_cli.command("reindex")
def reindex_command() -> None:
    """Rebuild the search index from the posts."""
    count = reindex_all()
    db.session.commit()
    click.echo(f"Indexed {count} post(s).")
