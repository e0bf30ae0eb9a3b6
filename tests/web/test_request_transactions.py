"""Read requests, and the answer POST, run in autocommit; other writes keep a transaction
(app/database.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask import Flask

from app.extensions import commit_unless_autocommit, db
from app.models import Answer, Attempt, AttemptItem, ItemVersion, User
from app.services.attempts import _save_if_open
from app.upsert import dialect
from tests.web.quiz_helpers import answer, count, questions, start
from tests.web.test_api import Api, token_for


@contextmanager
def listening(app: Flask, event: str, listener: Callable[..., None]) -> Iterator[None]:
    """`listener` hears SQLAlchemy's `event` on the app's engine meanwhile."""
    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, event, listener)
    try:
        yield
    finally:
        sa.event.remove(engine, event, listener)


@contextmanager
def statements_in_autocommit(app: Flask) -> Iterator[list[bool]]:
    """For each statement the app runs meanwhile: was its connection in autocommit?"""
    seen: list[bool] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        dbapi = conn.connection.dbapi_connection
        if conn.dialect.name == "postgresql":
            seen.append(dbapi.autocommit)  # psycopg
        else:  # sqlite3 leaves transactions alone when it has no isolation level
            seen.append(dbapi.isolation_level is None)

    with listening(app, "before_cursor_execute", record):
        yield seen


def test_saving_an_answer_needs_no_transaction_but_submitting_does(app, user_client):
    attempt_id = start(user_client)
    with statements_in_autocommit(app) as seen:
        assert answer(user_client, attempt_id, 1, ["3"]).status_code == 302
    assert len(seen) >= 3  # the user, the question asked, the write (SQLite: and a touch)
    assert all(seen)  # none of them inside BEGIN ... COMMIT
    with statements_in_autocommit(app) as seen:
        response = user_client.post(f"/attempts/{attempt_id}/submit", data={"skip_unanswered": "y"})
        assert response.status_code == 302
    assert not all(seen)  # scoring writes several rows: one transaction


def test_the_item_shown_spares_reading_the_question_first(app, user_client):
    """The page's form sends back the item it showed; when that is the version asked, the
    answer is checked against it and written at once (the write verifies it)."""
    attempt_id = start(user_client)
    qs = questions(app, attempt_id)
    sqlite = not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    with statements_in_autocommit(app) as seen:
        assert answer(user_client, attempt_id, 1, ["4"], item=qs[0].item.id).status_code == 302
    assert len(seen) == 2 + sqlite  # the user, the write (SQLite: and the touch before it)
    with statements_in_autocommit(app) as seen:
        assert answer(user_client, attempt_id, 2, ["4"]).status_code == 302
    assert len(seen) == 3 + sqlite  # the user, the question asked, the write
    assert [q.rating for q in questions(app, attempt_id)[:2]] == [4, 4]


@contextmanager
def commits(app: Flask) -> Iterator[list[str]]:
    """Each commit the app's sessions make meanwhile (SQLAlchemy's commit event)."""
    seen: list[str] = []

    def record(conn) -> None:
        seen.append("commit")

    with listening(app, "commit", record):
        yield seen


def test_an_answer_saved_in_autocommit_skips_the_orms_commit(app, user_client):
    """Each statement commits itself; the answers are there for the next session to read."""
    attempt_id = start(user_client)
    shown = questions(app, attempt_id)[0].item.id
    with commits(app) as seen:
        assert answer(user_client, attempt_id, 1, ["2"], item=shown).status_code == 302
        assert answer(user_client, attempt_id, 2, ["5"]).status_code == 302  # read first
    assert seen == []
    assert [q.rating for q in questions(app, attempt_id)[:2]] == [2, 5]
    with commits(app) as seen:
        response = user_client.post(f"/attempts/{attempt_id}/submit", data={"skip_unanswered": "y"})
        assert response.status_code == 302
    assert seen == ["commit"]


@pytest.mark.parametrize(
    "where", ["no request", "a request with a transaction", "autocommit, ORM change pending"]
)
def test_the_helper_commits_whatever_a_transaction_holds(app, user_client, where):
    attempt_id = start(user_client)
    params = _write_params(app, attempt_id, 1)
    url, pending = {
        "no request": (None, False),
        "a request with a transaction": (f"/attempts/{attempt_id}/submit", False),
        "autocommit, ORM change pending": (f"/attempts/{attempt_id}/answer", True),
    }[where]
    context = app.test_request_context(url, method="POST") if url else app.app_context()
    with context:
        db.session.execute(_save_if_open(dialect()), params)
        if pending:
            db.session.add(User(email="pending@example.com", display_name="P", password_hash="x"))
        commit_unless_autocommit()
    assert count(app, Answer, attempt_id=attempt_id) == 1
    assert count(app, User, email="pending@example.com") == int(pending)


def test_the_api_saves_an_answer_without_a_transaction_too(app, make_user):
    make_user(role="production-manager")
    api = Api(app, token_for(app))
    started = api.post("/api/v1/attempts", json={"quiz_key": "skill.quality-control"})
    attempt_id = started.json["id"]
    with statements_in_autocommit(app) as seen:
        saved = api.put(f"/api/v1/attempts/{attempt_id}/answers/1", json={"values": ["3"]})
        assert saved.status_code == 200, saved.json
    assert len(seen) >= 3  # the token, the question asked, the write
    assert all(seen)
    assert count(app, Answer, attempt_id=attempt_id) == 1


def _write_params(app, attempt_id: int, position: int, **changes) -> dict:
    """Parameters of `_save_if_open` for the version asked at `position`, rating 3."""
    with app.app_context():
        asked = db.session.execute(
            sa.select(Attempt.user_id, ItemVersion.item_id, ItemVersion.content_hash)
            .join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
            .join(ItemVersion, ItemVersion.id == AttemptItem.item_version_id)
            .where(Attempt.id == attempt_id, AttemptItem.position == position)
        ).one()
    now = datetime.now(UTC)
    return {
        "b_attempt_id": attempt_id,
        "b_user_id": asked.user_id,
        "b_position": position,
        "b_item_id": asked.item_id,
        "b_content_hash": asked.content_hash,
        "b_rating": 3,
        "b_choices": None,
        "b_skipped": False,
        "b_credit": 0.5,
        "b_answered_at": now,
        "b_now": now,
        **changes,
    }


def _write(app, params: dict):
    with app.app_context():
        saved = db.session.execute(_save_if_open(dialect()), params).first()
        db.session.commit()
    return saved


def test_the_answer_write_does_nothing_once_the_attempt_is_submitted(app, user_client):
    """The race the single statement closes: the question was read while the attempt was open,
    and the attempt is submitted before the write runs."""
    attempt_id = start(user_client)
    params = _write_params(app, attempt_id, 1)
    user_client.post(f"/attempts/{attempt_id}/submit", data={"skip_unanswered": "y"})
    assert _write(app, params) is None
    assert count(app, Answer, attempt_id=attempt_id) == 0


def test_the_answer_write_saves_only_the_version_asked_at_that_position(app, user_client):
    """The write checks the item it was given against the attempt, so an answer checked
    against a hinted item is never saved for another question."""
    attempt_id = start(user_client)
    right = _write_params(app, attempt_id, 2)
    other = _write_params(app, attempt_id, 3)
    for wrong in (
        {"b_item_id": other["b_item_id"], "b_content_hash": other["b_content_hash"]},
        {"b_content_hash": "0" * 64},  # an older or newer version of the same item
        {"b_position": 3},
        {"b_user_id": right["b_user_id"] + 1},
    ):
        assert _write(app, {**right, **wrong}) is None, wrong
    assert count(app, Answer, attempt_id=attempt_id) == 0
    saved = _write(app, right)
    assert saved is not None
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        assert saved[0] == 9  # the attempt's item count, for the redirect
    assert count(app, Answer, attempt_id=attempt_id) == 1
    assert questions(app, attempt_id)[1].rating == 3


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
    """The answer is checked against its question before anything is written: an invalid one
    leaves nothing (and the next answer still saves)."""
    attempt_id = start(user_client)
    assert answer(user_client, attempt_id, 1, ["9"]).status_code == 422
    assert count(app, Answer, attempt_id=attempt_id) == 0
    assert answer(user_client, attempt_id, 1, ["3"]).status_code == 302
    assert count(app, Answer, attempt_id=attempt_id) == 1
