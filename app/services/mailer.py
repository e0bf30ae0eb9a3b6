"""One function per kind of message; each is rendered from a text and an HTML template."""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Flask, current_app, render_template
from flask_mailman import EmailMultiAlternatives

from app.links import external_url


def in_background(job: Callable[..., None], *args: object) -> None:
    """Run `job` (which decides whether and what to mail, and sends it) after the response,
    in a thread with its own app context, when MAIL_IN_BACKGROUND is set; inline otherwise.
    Whatever the job finds (an account or none) then costs the request nothing, so its time
    cannot tell which addresses are registered."""
    app = current_app._get_current_object()
    if not app.config["MAIL_IN_BACKGROUND"]:
        job(*args)
        return
    threading.Thread(target=_run, args=(app, job, args), daemon=True).start()


def _run(app: Flask, job: Callable[..., None], args: tuple) -> None:
    with app.app_context():
        try:
            job(*args)
        except Exception:
            app.logger.exception("Background mail job %s failed", job.__name__)


def _send(to: str, subject: str, template: str, **context: object) -> None:
    """Render and send (in the caller's thread: the views that mail run it in_background)."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_template(f"mail/{template}.txt", **context),
        to=[to],
    )
    message.attach_alternative(render_template(f"mail/{template}.html", **context), "text/html")
    message.send()


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


def feedback_request(to: str, owner_name: str, note: str, link: str, opt_out_link: str) -> None:
    _send(
        to,
        f"{owner_name} asks for your feedback on ProdReady",
        "feedback_request",
        owner_name=owner_name,
        note=note,
        link=link,
        opt_out_link=opt_out_link,
    )
