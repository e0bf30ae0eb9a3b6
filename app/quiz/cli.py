"""Commands over stored answers: `flask scores rebuild` and `flask questions stats`."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import click
from flask.cli import AppGroup

from app.catalogue import catalogue
from app.catalogue.cli import questions_cli
from app.services import item_stats, skill_estimates

scores_cli = AppGroup("scores", help="Maintain the stored skill estimates.")


@scores_cli.command("rebuild")
def rebuild() -> None:
    """Run once after upgrading to schema 0006 (idempotent; `make run` does it)."""
    scored, users = skill_estimates.rebuild(catalogue(), datetime.now(UTC))
    click.echo(f"rebuilt: {scored} answers scored, estimates recomputed for {users} users")


@questions_cli.command("stats")
@click.option("--skill", "skill_id", default=None, help="Only this skill's items.")
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write every item's statistics to this CSV file.",
)
@click.option(
    "--min-answers",
    type=click.IntRange(min=1),
    default=item_stats.MIN_ANSWERS,
    show_default=True,
    help="Flag an item only once it has this many answers.",
)
def stats(skill_id: str | None, csv_path: Path | None, min_answers: int) -> None:
    """Item facility, discrimination and option choices, and each scale's alpha."""
    cat = catalogue()
    if skill_id is not None and skill_id not in cat.skills:
        raise click.BadParameter(f"unknown skill {skill_id!r}", param_hint="--skill")
    items, scales = item_stats.item_statistics(cat, skill_id, min_answers)
    rows = [item_stats.table_row(s) for s in items]
    click.echo(" ".join(f"{h:<{w}}" for h, w in zip(item_stats.COLUMNS, WIDTHS, strict=True)))
    for row in rows:
        click.echo(" ".join(f"{v:<{w}}" for v, w in zip(row, WIDTHS, strict=True)).rstrip())
    click.echo("")
    for scale in scales:
        alpha = "n/a" if scale.alpha is None else f"{scale.alpha:.2f}"
        click.echo(
            f"alpha {scale.skill_id} {scale.scale}: {alpha} "
            f"({scale.attempts} attempts of {scale.items_per_attempt} items)"
        )
    flagged = sum(1 for s in items if s.flagged)
    click.echo(f"{len(items)} items, {flagged} flagged (at least {min_answers} answers)")
    if csv_path is not None:
        with csv_path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(item_stats.COLUMNS)
            writer.writerows(rows)
        click.echo(f"written: {csv_path}")


WIDTHS = (34, 24, 12, 7, 8, 14, 26, 0)
