"""Creating, editing, deleting and listing a user's milestones.

Every query filters by the owner in the query itself, so another user's id is simply not found.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Date,
    String,
    bindparam,
    cast,
    delete,
    literal,
    null,
    select,
    union_all,
)

from app.extensions import db
from app.models import Activity, Certification, Education, Position


class MilestoneNotFoundError(Exception):
    """No milestone of that kind and id belongs to this user."""


@dataclass(frozen=True)
class Kind:
    slug: str
    model: type
    label: str
    plural: str
    order_by: str  # newest first by this date column
    fields: tuple[str, ...]


KINDS: Mapping[str, Kind] = {
    k.slug: k
    for k in (
        Kind(
            "education",
            Education,
            "education",
            "Education",
            "end_date",
            ("level", "field", "institution", "status", "start_date", "end_date"),
        ),
        Kind(
            "positions",
            Position,
            "position",
            "Positions",
            "start_date",
            (
                "title",
                "organisation",
                "start_date",
                "end_date",
                "in_production",
                "managed_people",
                "people_managed",
            ),
        ),
        Kind(
            "certifications",
            Certification,
            "certification",
            "Certifications",
            "earned_on",
            ("name", "issuer", "earned_on", "expires_on"),
        ),
        Kind(
            "activities",
            Activity,
            "activity",
            "Conferences, courses and mentoring",
            "occurred_on",
            ("kind", "title", "occurred_on", "notes"),
        ),
    )
}


def kind(slug: str) -> Kind:
    try:
        return KINDS[slug]
    except KeyError:
        raise MilestoneNotFoundError(slug) from None


def _values(k: Kind, data: Mapping[str, Any]) -> dict[str, Any]:
    return {name: data[name] for name in k.fields}


def get(user_id: int, k: Kind, milestone_id: int) -> Any:
    row = db.session.scalar(
        select(k.model).where(k.model.id == milestone_id, k.model.user_id == user_id)
    )
    if row is None:
        raise MilestoneNotFoundError(milestone_id)
    return row


def create(user_id: int, k: Kind, data: Mapping[str, Any]) -> Any:
    row = k.model(user_id=user_id, **_values(k, data))
    db.session.add(row)
    db.session.commit()
    return row


def update(user_id: int, k: Kind, milestone_id: int, data: Mapping[str, Any]) -> Any:
    row = get(user_id, k, milestone_id)
    for name, value in _values(k, data).items():
        setattr(row, name, value)
    db.session.commit()
    return row


def snapshot(row: Any, k: Kind) -> dict[str, Any]:
    """A milestone's values as JSON-safe data (dates as ISO strings), to undo a delete."""
    return {
        name: value.isoformat() if isinstance(value, date) else value
        for name in k.fields
        for value in [getattr(row, name)]
    }


def restore(user_id: int, k: Kind, values: Mapping[str, Any]) -> Any:
    """Add back a milestone from its `snapshot` (as a new row: its old id is gone)."""
    columns = k.model.__table__.columns
    data = {
        name: date.fromisoformat(value)
        if isinstance(value, str) and isinstance(columns[name].type, Date)
        else value
        for name, value in values.items()
        if name in k.fields
    }
    return create(user_id, k, data)


def remove(user_id: int, k: Kind, milestone_id: int) -> None:
    result = db.session.execute(
        delete(k.model).where(k.model.id == milestone_id, k.model.user_id == user_id)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise MilestoneNotFoundError(milestone_id)
    db.session.commit()


@cache
def _all_kinds_newest_first() -> CompoundSelect:
    """Every kind of milestone of a user in one statement: a UNION ALL over the four tables,
    each padded with typed NULLs to the union of their columns, tagged with its kind, newest
    first within each kind. One round trip instead of four on every report and dashboard."""
    tables = [k.model.__table__ for k in KINDS.values()]
    columns: dict[str, Any] = {}
    for table in tables:
        for column in table.c:
            columns.setdefault(column.name, column.type)
    parts = [
        select(
            literal(k.slug, String).label("milestone_kind"),
            table.c[k.order_by].label("sort_date"),
            *(
                table.c[name] if name in table.c else cast(null(), type_).label(name)
                for name, type_ in columns.items()
            ),
        ).where(table.c.user_id == bindparam("user_id"))
        for k, table in zip(KINDS.values(), tables, strict=True)
    ]
    # Ordered as a UNION, not as a SELECT from it, which would list every column once more:
    # psycopg caches the parsing of statements up to 4,096 characters, and that one was longer.
    union = union_all(*parts)
    columns = union.selected_columns
    return union.order_by(
        columns.milestone_kind, columns.sort_date.desc().nulls_first(), columns.id.desc()
    )


def list_all(user_id: int) -> dict[str, list[Any]]:
    """Every milestone of the user by kind, newest first, in one query. Read-only rows with
    attributes named as the model's columns (plus None for the other kinds' columns)."""
    grouped: dict[str, list[Any]] = {slug: [] for slug in KINDS}
    rows = db.session.connection().execute(_all_kinds_newest_first(), {"user_id": user_id})
    for row in rows.all():
        grouped[row.milestone_kind].append(row)
    return grouped
