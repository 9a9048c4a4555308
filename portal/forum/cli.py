"""`flask complaints escalate`, `flask forum reindex` and `flask forum verify`.

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
from portal.forum.tallies import rebuild_tallies, verify_tallies

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


@forum_cli.command("verify")
@click.option("--repair", is_flag=True, help="Rewrite the thread tallies from the threads.")
def verify_command(repair: bool) -> None:
    """Compare the thread tallies per category with a count of the threads; exit 1 on a
    difference (after rewriting them, with --repair)."""
    with unit_of_work():
        differences = verify_tallies()
        for d in differences:
            click.echo(f"category {d.key.category_id} private={d.key.is_private} "
                       f"hidden={d.key.is_hidden}: tally {d.stored}, threads {d.threads}")
        if differences and repair:
            rebuild_tallies()
    repaired = ", repaired" if differences and repair else ""
    click.echo(f"{len(differences)} thread tally difference(s){repaired}")
    if differences:
        raise SystemExit(1)
