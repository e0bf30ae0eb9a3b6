"""Registration, login and logout through the real stack."""

from __future__ import annotations

import statistics
import time

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import User
from tests.conftest import PASSWORD, get_user, login, signup_path


def finish(client, path, name="Ada", password=PASSWORD, confirm=None):
    return client.post(
        path,
        data={
            "display_name": name,
            "password": password,
            "confirm": password if confirm is None else confirm,
        },
    )


def user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def test_sign_up_by_the_mailed_link_logs_in_and_asks_for_a_role(app, mail_app, inbox):
    client = mail_app.test_client()
    response = client.post(
        "/register", data={"email": "  Ada.Lovelace@Example.COM ", "display_name": "Ada"}
    )
    assert response.status_code == 200
    assert b"Check your email" in response.data
    assert user_count(app) == 0  # nothing exists until the link is used
    [mail] = inbox.to("ada.lovelace@example.com")
    assert mail["Subject"] == "Finish creating your ProdReady account"
    path = inbox.link("ada.lovelace@example.com")
    page = client.get(path)
    assert page.status_code == 200
    assert b"ada.lovelace@example.com" in page.data
    assert b'value="Ada"' in page.data  # the name asked for, still editable
    response = finish(client, path, name="Ada L.")
    assert response.status_code == 302
    assert response.headers["Location"] == "/choose-role"
    user = get_user(app, "ada.lovelace@example.com")
    assert user.display_name == "Ada L."
    assert user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash
    assert b"Choose your target role" in client.get("/choose-role").data
    while_in = client.get(path)  # the mail's link again, still logged in
    assert while_in.status_code == 400
    assert b"you are logged in already" in while_in.data
    assert b'href="/dashboard"' in while_in.data
    client.post("/logout")
    again = client.get(path)  # used up: the address has an account now
    assert again.status_code == 400
    assert b"already has an account" in again.data
    assert finish(client, path).status_code == 400
    assert user_count(app) == 1


def test_a_taken_address_gets_the_same_answer_and_its_owner_a_mail(app, mail_app, inbox, make_user):
    make_user()
    client = mail_app.test_client()
    taken = client.post("/register", data={"email": "ADA@example.com", "display_name": "Eve"})
    free = client.post("/register", data={"email": "bob@example.com", "display_name": "Eve"})
    assert taken.status_code == free.status_code == 200
    assert taken.data.replace(b"ADA@example.com", b"X") == free.data.replace(
        b"bob@example.com", b"X"
    )
    [notice] = inbox.to("ada@example.com")
    assert notice["Subject"] == "You already have a ProdReady account"
    text = inbox.text(notice)
    assert "/register/" not in text  # no way in from this mail, only the usual doors
    assert "http://localhost/login" in text
    assert "http://localhost/forgot-password" in text
    assert user_count(app) == 1
    assert get_user(app).display_name == "Ada"


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
    response = finish(client, signup_path(app), name="Ada K", password=password, confirm=confirm)
    assert response.status_code == 422
    assert message in response.data
    assert b'value="Ada K"' in response.data  # what the user typed is kept
    assert user_count(app) == 0


def test_password_of_exactly_12_and_128_characters_is_accepted(app, client):
    assert finish(client, signup_path(app, "a@example.com"), password="p" * 12).status_code == 302
    client.post("/logout")
    path = signup_path(app, "b@example.com")
    assert finish(client, path, password="p" * 128).status_code == 302


def test_invalid_email_is_rejected(client):
    response = client.post("/register", data={"email": "not-an-email", "display_name": "A"})
    assert response.status_code == 422
    assert b"Enter a valid email address" in response.data


def test_bad_sign_up_links_say_why(app, client):
    from app import create_app
    from tests.conftest import make_config

    other_site = create_app(make_config(app.config["SQLALCHEMY_DATABASE_URI"], SECRET_KEY="x" * 32))
    cases = {
        signup_path(app)[:-3]: b"This link is not valid",
        signup_path(other_site): b"This link is not valid",
    }
    for path, message in cases.items():
        response = client.get(path)
        assert response.status_code == 400
        assert message in response.data
    expired = create_app(make_config(app.config["SQLALCHEMY_DATABASE_URI"], EMAIL_TOKEN_MAX_AGE=-1))
    response = expired.test_client().get(signup_path(expired))
    assert response.status_code == 400
    assert b"a sign-up link works for 24 hours" in response.data


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


def test_a_failed_login_costs_the_same_whether_or_not_the_account_exists(client, make_user):
    """A coarse guard of the dummy-hash check (before it, an unknown address answered in about
    a seventh of the time); the 5 ms figure over 200 tries is `python -m bench.login_timing`."""
    make_user()
    times: dict[str, list[float]] = {"ada@example.com": [], "nobody@example.com": []}
    for _ in range(7):
        for email, values in times.items():
            started = time.perf_counter()
            assert login(client, email=email, password="not the password!").status_code == 422
            values.append(time.perf_counter() - started)
    known, unknown = (statistics.median(v) for v in times.values())
    assert unknown > 0.6 * known, (known, unknown)
