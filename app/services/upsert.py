"""Portable INSERT ... ON CONFLICT for SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db


def _insert_for_dialect(model: type) -> Any:
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise NotImplementedError(f"unsupported database dialect {dialect!r}")


def insert_ignore(model: type, conflict_columns: list[str]) -> Any:
    """INSERT that silently skips rows clashing on `conflict_columns`."""
    return _insert_for_dialect(model).on_conflict_do_nothing(index_elements=conflict_columns)


def upsert(model: type, conflict_columns: list[str], update_columns: list[str]) -> Any:
    """INSERT that overwrites `update_columns` of the existing row on a clash."""
    stmt = _insert_for_dialect(model)
    return stmt.on_conflict_do_update(
        index_elements=conflict_columns,
        set_={col: getattr(stmt.excluded, col) for col in update_columns},
    )
