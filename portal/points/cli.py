"""`flask points verify` and `flask points expire`."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup

from portal.core.timeutil import utcnow

points_cli = AppGroup("points", help="Check the points ledger and expire old points.")


@points_cli.command("verify")
def verify() -> None:
    """Recompute every balance, lifetime figure and monthly total from the ledger; exit 1
    listing differences."""
    from portal.points.services import find_differences
    from portal.points.services.totals import verify_totals

    differences = find_differences()
    totals = verify_totals()
    for difference in differences:
        click.echo(difference.describe(), err=True)
    for total in totals:
        click.echo(f"{total.month} {total.kind}: totals {total.stored}, ledger {total.ledger}", err=True)
    if differences or totals:
        click.echo(f"{len(differences)} member(s) and {len(totals)} monthly total(s) differ from "
                   "the ledger.", err=True)
        raise SystemExit(1)
    click.echo("Every member's balance and lifetime points, and the monthly totals, match the ledger.")


@points_cli.command("rebuild-totals")
def rebuild_totals_command() -> None:
    """Rewrite the monthly totals from the ledger (after rows were written outside the
    points service, e.g. by bench/generate.py)."""
    from portal.core.uow import unit_of_work
    from portal.points.services.totals import rebuild_totals

    with unit_of_work():
        rows = rebuild_totals()
    click.echo(f"{rows} monthly totals written.")


@points_cli.command("expire")
@click.option("--now", "now_text", metavar="ISO-DATETIME",
              help="Expire as if it were this UTC time (default: now).")
@click.option("--chunk", default=200, show_default=True, type=click.IntRange(1, 10_000),
              help="Members per transaction.")
def expire(now_text: str | None, chunk: int) -> None:
    """Write `expire` rows for points past their date; safe to re-run (the nightly job does
    the same, see `portal.points.jobs`)."""
    from portal.points.services.expiry import count_members_with_due_lots, expire_due

    try:
        now = datetime.fromisoformat(now_text) if now_text else utcnow()
    except ValueError as exc:
        raise click.BadParameter("use an ISO date such as 2026-01-31T00:00", param_hint="--now") from exc
    now = now.replace(tzinfo=None)
    with click.progressbar(length=count_members_with_due_lots(now), label="Expiring points") as bar:
        run = expire_due(now, chunk=chunk, progress=bar.update)
    click.echo(f"Expired {run.points} points in {run.rows} ledger rows.")
