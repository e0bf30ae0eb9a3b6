"""A real SMTP server for tests: aiosmtpd in this process, keeping every message it receives."""

from __future__ import annotations

import email
import email.policy
import re
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.port = 0

    @property
    def url(self) -> str:
        """The MAIL_URL that sends to this inbox."""
        return f"smtp+plain://127.0.0.1:{self.port}"

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

    def link(self, address: str, base: str = "http://localhost") -> str:
        """The path of the one link in the one message to `address`."""
        [message] = self.to(address)
        match = re.search(re.escape(base) + r"(/\S+)", self.text(message))
        assert match, self.text(message)
        return match.group(1)

    def wait_link(self, address: str, timeout: float = 10) -> str:
        """As `link`, from a live server on 127.0.0.1 that sends its mail in the background."""
        deadline = time.monotonic() + timeout
        while not self.to(address) and time.monotonic() < deadline:
            time.sleep(0.05)
        [message] = self.to(address)
        match = re.search(r"http://127\.0\.0\.1:\d+(/\S+)", self.text(message))
        assert match, self.text(message)
        return match.group(1)


@contextmanager
def smtp_inbox() -> Iterator[Inbox]:
    handler = Inbox()
    # The port is free when chosen, but another process (a parallel test worker's inbox, an
    # outgoing connection) may take it before the server binds it: then try another.
    for attempt in range(3):
        handler.port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
        try:
            controller.start()
            break
        except OSError:
            if attempt == 2:
                raise
    try:
        yield handler
    finally:
        controller.stop()
