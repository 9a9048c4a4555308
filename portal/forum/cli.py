"""`flask complaints escalate` and `flask forum reindex`.

The escalation sweep also runs every 15 minutes as a periodic job
(`complaints.escalation.escalation_sweep`); the command is for a run by hand.
"""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup

from portal.core.uow import unit_of_work
from portal.forum.complaints import sweep
from portal.forum.search import reindex_all

complaints_cli = AppGroup("complaints", help="Complaint jobs.")
forum_cli = AppGroup("forum", help="Forum maintenance.")


@complaints_cli.command("escalate")
@click.option("--now", "now_text", default=None, metavar="YYYY-MM-DDTHH:MM",
              help="Pretend it is this UTC time (for testing the sweep).")
def escalate_command(now_text: str | None) -> None:
    """Escalate every overdue complaint not escalated yet. Safe to run any number of times."""
    now = datetime.fromisoformat(now_text) if now_text else None
    result = sweep(now)  # one unit of work per batch
    click.echo(f"Escalated {result.escalated} complaint(s); {result.emails} e-mail(s) queued.")


@forum_cli.command("reindex")
def reindex_command() -> None:
    """Rebuild the search index from the posts."""
    with unit_of_work():
        count = reindex_all()
    click.echo(f"Indexed {count} post(s).")
