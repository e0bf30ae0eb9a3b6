"""Registration, login and logout through the real stack."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import User
from tests.conftest import PASSWORD, get_user, login


def register(client, email="ada@example.com", name="Ada", password=PASSWORD, confirm=None):
    return client.post(
        "/register",
        data={
            "email": email,
            "display_name": name,
            "password": password,
            "confirm": password if confirm is None else confirm,
        },
    )


def test_register_logs_in_and_asks_for_a_role(app, client):
    response = register(client, email="  Ada.Lovelace@Example.COM ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/choose-role"
    user = get_user(app, "ada.lovelace@example.com")
    assert user.display_name == "Ada"
    assert user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash
    page = client.get("/choose-role")
    assert page.status_code == 200
    assert b"Choose your target role" in page.data


def test_duplicate_email_is_a_form_error_whatever_the_case(app, client):
    assert register(client).status_code == 302
    client.post("/logout")
    response = register(client, email="ADA@example.com", name="Other")
    assert response.status_code == 422
    assert b"An account with this email already exists" in response.data
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("short pass", None, b"Use 12 to 128 characters."),
        ("x" * 129, None, b"Use 12 to 128 characters."),
        ("", None, b"Enter a password."),
        ("a long enough password", "a different password", b"The two passwords do not match."),
    ],
)
def test_bad_passwords_are_rejected_with_a_message(app, client, password, confirm, message):
    response = register(client, password=password, confirm=confirm)
    assert response.status_code == 422
    assert message in response.data
    assert b'value="ada@example.com"' in response.data  # what the user typed is kept
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_password_of_exactly_12_and_128_characters_is_accepted(client):
    assert register(client, email="a@example.com", password="p" * 12).status_code == 302
    client.post("/logout")
    assert register(client, email="b@example.com", password="p" * 128).status_code == 302


def test_invalid_email_is_rejected(client):
    response = register(client, email="not-an-email")
    assert response.status_code == 422
    assert b"Enter a valid email address" in response.data


def test_login_with_any_case_email_and_logout(client, make_user):
    make_user()
    response = login(client, email="ADA@EXAMPLE.com")
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 200
    response = client.post("/logout")
    assert response.status_code == 302
    dashboard = client.get("/dashboard")
    assert dashboard.status_code == 302
    assert "/login" in dashboard.headers["Location"]


def test_wrong_password_does_not_log_in(client, make_user):
    make_user()
    response = login(client, password="not the right password")
    assert response.status_code == 422
    assert b"do not match an account" in response.data
    assert client.get("/dashboard").status_code == 302


def test_unknown_email_gives_the_same_message(client):
    response = login(client, email="nobody@example.com")
    assert response.status_code == 422
    assert b"do not match an account" in response.data


def test_login_follows_only_local_next_urls(client, make_user):
    make_user()
    response = client.post(
        "/login?next=/roles", data={"email": "ada@example.com", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/roles"
    client.post("/logout")
    response = client.post(
        "/login?next=//evil.example/x", data={"email": "ada@example.com", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/dashboard"


def test_logout_requires_post(user_client):
    assert user_client.get("/logout").status_code == 405
    assert user_client.get("/dashboard").status_code == 200
