"""Real mail for the web tests: an in-process aiosmtpd server and an app that mails to it."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from app import create_app
from tests.conftest import make_config
from tests.live import free_port


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd API)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in m["X-Envelope-To"]]

    @staticmethod
    def text(message: EmailMessage) -> str:
        """The plain-text part, with its lines joined."""
        return " ".join(message.get_body(preferencelist=("plain",)).get_content().split())

    def link(self, address: str) -> str:
        [message] = self.to(address)
        match = re.search(r"http://localhost(/\S+)", self.text(message))
        assert match, self.text(message)
        return match.group(1)


@pytest.fixture
def inbox():
    handler = Inbox()
    handler.port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    yield handler
    controller.stop()


@pytest.fixture
def mail_app(app: Flask, inbox: Inbox) -> Flask:
    """The app, on the same database, sending real mail to the in-process SMTP server."""
    return app_with_mail(app, inbox)


def app_with_mail(app: Flask, inbox: Inbox, **overrides: object) -> Flask:
    """Another app on the same database, mailing to `inbox`, with these settings changed."""
    return create_app(
        make_config(
            app.config["SQLALCHEMY_DATABASE_URI"],
            MAIL_URL=f"smtp+plain://127.0.0.1:{inbox.port}",
            MAIL_FROM="ProdReady <no-reply@prodready.test>",
            **overrides,
        )
    )


@pytest.fixture
def ada(mail_app: Flask, make_user):
    make_user(role="production-manager")
    return mail_app.test_client()
