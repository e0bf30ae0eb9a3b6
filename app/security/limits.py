"""Rate limits for login, registration, password reset and change: per client IP, per account,
and per device cookie (app/security/devices.py), with a 429 that says when to try again."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import Response, current_app, request
from flask.typing import ResponseReturnValue
from flask_limiter.util import get_remote_address
from flask_login import current_user

from app.extensions import limiter
from app.security import devices
from app.services import timezones
from app.services.accounts import account_limit_key, normalise_email
from app.web import local_datetime, request_zone


def _config(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


def _form_email() -> str:
    return normalise_email(request.form.get("email", ""))[:254]


def _account_from_form() -> str:
    """The account a login or registration targets (named by its address)."""
    return account_limit_key(_form_email())


def _current_account() -> str:
    return f"user:{current_user.get_id().partition(':')[0]}"


def _trusted_device() -> bool:
    return devices.trusted_for(_form_email()) is not None


def _device() -> str:
    return f"device:{devices.trusted_for(_form_email())}"


def failed(response: Response) -> bool:
    """For limits that count failures only: a login that succeeded redirects."""
    return response.status_code != 302


def per_ip(config_name: str, methods: tuple[str, ...] | list[str] = ("POST",)):
    return limiter.limit(
        _config(config_name),
        key_func=get_remote_address,
        methods=list(methods),
        scope=config_name,
    )


def per_account(
    config_name: str,
    from_form: bool = True,
    deduct_when: Callable[[Response], bool] | None = None,
):
    """The account's own limit. For an account named in the form, a browser that has logged in
    to it before is exempt (it has `per_device` instead), so strangers cannot lock out its
    owner; for the logged-in account (password change) nobody else can spend it anyway."""
    return limiter.limit(
        _config(config_name),
        key_func=_account_from_form if from_form else _current_account,
        methods=["POST"],
        scope=config_name + ":account",
        exempt_when=_trusted_device if from_form else None,
        deduct_when=deduct_when,
    )


def per_device(config_name: str, deduct_when: Callable[[Response], bool] | None = None):
    """The limit of one trusted browser (device cookie) for the account named in the form."""
    return limiter.limit(
        _config(config_name),
        key_func=_device,
        methods=["POST"],
        scope=config_name + ":device",
        exempt_when=lambda: not _trusted_device(),
        deduct_when=deduct_when,
    )


def paused_page(render: Callable[[str], ResponseReturnValue]):
    """Mark a view whose form a limit can pause: on a 429 the app's error handler shows
    `render(message)` (the form again, saying when to try again) instead of the bare 429 page.
    Put it under the limit decorators, which keep the mark when they wrap the view."""

    def mark(view: Callable) -> Callable:
        view.paused_page = render  # type: ignore[attr-defined]
        return view

    return mark


def paused_view_page(message: str) -> ResponseReturnValue | None:
    """The page the current view asked for when paused (see `paused_page`), if any."""
    render = getattr(_current_view(), "paused_page", None)
    return None if render is None else render(message)


def too_large_page(render: Callable[[], ResponseReturnValue | None]):
    """Mark a view whose upload can pass MAX_CONTENT_LENGTH, which Werkzeug refuses as soon as
    anything reads the form (before the view runs): on that 413 the app's error handler shows
    `render()` (the form again, saying what to do) instead of the bare 413 page, unless it
    returns None. Put it under the limit decorators, like `paused_page`."""

    def mark(view: Callable) -> Callable:
        view.too_large_page = render  # type: ignore[attr-defined]
        return view

    return mark


def too_large_view_page() -> ResponseReturnValue | None:
    """The page the current view asked for when its request is too large, if any."""
    render = getattr(_current_view(), "too_large_page", None)
    return None if render is None else render()


def _current_view() -> Callable | None:
    return current_app.view_functions.get(request.endpoint or "")


def retry_after() -> int:
    """Seconds until the limit this request broke lets it through again."""
    breached = limiter.current_limit
    if breached is None:
        return 60
    return max(1, int(breached.reset_at - time.time()))


def _allowance() -> str:
    """The limit this request broke, in words: "at most 20 times a day"."""
    breached = limiter.current_limit
    if breached is None:
        return "only so often"
    item = breached.limit
    unit = item.GRANULARITY.name
    per = (
        f"a{'n' if unit == 'hour' else ''} {unit}"
        if item.multiples == 1
        else (f"in {item.multiples} {unit}s")
    )
    return f"at most {item.amount} time{'s' if item.amount != 1 else ''} {per}"


def throttled_message() -> str:
    """What a paused form says: the limit it met, and when it works again on the person's
    clock (with the day when that is not today: a daily limit opens tomorrow)."""
    seconds = retry_after()
    now = datetime.now(UTC)
    then = now + timedelta(seconds=seconds)
    zone = request_zone()
    same_day = timezones.local(then, zone).date() == timezones.local(now, zone).date()
    at = local_datetime(then, "%H:%M") if same_day else local_datetime(then)
    if seconds < 90:
        wait = f"{seconds} seconds"
    elif seconds < 90 * 60:
        wait = f"{round(seconds / 60)} minutes"
    else:
        wait = f"about {round(seconds / 3600)} hours"
    return (
        f"Too many requests: this can be done {_allowance()}, so it is paused for now. "
        f"Try again in {wait} (at {at})."
    )
