"""`flask users grant-admin EMAIL` and `flask users revoke-admin EMAIL`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.services import accounts

users_cli = AppGroup("users", help="Manage accounts.")


def _set(email: str, is_admin: bool) -> None:
    user = accounts.set_admin(email, is_admin)
    if user is None:
        raise click.ClickException(f"no account with the email address {email}")
    click.echo(f"{user.email} is {'now' if is_admin else 'no longer'} an admin")


@users_cli.command("grant-admin")
@click.argument("email")
def grant_admin(email: str) -> None:
    """Let this account see the admin pages."""
    _set(email, True)


@users_cli.command("revoke-admin")
@click.argument("email")
def revoke_admin(email: str) -> None:
    """Take the admin pages away from this account."""
    _set(email, False)
