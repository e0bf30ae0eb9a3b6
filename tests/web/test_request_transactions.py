"""Read requests run in autocommit; writes keep a transaction (app/database.py)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Answer
from tests.web.quiz_helpers import answer, count, start


def test_read_requests_keep_prepared_statements_on_postgresql(app, user_client):
    """psycopg forgets its prepared statements at every ROLLBACK; a read request that ended in
    one would make PostgreSQL parse and plan the user lookup again on every request."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("prepared statements are a PostgreSQL (psycopg) matter")
    # Enough requests for every pooled connection to pass psycopg's prepare threshold (5).
    for _ in range(60):
        assert user_client.get("/roles").status_code == 200
    with app.app_context():
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        prepared = db.session.scalars(sa.text("SELECT statement FROM pg_prepared_statements"))
        assert any("FROM users" in statement for statement in prepared)


def test_a_rejected_answer_leaves_nothing_behind(app, user_client):
    """The answer POST runs in a transaction: when the answer turns out invalid after the
    attempt row was touched, nothing of it stays (and the next answer still saves)."""
    attempt_id = start(user_client)
    assert answer(user_client, attempt_id, 1, ["9"]).status_code == 422
    assert count(app, Answer, attempt_id=attempt_id) == 0
    assert answer(user_client, attempt_id, 1, ["3"]).status_code == 302
    assert count(app, Answer, attempt_id=attempt_id) == 1
