"""A `limits` storage backend on the application's own database (SQLite or PostgreSQL).

Flask-Limiter's built-in storages are in-process memory or an extra service (Redis, ...). This one
keeps fixed-window counters in the `rate_limits` table, so any number of stateless app processes
share the same limits with no new infrastructure. Each hit is a single atomic upsert.
"""

from __future__ import annotations

import time
from typing import Any

from limits.storage import Storage
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

_INCR = text(
    "INSERT INTO rate_limits (bucket, hits, expires_at) VALUES (:bucket, :amount, :expires) "
    "ON CONFLICT (bucket) DO UPDATE SET "
    "hits = CASE WHEN rate_limits.expires_at <= :now THEN :amount "
    "ELSE rate_limits.hits + :amount END, "
    "expires_at = CASE WHEN rate_limits.expires_at <= :now THEN :expires "
    "ELSE rate_limits.expires_at END "
    "RETURNING hits"
)


class SQLStorage(Storage):
    """Registered for URIs like ``sqlalchemy://``; needs ``engine=`` in the storage options."""

    STORAGE_SCHEME = ["sqlalchemy"]

    def __init__(self, uri: str | None = None, *, engine: Engine, **options: Any) -> None:
        self.engine = engine
        super().__init__(uri, wrap_exceptions=options.get("wrap_exceptions", False))

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self.engine.begin() as conn:
            return conn.execute(
                _INCR, {"bucket": key, "amount": amount, "expires": now + expiry, "now": now}
            ).scalar_one()

    def get(self, key: str) -> int:
        with self.engine.connect() as conn:
            hits = conn.execute(
                text("SELECT hits FROM rate_limits WHERE bucket = :b AND expires_at > :now"),
                {"b": key, "now": time.time()},
            ).scalar()
        return hits or 0

    def get_expiry(self, key: str) -> float:
        with self.engine.connect() as conn:
            expires = conn.execute(
                text("SELECT expires_at FROM rate_limits WHERE bucket = :b"), {"b": key}
            ).scalar()
        return expires or time.time()

    def check(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self.engine.begin() as conn:
            return conn.execute(text("DELETE FROM rate_limits")).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(text("DELETE FROM rate_limits WHERE bucket = :b"), {"b": key})


def prune_expired(engine: Engine, now: float | None = None) -> int:
    """Delete counters whose window has ended; returns how many rows went."""
    with engine.begin() as conn:
        return conn.execute(
            text("DELETE FROM rate_limits WHERE expires_at <= :now"),
            {"now": time.time() if now is None else now},
        ).rowcount
