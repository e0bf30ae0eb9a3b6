"""Device cookies (OWASP's defence against lock-out by guessing): a browser that has logged in to
an account before carries a signed cookie naming that account (by id, so that it survives a
change of address), and is exempt from the account's
own attempt limits, which only strangers' browsers use up. So anyone can slow down guesses at an
account, but nobody can lock its owner out of their usual browser. Each device cookie has its
own, tighter limit, so a stolen one buys a thief nothing; per-address limits apply to everyone.
"""

from __future__ import annotations

import secrets

from flask import Response, current_app, g, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.services.accounts import find_user_by_email

COOKIE = "prodready_device"
MAX_ACCOUNTS = 5  # a shared family computer; the most recent logins first
SALT = "device-cookie"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _read() -> dict | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    max_age = current_app.config["DEVICE_COOKIE_DAYS"] * 24 * 3600
    try:
        data = _serializer().loads(raw, max_age=max_age)
    except BadSignature:
        return None
    valid = (
        isinstance(data, dict)
        and isinstance(data.get("d"), str)
        and isinstance(data.get("a"), list)
        and all(isinstance(a, int) for a in data["a"])
    )
    return data if valid else None


def trusted_for(email: str) -> str | None:
    """This browser's device id when it has logged in to the account of `email` before (one
    query, only for a browser that carries a device cookie; once per request)."""
    if "trusted_device" not in g:
        g.trusted_device = _trusted_for(email)
    return g.trusted_device


def _trusted_for(email: str) -> str | None:
    data = _read()
    if data is None:
        return None
    user = find_user_by_email(email)
    return data["d"] if user is not None and user.id in data["a"] else None


def remember(response: Response, user_id: int) -> Response:
    """After a successful login: add the account to this browser's device cookie."""
    data = _read() or {"d": secrets.token_urlsafe(12), "a": []}
    accounts = [user_id] + [a for a in data["a"] if a != user_id]
    value = _serializer().dumps({"d": data["d"], "a": accounts[:MAX_ACCOUNTS]})
    response.set_cookie(
        COOKIE,
        value,
        max_age=current_app.config["DEVICE_COOKIE_DAYS"] * 24 * 3600,
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        samesite="Lax",
    )
    return response
