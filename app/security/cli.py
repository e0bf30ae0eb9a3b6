"""`flask ratelimits prune`: remove expired rate-limit counters (run it daily from cron)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.extensions import db
from app.security.sql_storage import prune_expired

ratelimits_cli = AppGroup("ratelimits", help="Maintain the shared rate-limit counters.")


@ratelimits_cli.command("prune")
def prune() -> None:
    """Delete counters whose window has ended."""
    click.echo(f"pruned: {prune_expired(db.engine)} expired counters")
