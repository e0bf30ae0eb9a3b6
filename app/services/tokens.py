"""Signed, expiring, single-use links: sign-up, password reset and email-change confirmation.

Nothing is stored. A token is signed with the app's SECRET_KEY and carries a fingerprint of what
must still be true when it is used: the account's password hash, its email address and the time
of its last address change. So a reset or confirmation link dies as soon as the password or the
address changes, by this link or any other route, and stays dead after a change there and back
(A -> B -> A). A sign-up link carries the address and name asked for, and is used up once the
address has an account. Tokens of another ProdReady fail the signature check.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from app.database import as_utc
from app.extensions import db
from app.models import User

SIGNUP = "sign-up"
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
    if not isinstance(data, dict):
        raise TokenError(TokenProblem.INVALID)
    return data


def _account(data: dict) -> User:
    """The account a token names, if its credentials are still those it was issued for."""
    if not isinstance(data.get("u"), int):
        raise TokenError(TokenProblem.INVALID)
    user = db.session.get(User, data["u"])
    if user is None or data.get("p") != credentials_fingerprint(user):
        raise TokenError(TokenProblem.USED)
    return user


def signup_token(email: str, display_name: str) -> str:
    return _serializer(SIGNUP).dumps({"e": email, "n": display_name})


def signup_for(token: str) -> tuple[str, str]:
    """(email, display name) of a sign-up link, or TokenError; USED once the address has an
    account (by this link or another)."""
    data = _load(SIGNUP, token, current_app.config["EMAIL_TOKEN_MAX_AGE"])
    email, name = data.get("e"), data.get("n")
    if not isinstance(email, str) or not isinstance(name, str):
        raise TokenError(TokenProblem.INVALID)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise TokenError(TokenProblem.USED)
    return email, name


def credentials_fingerprint(user: User) -> str:
    """Changes whenever the password, the email address or the time of its last change does:
    a link was mailed to one address for one password, and must outlive neither."""
    changed = user.email_changed_at
    stamp = f"{as_utc(changed).timestamp():.6f}" if changed is not None else ""
    material = f"{user.password_hash}\n{user.email}\n{stamp}"
    return hashlib.sha256(material.encode()).hexdigest()[:20]


def reset_token(user: User) -> str:
    return _serializer(RESET).dumps({"u": user.id, "p": credentials_fingerprint(user)})


def user_for_reset(token: str) -> User:
    """The account a reset link is for, or TokenError saying why the link cannot be used."""
    return _account(_load(RESET, token, current_app.config["RESET_TOKEN_MAX_AGE"]))


def email_token(user: User, new_email: str) -> str:
    return _serializer(EMAIL).dumps(
        {"u": user.id, "e": new_email, "p": credentials_fingerprint(user)}
    )


def email_change_for(token: str) -> tuple[User, str]:
    """(account, new address) of a confirmation link, or TokenError."""
    data = _load(EMAIL, token, current_app.config["EMAIL_TOKEN_MAX_AGE"])
    if not isinstance(data.get("e"), str):
        raise TokenError(TokenProblem.INVALID)
    return _account(data), data["e"]
