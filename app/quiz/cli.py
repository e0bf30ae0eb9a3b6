"""`flask scores rebuild`: score answers saved before credits existed and recompute estimates."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask.cli import AppGroup

from app.catalogue import catalogue
from app.services import skill_estimates

scores_cli = AppGroup("scores", help="Maintain the stored skill estimates.")


@scores_cli.command("rebuild")
def rebuild() -> None:
    """Run once after upgrading to schema 0006 (idempotent; `make run` does it)."""
    scored, users = skill_estimates.rebuild(catalogue(), datetime.now(UTC))
    click.echo(f"rebuilt: {scored} answers scored, estimates recomputed for {users} users")
