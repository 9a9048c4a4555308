"""`flask users …`: the first admin, before anyone can assign roles in the UI."""

import getpass

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from portal.accounts import services
from portal.accounts.passwords import MIN_LENGTH, hash_password, is_common
from portal.accounts.permissions import Role
from portal.core.uow import unit_of_work

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--name", default="Administrator", help="Display name.")
@click.option("--password", envvar="ADMIN_PASSWORD", help="Else asked on the terminal.")
def create_admin(email: str, name: str, password: str | None) -> None:
    """Create an admin account, or make an existing account admin."""
    with unit_of_work():
        user = services.find_user_by_email(email)
        if user is not None:
            user.role = Role.ADMIN.value
            services.end_sessions(user)
    if user is not None:
        click.echo(f"{user.email} is now an admin.")
        return
    password = password or getpass.getpass("Password: ")
    if len(password) < MIN_LENGTH or is_common(password):
        raise click.ClickException(f"Use at least {MIN_LENGTH} characters, not a common password.")
    try:
        with unit_of_work():
            user = services.register_user(email=email, password_hash=hash_password(password),
                                          display_name=name, role=Role.ADMIN)
    except services.AccountError as error:
        with force_locale("en"):  # the command's other output is English too
            message = str(error)
        raise click.ClickException(message) from error
    click.echo(f"Created admin {user.email}.")
