"""Signed, expiring, single-use links: password reset and email-change confirmation.

Nothing is stored. A token is signed with the app's SECRET_KEY and carries what must still be
true when it is used: a fingerprint of the password hash (so a reset link dies as soon as the
password changes, by this link or any other route) or the account's current email address (so a
confirmation link works once). Tokens of another ProdReady fail the signature check.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.extensions import db
from app.models import User

RESET = "password-reset"
EMAIL = "email-change"


class TokenProblem(StrEnum):
    EXPIRED = "expired"
    INVALID = "invalid"  # altered, truncated, or signed by another site
    USED = "used"  # already used, or overtaken by a later change


class TokenError(Exception):
    def __init__(self, problem: TokenProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def _load(purpose: str, token: str, max_age: int) -> dict:
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise TokenError(TokenProblem.EXPIRED) from None
    except BadSignature:
        raise TokenError(TokenProblem.INVALID) from None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise TokenError(TokenProblem.INVALID)
    return data


def password_fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def reset_token(user: User) -> str:
    return _serializer(RESET).dumps({"u": user.id, "p": password_fingerprint(user)})


def user_for_reset(token: str) -> User:
    """The account a reset link is for, or TokenError saying why the link cannot be used."""
    data = _load(RESET, token, current_app.config["RESET_TOKEN_MAX_AGE"])
    user = db.session.get(User, data["u"])
    if user is None or data.get("p") != password_fingerprint(user):
        raise TokenError(TokenProblem.USED)
    return user


def email_token(user: User, new_email: str) -> str:
    return _serializer(EMAIL).dumps({"u": user.id, "e": new_email, "o": user.email})


def email_change_for(token: str) -> tuple[User, str]:
    """(account, new address) of a confirmation link, or TokenError."""
    data = _load(EMAIL, token, current_app.config["EMAIL_TOKEN_MAX_AGE"])
    user = db.session.get(User, data["u"])
    if not isinstance(data.get("e"), str):
        raise TokenError(TokenProblem.INVALID)
    if user is None or data.get("o") != user.email:
        raise TokenError(TokenProblem.USED)
    return user, data["e"]
