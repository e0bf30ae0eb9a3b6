"""Links the app mails or shows are built from PUBLIC_BASE_URL, never from the Host header, and
production answers only requests naming its own host (issue 23, reset-link poisoning)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from config import ProductionConfig
from tests.conftest import PASSWORD, make_config
from tests.mail import Inbox

FORGED = {"Host": "evil.example"}
EVIL = "http://evil.example"


def forged_login(app: Flask) -> FlaskClient:
    """A client that logs in, and goes on, with every request naming the attacker's host."""
    client = app.test_client()
    response = client.post(
        "/login", data={"email": "ada@example.com", "password": PASSWORD}, base_url=EVIL
    )
    assert response.status_code == 302
    return client


def mailed_links(inbox: Inbox, address: str) -> list[str]:
    return [
        link
        for message in inbox.to(address)
        for link in re.findall(r"https?://\S+", Inbox.text(message))
    ]


def test_a_reset_asked_for_with_a_forged_host_mails_a_link_to_the_real_site(ada, inbox):
    response = ada.post("/forgot-password", data={"email": "ada@example.com"}, headers=FORGED)
    assert response.status_code == 200
    links = mailed_links(inbox, "ada@example.com")
    assert any(link.startswith("http://localhost/reset-password/") for link in links), links
    assert not [link for link in links if "evil.example" in link]


def test_an_email_change_asked_for_with_a_forged_host_mails_the_real_site(mail_app, ada, inbox):
    client = forged_login(mail_app)
    response = client.post(
        "/profile/email",
        data={"email-new_email": "ada.new@example.com", "email-current_password": PASSWORD},
        base_url=EVIL,
    )
    assert response.status_code == 302
    links = mailed_links(inbox, "ada.new@example.com")
    assert any(link.startswith("http://localhost/confirm-email/") for link in links), links
    assert not [link for link in links if "evil.example" in link]


def test_a_share_link_shown_under_a_forged_host_points_at_the_real_site(app, make_user):
    make_user(role="production-manager")
    client = forged_login(app)
    response = client.post(
        "/report/production-manager/share", data={"expires": "30"}, base_url=EVIL
    )
    assert response.status_code == 201
    assert 'value="http://localhost/shared/' in response.text
    assert "evil.example" not in response.text


def test_a_mount_point_sent_as_a_header_never_enters_a_link(ada, inbox):
    """gunicorn takes SCRIPT_NAME from a header of a client it trusts; links ignore it."""
    mount = {"SCRIPT_NAME": "/evil.example"}
    response = ada.post(
        "/forgot-password",
        data={"email": "ada@example.com"},
        environ_overrides=mount,
    )
    assert response.status_code == 200
    links = mailed_links(inbox, "ada@example.com")
    assert [link for link in links if link.startswith("http://localhost/reset-password/")], links
    assert not [link for link in links if "evil.example" in link]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (None, "must be set"),
        ("", "must be set"),
        ("prodready.example", "expected http"),
        ("ftp://prodready.example", "expected http"),
        ("https://prodready.example/app", "no path"),
    ],
)
def test_production_refuses_to_start_without_a_sound_public_address(value, problem):
    config = type(
        "Broken",
        (ProductionConfig,),
        {"SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": "sqlite://", "PUBLIC_BASE_URL": value},
    )
    with pytest.raises(RuntimeError, match=problem):
        create_app(config)


def test_production_answers_only_its_own_host(app):
    public = create_app(
        make_config(
            app.config["SQLALCHEMY_DATABASE_URI"],
            PUBLIC_BASE_URL="https://prodready.example/",
            TRUST_ONLY_PUBLIC_HOST=True,
        )
    )
    assert public.config["PUBLIC_BASE_URL"] == "https://prodready.example"
    assert public.config["TRUSTED_HOSTS"] == ["prodready.example"]
    client = public.test_client()
    assert client.get("/login", base_url="https://prodready.example").status_code == 200
    refused = client.get("/login", base_url="https://prodready.example", headers=FORGED)
    assert refused.status_code == 400
    assert "evil.example" not in refused.text
    posted = client.post("/forgot-password", data={"email": "ada@example.com"}, headers=FORGED)
    assert posted.status_code == 400
