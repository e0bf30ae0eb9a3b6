"""`flask questions validate` and `flask questions load`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.catalogue.loader import CatalogueError, load_catalogue

questions_cli = AppGroup("questions", help="Validate and load the question catalogue.")


@questions_cli.command("validate")
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path),
    default=None,
    help="Question directory (default: QUESTIONS_DIR).",
)
def validate(directory: Path | None) -> None:
    """Check every YAML file; exit 1 listing each problem."""
    directory = directory or current_app.config["QUESTIONS_DIR"]
    try:
        cat = load_catalogue(directory)
    except CatalogueError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        raise SystemExit(1) from None
    click.echo(
        f"ok: {len(cat.roles)} roles, {len(cat.skills)} skills, {len(cat.items)} items, "
        f"{len(cat.sources)} sources"
    )


@questions_cli.command("load")
def load() -> None:
    """Store the current version of every item in the database (idempotent)."""
    from app.catalogue import catalogue
    from app.catalogue.sync import ensure_versions
    from app.extensions import db

    cat = catalogue()
    before = _count_versions()
    ensure_versions(cat.items.values())
    db.session.commit()
    added = _count_versions() - before
    click.echo(f"loaded: {len(cat.items)} items, {added} new versions stored")


def _count_versions() -> int:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import ItemVersion

    return db.session.scalar(select(func.count()).select_from(ItemVersion)) or 0
