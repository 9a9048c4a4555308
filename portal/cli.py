"""Top-level commands: `flask seed-demo`, `flask translate …` and `flask jobs …`."""

from __future__ import annotations

import subprocess
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from portal.config import PROJECT_ROOT
from portal.core.hooks import hooks
from portal.core.jobs import queue
from portal.core.uow import unit_of_work
from portal.extensions import db

translate_cli = AppGroup("translate", help="Extract, update and compile the catalogs.")
BABEL_CFG = PROJECT_ROOT / "babel.cfg"
TRANSLATIONS = PROJECT_ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"
# Gettext keywords beyond Babel's defaults (gettext, pgettext…): lazy labels, msgids kept
# for later (N_), and their forms with a context (`_lp("complaint status", "Open")`).
EXTRACT_KEYWORDS = ["_l", "N_", "_lp:1c,2", "Np_:1c,2"]


def _pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True)


@translate_cli.command("update")
def translate_update() -> None:
    """Extract every msgid and merge it into the three catalogs."""
    keywords = [arg for keyword in EXTRACT_KEYWORDS for arg in ("-k", keyword)]
    _pybabel("extract", "-F", str(BABEL_CFG), *keywords, "--no-location",
             "--sort-output", "-o", str(POT), str(PROJECT_ROOT))
    for locale in current_app.config["LANGUAGES"]:
        if not (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").exists():
            _pybabel("init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", locale)
    _pybabel("update", "-i", str(POT), "-d", str(TRANSLATIONS),
             "--no-fuzzy-matching", "--ignore-obsolete")


@translate_cli.command("compile")
def translate_compile() -> None:
    """Compile the catalogs (.mo files are built, not committed)."""
    _pybabel("compile", "-d", str(TRANSLATIONS))


@click.command("seed-demo")
@click.option("--force", is_flag=True, help="Run even if the database already has users.")
@click.option("--if-empty", is_flag=True, help="Do nothing (successfully) if there are users.")
def seed_demo(force: bool, if_empty: bool) -> None:
    """Fill an empty database with demo accounts and sample data for every feature."""
    from portal.accounts.models import User

    if db.session.scalar(select(func.count()).select_from(User)) and not force:
        if if_empty:
            click.echo("The database already has users; demo data not created.")
            return
        raise click.ClickException("The database already has users; use --force to seed anyway.")
    for _order, seeder in sorted(hooks().demo_seeders, key=lambda item: item[0]):
        with unit_of_work():
            seeder()
    click.echo("Demo data created. Logins (password demo-pass-2026):")
    for role in ("member", "partner", "service", "marketing", "admin"):
        click.echo(f"  {role}@demo.club")


jobs_cli = AppGroup("jobs", help="The background job queue.")


@jobs_cli.command("worker")
@click.option("--workers", type=int, default=None, help="Threads running jobs (JOBS_WORKERS).")
@click.option("--periodic/--no-periodic", default=True,
              help="Also run the schedule (escalation sweep, points expiry). Exactly one "
                   "worker should; start the others with --no-periodic.")
def jobs_worker(workers: int | None, periodic: bool) -> None:
    """Run jobs (and the periodic schedule) until stopped; Ctrl-C / SIGTERM finish the job
    in hand first. Run one or more beside the web servers; with Redis, on any host."""
    huey = queue().huey
    count = workers or current_app.config["JOBS_WORKERS"]
    click.echo(f"job worker: {count} thread(s), {len(queue().tasks)} kinds of job, "
               f"schedule {'on' if periodic else 'off'}")
    huey.create_consumer(workers=count, worker_type="thread", periodic=periodic,
                         check_worker_health=True).run()


@jobs_cli.command("pending")
def jobs_pending() -> None:
    """How many jobs wait in the queue, and how many are scheduled for later."""
    huey = queue().huey
    click.echo(f"pending: {huey.pending_count()}  scheduled: {huey.scheduled_count()}")


def init_cli(app: Flask) -> None:
    app.cli.add_command(translate_cli)
    app.cli.add_command(seed_demo)
    app.cli.add_command(jobs_cli)
