"""Outgoing mail settings from `MAIL_URL`, and an SMTP backend that verifies the server.

    smtp://user:pass@host:587     STARTTLS, the server's certificate verified
    smtps://user:pass@host:465    TLS from the first byte (implicit TLS), verified
    smtp+plain://host:1025        no encryption: a local development or test sink only

Without `MAIL_URL` each message is printed to the console (Flask-Mailman's console backend),
so a person trying ProdReady locally can follow the links in it.
"""

from __future__ import annotations

import smtplib
import ssl
from typing import Any
from urllib.parse import unquote, urlsplit

from flask_mailman.backends import smtp

SCHEMES = {
    "smtp": (True, False, 587),
    "smtps": (False, True, 465),
    "smtp+plain": (False, False, 25),
}


class MailUrlError(ValueError):
    """MAIL_URL cannot be used; the message says why."""


def mail_settings(url: str | None, sender: str) -> dict[str, Any]:
    """Flask-Mailman configuration for a MAIL_URL (console output when there is none)."""
    if not url:
        return {"MAIL_BACKEND": "console", "MAIL_DEFAULT_SENDER": sender}
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise MailUrlError(f"MAIL_URL must start with {', '.join(s + '://' for s in SCHEMES)}")
    if not parts.hostname:
        raise MailUrlError("MAIL_URL names no host")
    use_tls, use_ssl, default_port = SCHEMES[parts.scheme]
    return {
        "MAIL_BACKEND": VerifiedSMTPBackend,
        "MAIL_SERVER": parts.hostname,
        "MAIL_PORT": parts.port or default_port,
        "MAIL_USERNAME": unquote(parts.username) if parts.username else None,
        "MAIL_PASSWORD": unquote(parts.password) if parts.password else None,
        "MAIL_USE_TLS": use_tls,
        "MAIL_USE_SSL": use_ssl,
        "MAIL_DEFAULT_SENDER": sender,
    }


class _VerifyingSMTP(smtplib.SMTP):
    """smtplib's STARTTLS skips certificate checks unless given a context; this one checks."""

    def starttls(self, *args: Any, context: ssl.SSLContext | None = None, **kwargs: Any) -> Any:
        return super().starttls(*args, context=context or ssl.create_default_context(), **kwargs)


class VerifiedSMTPBackend(smtp.EmailBackend):
    """Flask-Mailman's SMTP backend, with STARTTLS verifying the server's certificate too."""

    @property
    def connection_class(self) -> type[smtplib.SMTP]:
        return smtplib.SMTP_SSL if self.use_ssl else _VerifyingSMTP
