"""CSRF protection is on for every form outside the test config."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from app import create_app
from tests.conftest import csrf_token, make_config


@pytest.fixture
def csrf_app(app: Flask) -> Iterator[Flask]:
    return create_app(make_config(app.config["SQLALCHEMY_DATABASE_URI"], WTF_CSRF_ENABLED=True))


def test_post_without_token_is_a_400_page_and_saves_nothing(csrf_app):
    client = csrf_app.test_client()
    response = client.post(
        "/register",
        data={
            "email": "a@example.com",
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
    token = csrf_token(client.get("/register").get_data(as_text=True))
    response = client.post(
        "/register",
        data={
            "csrf_token": token,
            "email": "a@example.com",
            "display_name": "A",
            "password": "a long enough password",
            "confirm": "a long enough password",
        },
    )
    assert response.status_code == 302


def test_logout_without_token_is_rejected(csrf_app):
    client = csrf_app.test_client()
    token = csrf_token(client.get("/register").get_data(as_text=True))
    client.post(
        "/register",
        data={
            "csrf_token": token,
            "email": "b@example.com",
            "display_name": "B",
            "password": "a long enough password",
            "confirm": "a long enough password",
        },
    )
    assert client.post("/logout").status_code == 400
    assert client.get("/dashboard").status_code == 200
