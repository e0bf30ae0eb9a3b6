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
    click.echo(f"{'skill':<24} {'self':>5} {'know':>5} {'scen':>5} {'levels':>7}")
    for skill_id in sorted(cat.skills):
        entries = cat.items_by_skill.get(skill_id, ())
        kinds = [e.kind for e in entries]
        levels = sorted({getattr(e.content, "difficulty", None) for e in entries} - {None})
        click.echo(
            f"{skill_id:<24} {kinds.count('self_rating'):>5} {kinds.count('knowledge'):>5} "
            f"{kinds.count('scenario'):>5} {','.join(map(str, levels)):>7}"
        )
    click.echo(
        f"ok: {len(cat.roles)} roles, {len(cat.skills)} skills, {len(cat.items)} items, "
        f"{len(cat.sources)} sources"
    )


@questions_cli.command("audit")
def audit() -> None:
    """Score knowledge-free answering strategies on the bank; exit 1 if any beats its limit."""
    from app.catalogue import catalogue
    from app.catalogue.schema import ChoiceItem
    from app.services.testwise import audit as run_audit
    from app.services.testwise import format_table

    items = [e.content for e in catalogue().items.values() if isinstance(e.content, ChoiceItem)]
    results = run_audit(items)
    for line in format_table(results):
        click.echo(line)
    failed = [r.name for r in results if not r.passed]
    if failed:
        click.echo(
            f"error: {len(failed)} strategies beat their limit: {', '.join(failed)}", err=True
        )
        raise SystemExit(1)
    click.echo("ok: no knowledge-free strategy beats its limit")


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
