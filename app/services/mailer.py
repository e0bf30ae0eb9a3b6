"""One function per kind of message; each is rendered from a text and an HTML template."""

from __future__ import annotations

import threading

from flask import Flask, current_app, render_template
from flask_mailman import EmailMultiAlternatives

from app.links import external_url


def _send(to: str, subject: str, template: str, **context: object) -> None:
    """Render and send; in the background when MAIL_IN_BACKGROUND is set, so a request that
    sends mail takes as long as one that does not (no account enumeration by timing)."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_template(f"mail/{template}.txt", **context),
        to=[to],
    )
    message.attach_alternative(render_template(f"mail/{template}.html", **context), "text/html")
    app = current_app._get_current_object()
    if app.config["MAIL_IN_BACKGROUND"]:
        threading.Thread(target=_deliver, args=(app, message), daemon=True).start()
    else:
        message.send()


def _deliver(app: Flask, message: EmailMultiAlternatives) -> None:
    with app.app_context():
        try:
            message.send()
        except Exception:
            app.logger.exception("Could not send mail %r", message.subject)


def finish_signup(to: str, name: str, link: str) -> None:
    _send(to, "Finish creating your ProdReady account", "finish_signup", name=name, link=link)


def signup_for_existing_account(to: str) -> None:
    _send(
        to,
        "You already have a ProdReady account",
        "signup_taken",
        login_link=external_url("auth.login"),
        reset_link=external_url("auth.forgot_password"),
    )


def password_reset(to: str, name: str, link: str, minutes: int) -> None:
    _send(
        to, "Reset your ProdReady password", "password_reset", name=name, link=link, minutes=minutes
    )


def confirm_new_email(to: str, name: str, link: str) -> None:
    _send(to, "Confirm your new ProdReady email address", "confirm_email", name=name, link=link)


def email_change_requested(to: str, name: str, new_email: str) -> None:
    _send(
        to,
        "Your ProdReady email address is being changed",
        "email_change_notice",
        name=name,
        new_email=new_email,
    )


def address_already_registered(to: str) -> None:
    _send(to, "This address already has a ProdReady account", "email_taken")
