"""Points: the ledger, balances, tiers, expiry and gifts."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.points import models  # noqa: F401  (tables for create_all and migrations)
    from portal.points.cli import points_cli

    app.cli.add_command(points_cli)
