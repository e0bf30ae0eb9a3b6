"""While the database cannot be reached: 503 with Retry-After and a calm page, never a 500; the
quiz answer echoed with a button to send it again; JSON for autosave and the API; one log line
per outage. The apps here point at a database that does not exist (PostgreSQL on a closed
port, SQLite in a missing directory); tests/reliability/test_outage.py cuts a live one."""

from __future__ import annotations

import logging

import pytest
from flask import Flask

from app import create_app
from app.catalogue import catalogue
from app.catalogue.schema import ChoiceItem
from tests.conftest import make_config

DEAD = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:9/test",
    "sqlite": "sqlite:////nonexistent-directory/prodready.sqlite3",
}


@pytest.fixture(params=sorted(DEAD))
def dead_app(request: pytest.FixtureRequest) -> Flask:
    return create_app(make_config(DEAD[request.param]))


def logged_in(app: Flask):
    """A client whose signed session names user 1 (no database needed to make the cookie)."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1:0"
        session["_fresh"] = True
    return client


def assert_calm_503(response) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "Back in a moment" in response.text
    assert "Nothing you had saved is lost" in response.text
    assert response.headers["X-Request-ID"] in response.text


def test_pages_answer_503_not_500(dead_app):
    client = logged_in(dead_app)
    for path in ("/dashboard", "/quizzes", "/report", "/milestones", "/attempts/1"):
        assert_calm_503(client.get(path))
    assert_calm_503(client.post("/login", data={"email": "a@example.com", "password": "x" * 12}))


def test_pages_without_the_database_still_work(dead_app):
    client = dead_app.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/roles").status_code == 200
    assert client.get("/readyz").status_code == 503


def test_a_quiz_answer_is_echoed_with_a_button_to_send_it_again(dead_app):
    with dead_app.app_context():
        item = next(e for e in catalogue().items.values() if isinstance(e.content, ChoiceItem))
    option = item.content.options[1]
    response = logged_in(dead_app).post(
        "/attempts/7/answer",
        data={"csrf_token": "tok", "position": "4", "item": item.id, "answer": option.id},
    )
    assert_calm_503(response)
    page = response.text
    assert "Your answer to question 4 is not saved yet" in page
    assert option.text.split("**")[0][:40] in page
    assert 'action="/attempts/7/answer"' in page
    for field in (
        'name="position" value="4"',
        f'name="answer" value="{option.id}"',
        'name="csrf_token" value="tok"',
    ):
        assert field in page
    assert "Send my answer again" in page


def test_autosave_and_the_api_get_json(dead_app):
    autosave = logged_in(dead_app).post(
        "/attempts/7/answer",
        data={"position": "1", "answer": "3"},
        headers={"Accept": "application/json"},
    )
    assert autosave.status_code == 503
    assert autosave.json["retry"] is True
    assert autosave.headers["Retry-After"] == "5"
    api = dead_app.test_client().get("/api/v1/roles", headers={"Authorization": "Bearer x"})
    assert api.status_code == 503
    assert api.mimetype == "application/problem+json"
    assert api.json["status"] == 503


def test_an_outage_is_logged_once_without_a_traceback(dead_app, caplog):
    client = logged_in(dead_app)
    with caplog.at_level(logging.INFO, logger=dead_app.logger.name):
        for _ in range(3):
            assert client.get("/dashboard").status_code == 503
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].getMessage().startswith("database unreachable")
    assert errors[0].exc_info is None


def test_a_burst_larger_than_the_pool_gets_503_not_500(app, make_user):
    """Issue 23: 20 parallel submits under the dev server used to wait out the pool and 500."""
    make_user(role="production-manager")
    tiny = create_app(
        make_config(
            app.config["SQLALCHEMY_DATABASE_URI"],
            SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0, "pool_timeout": 0.2},
        )
    )
    client = tiny.test_client()
    assert client.get("/roles").status_code == 200
    with tiny.app_context():
        from app.extensions import db

        held = db.engine.connect()  # the pool's only connection, busy elsewhere
        try:
            login = {"email": "ada@example.com", "password": "x" * 12}
            assert_calm_503(client.post("/login", data=login))
            api = client.get("/api/v1/attempts", headers={"Authorization": "Bearer x"})
            assert api.status_code == 503
            assert api.mimetype == "application/problem+json"
        finally:
            held.close()
    assert client.get("/roles").status_code == 200
