"""Creating, editing, deleting and listing a user's milestones.

Every query filters by the owner in the query itself, so another user's id is simply not found.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, delete, select

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


def remove(user_id: int, k: Kind, milestone_id: int) -> None:
    result = db.session.execute(
        delete(k.model).where(k.model.id == milestone_id, k.model.user_id == user_id)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise MilestoneNotFoundError(milestone_id)
    db.session.commit()


@cache
def _newest_first(k: Kind) -> Select:
    """The user's milestones of one kind, newest first (built once per process)."""
    table = k.model.__table__
    return (
        select(table)
        .where(table.c.user_id == bindparam("user_id"))
        .order_by(table.c[k.order_by].desc().nulls_first(), table.c.id.desc())
    )


def list_all(user_id: int) -> dict[str, list[Any]]:
    """Every milestone of the user by kind, newest first: one query per kind. Read-only rows
    (attributes named as the model's columns), which cost less to load than ORM objects."""
    params = {"user_id": user_id}
    return {slug: db.session.execute(_newest_first(k), params).all() for slug, k in KINDS.items()}
