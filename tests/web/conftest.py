"""Real mail for the web tests: an in-process aiosmtpd server and an app that mails to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from app import create_app
from tests.conftest import make_config
from tests.mail import Inbox, smtp_inbox


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_inbox() as handler:
        yield handler


@pytest.fixture
def mail_app(app: Flask, inbox: Inbox) -> Flask:
    """The app, on the same database, sending real mail to the in-process SMTP server."""
    return app_with_mail(app, inbox)


def app_with_mail(app: Flask, inbox: Inbox, **overrides: object) -> Flask:
    """Another app on the same database, mailing to `inbox`, with these settings changed."""
    return create_app(
        make_config(
            app.config["SQLALCHEMY_DATABASE_URI"],
            MAIL_URL=inbox.url,
            MAIL_FROM="ProdReady <no-reply@prodready.test>",
            **overrides,
        )
    )


@pytest.fixture
def ada(mail_app: Flask, make_user):
    make_user(role="production-manager")
    return mail_app.test_client()
