"""`flask questions validate`, `audit`, `export` and `load`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.catalogue.loader import CatalogueError, load_catalogue
from app.catalogue.schema import ChoiceItem

questions_cli = AppGroup(
    "questions", help="Validate, audit, export and load the question catalogue."
)


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
@click.option(
    "--skill", default=None, help="Also list, per item of this skill, what finds its key."
)
@click.option(
    "--top", type=int, default=None, help="Show only the strongest N strategies per kind."
)
@click.option("--cues", is_flag=True, help="Print the words that most mark keys and distractors.")
def audit(skill: str | None, top: int | None, cues: bool) -> None:
    """Score knowledge-free strategies per kind of item; exit 1 if any beats its limit."""
    from app.catalogue import catalogue
    from app.catalogue.audit import format_table, run, skill_lines
    from app.catalogue.testwise import Entry
    from app.catalogue.wording import cues as find_cues

    cat = catalogue()
    if skill is not None and skill not in cat.skills:
        raise click.BadParameter(f"unknown skill {skill!r}", param_hint="--skill")
    entries = [
        Entry(e.skill_id, e.content)
        for e in cat.items.values()
        if isinstance(e.content, ChoiceItem)
    ]
    report = run(entries)
    for line in format_table(report, top):
        click.echo(line)
    if cues:
        for kind in ("knowledge", "scenario"):
            marking_keys, marking_distractors = find_cues(
                [e for e in entries if e.item.kind == kind and e.item.select == "single"]
            )
            for label, found in (("keys", marking_keys), ("distractors", marking_distractors)):
                words = ", ".join(f"{c.word} {c.in_keys}/{c.in_distractors}" for c in found)
                click.echo(f"{kind}: words marking {label} (in keys/in distractors): {words}")
    if skill is not None:
        for line in skill_lines(report, skill):
            click.echo(line)
    failed = report.failures()
    if failed:
        click.echo(f"error: {len(failed)} checks failed: {'; '.join(failed)}", err=True)
        raise SystemExit(1)
    click.echo("ok: no knowledge-free strategy beats its limit")


EXPORT_FORMATS = ("gift", "moodle-xml")


@questions_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True)
@click.option("--skill", default=None, help="Only this skill's items.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Write to this file instead of standard output.",
)
def export(fmt: str, skill: str | None, output: Path | None) -> None:
    """Write the knowledge and scenario items, with their feedback, as GIFT or Moodle XML."""
    from app.catalogue import catalogue
    from app.catalogue.moodle import to_gift, to_moodle_xml

    cat = catalogue()
    if skill is not None and skill not in cat.skills:
        raise click.BadParameter(f"unknown skill {skill!r}", param_hint="--skill")
    items = [
        (skill_id, e.content)
        for skill_id in cat.skills
        if skill in (None, skill_id)
        for e in cat.items_by_skill.get(skill_id, ())
        if isinstance(e.content, ChoiceItem)
    ]
    text = (to_gift if fmt == "gift" else to_moodle_xml)(items, cat.skills)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {len(items)} items to {output}", err=True)


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
