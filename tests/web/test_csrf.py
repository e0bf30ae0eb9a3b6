"""CSRF protection is on for every form outside the test config."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from app import create_app
from tests.conftest import csrf_token, make_config, signup_path


@pytest.fixture
def csrf_app(app: Flask) -> Iterator[Flask]:
    return create_app(make_config(app.config["SQLALCHEMY_DATABASE_URI"], WTF_CSRF_ENABLED=True))


def test_post_without_token_is_a_400_page_and_saves_nothing(csrf_app):
    client = csrf_app.test_client()
    response = client.post(
        signup_path(csrf_app, "a@example.com"),
        data={
            "display_name": "A",
            "password": "a long enough password",
            "confirm": "a long enough password",
        },
    )
    assert response.status_code == 400
    assert b"Your form expired" in response.data
    assert b"<nav" in response.data  # rendered in the base layout


def test_post_with_token_succeeds(csrf_app):
    client = csrf_app.test_client()
    path = signup_path(csrf_app, "a@example.com")
    token = csrf_token(client.get(path).get_data(as_text=True))
    response = client.post(
        path,
        data={
            "csrf_token": token,
            "display_name": "A",
            "password": "a long enough password",
            "confirm": "a long enough password",
        },
    )
    assert response.status_code == 302


def test_logout_without_token_is_rejected(csrf_app):
    client = csrf_app.test_client()
    path = signup_path(csrf_app, "b@example.com")
    token = csrf_token(client.get(path).get_data(as_text=True))
    client.post(
        path,
        data={
            "csrf_token": token,
            "display_name": "B",
            "password": "a long enough password",
            "confirm": "a long enough password",
        },
    )
    assert client.post("/logout").status_code == 400
    assert client.get("/dashboard").status_code == 200
