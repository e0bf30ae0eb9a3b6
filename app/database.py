"""How requests use the database connection.

Requests with a safe method (GET, HEAD, OPTIONS) only read, so they run in autocommit mode:
each SELECT is its own statement-level transaction. At READ COMMITTED, PostgreSQL's default,
that is the same visibility a transaction would give (a fresh snapshot per statement), without
the BEGIN and ROLLBACK round trips. It also keeps psycopg's prepared statements: psycopg drops
them on every ROLLBACK, which is how a read-only request would otherwise end, so every query
would be parsed and planned again on every request.

Requests that write (POST) keep an ordinary transaction that the service layer commits.
"""

from __future__ import annotations

from flask import Flask, request

from app.extensions import db

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def register_request_transactions(app: Flask) -> None:
    @app.before_request
    def _autocommit_reads() -> None:
        if request.method in READ_ONLY_METHODS and request.endpoint != "static":
            db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
