"""Top-level commands: `flask seed-demo` and `flask translate …`."""

from __future__ import annotations

import subprocess
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from portal.config import PROJECT_ROOT
from portal.core.hooks import hooks
from portal.extensions import db

translate_cli = AppGroup("translate", help="Extract, update and compile the catalogs.")
BABEL_CFG = PROJECT_ROOT / "babel.cfg"
TRANSLATIONS = PROJECT_ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"


def _pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True)


@translate_cli.command("update")
def translate_update() -> None:
    """Extract every msgid and merge it into the three catalogs."""
    _pybabel("extract", "-F", str(BABEL_CFG), "-k", "_l", "-k", "N_", "--no-location",
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
        seeder()
        db.session.commit()
    click.echo("Demo data created. Logins (password demo-pass-2026):")
    for role in ("member", "partner", "service", "marketing", "admin"):
        click.echo(f"  {role}@demo.club")


def init_cli(app: Flask) -> None:
    app.cli.add_command(translate_cli)
    app.cli.add_command(seed_demo)
