"""Rate limits for login, registration and password change: per client IP and per account."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from app.extensions import limiter
from app.services.accounts import normalise_email


def _config(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


def _account_from_form() -> str:
    """The account a login or registration targets (its normalised email)."""
    return "account:" + normalise_email(request.form.get("email", ""))[:254]


def _current_account() -> str:
    return f"user:{current_user.get_id().partition(':')[0]}"


def per_ip(config_name: str, methods: tuple[str, ...] | list[str] = ("POST",)):
    return limiter.limit(
        _config(config_name),
        key_func=get_remote_address,
        methods=list(methods),
        scope=config_name,
    )


def per_account(config_name: str, from_form: bool = True):
    return limiter.limit(
        _config(config_name),
        key_func=_account_from_form if from_form else _current_account,
        methods=["POST"],
        scope=config_name + ":account",
    )
