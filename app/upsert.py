"""Portable INSERT ... ON CONFLICT for SQLite and PostgreSQL.

The statements are plain Core inserts on the model's table (the ORM's bulk-insert layer adds
nothing here), built once per dialect and arguments.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db

INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def dialect() -> str:
    """The session's database dialect ("postgresql" or "sqlite"), the key of `INSERTS`."""
    name = db.session.get_bind().dialect.name
    if name not in INSERTS:
        raise NotImplementedError(f"unsupported database dialect {name!r}")
    return name


def insert_ignore(model: type, conflict_columns: tuple[str, ...]) -> Any:
    """INSERT that silently skips rows clashing on `conflict_columns`."""
    return _insert_ignore(dialect(), model, conflict_columns)


def upsert(model: type, conflict_columns: tuple[str, ...], update_columns: tuple[str, ...]) -> Any:
    """INSERT that overwrites `update_columns` of the existing row on a clash."""
    return _upsert(dialect(), model, conflict_columns, update_columns)


@cache
def _insert_ignore(dialect: str, model: type, conflict_columns: tuple[str, ...]) -> Any:
    stmt = INSERTS[dialect](model.__table__)
    return stmt.on_conflict_do_nothing(index_elements=list(conflict_columns))


@cache
def _upsert(
    dialect: str, model: type, conflict_columns: tuple[str, ...], update_columns: tuple[str, ...]
) -> Any:
    stmt = INSERTS[dialect](model.__table__)
    return stmt.on_conflict_do_update(
        index_elements=list(conflict_columns),
        set_={col: getattr(stmt.excluded, col) for col in update_columns},
    )
