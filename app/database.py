"""How requests use the database connection, and what happens when the database is away.

Requests with a safe method (GET, HEAD, OPTIONS) only read, so they run in autocommit mode
(`RequestSession` in app/extensions.py picks the engine when the session first connects):
each SELECT is its own statement-level transaction. At READ COMMITTED, PostgreSQL's default,
that is the same visibility a transaction would give (a fresh snapshot per statement), without
the BEGIN and ROLLBACK round trips. It also keeps psycopg's prepared statements: psycopg drops
them on every ROLLBACK, which is how a read-only request would otherwise end, so every query
would be parsed and planned again on every request.

Requests that write (POST) keep an ordinary transaction that the service layer commits,
unless their view is marked `autocommit`: every write it makes is one statement that is
correct on its own (saving a quiz answer: `_save_if_open` in app/services/attempts.py), so a
transaction around it would only add BEGIN and COMMIT round trips.

When the database cannot be reached (refused, timed out, connection dropped):
- a request that is safe to repeat (a read, or a view marked `idempotent`) is run once more on a
  fresh connection: a connection that died while idle in the pool fails on first use, and
  SQLAlchemy then discards every pooled connection opened before the failure;
- otherwise the error handler answers 503 (app/errors.py), and `OutageLog` logs the outage
  once, not once per request.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import Flask, request
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from app.extensions import READ_ONLY_METHODS, autocommit_engines, db

RETRY_AFTER_SECONDS = 5

View = TypeVar("View", bound=Callable[..., Any])


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def idempotent(view: View) -> View:
    """Mark a writing view as safe to run twice (its write is an upsert, or a no-op when done),
    so a dropped connection is retried like a read."""
    view.idempotent = True  # type: ignore[attr-defined]
    return view


def autocommit(view: View) -> View:
    """Mark a writing view whose writes are each a single statement, atomic without a
    transaction around it, so it runs in autocommit like a read (see the module's text)."""
    view.autocommit = True  # type: ignore[attr-defined]
    return view


def unreachable(error: BaseException) -> bool:
    """The database could not be reached or dropped the connection, or gave up for a moment
    (lock or statement timeout): a reason to try again shortly, not a bug."""
    if isinstance(error, OperationalError | InterfaceError):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


class ResilientFlask(Flask):
    """Flask that runs a repeatable request once more when its database connection had died."""

    def dispatch_request(self) -> Any:  # type: ignore[override]
        try:
            return super().dispatch_request()
        except DBAPIError as error:
            if not (unreachable(error) and self._repeatable()):
                raise
            self.logger.debug("retrying %s %s on a fresh connection", request.method, request.path)
            db.session.rollback()
            return super().dispatch_request()

    def _repeatable(self) -> bool:
        if request.method in READ_ONLY_METHODS:
            return True
        view = self.view_functions.get(request.endpoint or "")
        return bool(getattr(view, "idempotent", False))


class OutageLog:
    """Logs a database outage once per process: at ERROR when a request first fails to reach
    the database, and once more when a new connection succeeds again. (Per-process operational
    state, like the connection pool itself; nothing a user sees depends on it.)"""

    def __init__(self, logger: logging.Logger) -> None:
        self._logger = logger
        self._since: float | None = None

    def failed(self, error: BaseException) -> None:
        if self._since is None:
            self._since = time.monotonic()
            summary = str(getattr(error, "orig", None) or error).strip().splitlines()
            self._logger.error(
                "database unreachable, answering 503 until it returns: %s",
                summary[0] if summary else type(error).__name__,
            )

    def connected(self) -> None:
        if self._since is not None:
            self._logger.warning(
                "database reachable again after %.1f s", time.monotonic() - self._since
            )
            self._since = None


def outage_log(app: Flask) -> OutageLog:
    return app.extensions["outage_log"]


def register_request_transactions(app: Flask) -> None:
    log = app.extensions["outage_log"] = OutageLog(app.logger)
    with app.app_context():
        app.extensions["autocommit_engines"] = autocommit_engines(db.engines)
        event.listen(db.engine, "connect", lambda *_: log.connected())
