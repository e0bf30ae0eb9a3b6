"""Signed, expiring, single-use links: sign-up, password reset and email-change confirmation.

Nothing is stored. A token is signed with the app's SECRET_KEY and carries what must still be
true when it is used: a fingerprint of the password hash and the email address (so a reset link
dies as soon as either changes, by this link or any other route) or the account's current email
address and the time of its last change (so a confirmation link works once, even after a change
there and back). A sign-up link carries the address and name asked for, and is used up once the
address has an account. Tokens of another ProdReady fail the signature check.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
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


def _load(purpose: str, token: str, max_age: int) -> tuple[dict, datetime]:
    """The token's data and when it was signed."""
    try:
        data, signed_at = _serializer(purpose).loads(token, max_age=max_age, return_timestamp=True)
    except SignatureExpired:
        raise TokenError(TokenProblem.EXPIRED) from None
    except BadSignature:
        raise TokenError(TokenProblem.INVALID) from None
    if not isinstance(data, dict):
        raise TokenError(TokenProblem.INVALID)
    return data, signed_at


def _account(data: dict) -> User | None:
    """The account a token names (None when it is gone); INVALID when it names none."""
    if not isinstance(data.get("u"), int):
        raise TokenError(TokenProblem.INVALID)
    return db.session.get(User, data["u"])


def signup_token(email: str, display_name: str) -> str:
    return _serializer(SIGNUP).dumps({"e": email, "n": display_name})


def signup_for(token: str) -> tuple[str, str]:
    """(email, display name) of a sign-up link, or TokenError; USED once the address has an
    account (by this link or another)."""
    data, _ = _load(SIGNUP, token, current_app.config["EMAIL_TOKEN_MAX_AGE"])
    email, name = data.get("e"), data.get("n")
    if not isinstance(email, str) or not isinstance(name, str):
        raise TokenError(TokenProblem.INVALID)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise TokenError(TokenProblem.USED)
    return email, name


def credentials_fingerprint(user: User) -> str:
    """Changes whenever the password or the email address does: a reset link was mailed to
    one address for one password, and must not outlive either."""
    material = f"{user.password_hash}\n{user.email}"
    return hashlib.sha256(material.encode()).hexdigest()[:20]


def reset_token(user: User) -> str:
    return _serializer(RESET).dumps({"u": user.id, "p": credentials_fingerprint(user)})


def user_for_reset(token: str) -> User:
    """The account a reset link is for, or TokenError saying why the link cannot be used."""
    data, _ = _load(RESET, token, current_app.config["RESET_TOKEN_MAX_AGE"])
    user = _account(data)
    if user is None or data.get("p") != credentials_fingerprint(user):
        raise TokenError(TokenProblem.USED)
    return user


def email_token(user: User, new_email: str) -> str:
    return _serializer(EMAIL).dumps({"u": user.id, "e": new_email, "o": user.email})


def email_change_for(token: str) -> tuple[User, str]:
    """(account, new address) of a confirmation link, or TokenError."""
    data, signed_at = _load(EMAIL, token, current_app.config["EMAIL_TOKEN_MAX_AGE"])
    user = _account(data)
    if not isinstance(data.get("e"), str):
        raise TokenError(TokenProblem.INVALID)
    if user is None or data.get("o") != user.email or _changed_since(user, signed_at):
        raise TokenError(TokenProblem.USED)
    return user, data["e"]


def _changed_since(user: User, signed_at: datetime) -> bool:
    """Whether the address changed after the link was signed (signing times are whole seconds,
    so the change's time is cut to its second too)."""
    changed = user.email_changed_at
    return changed is not None and signed_at < as_utc(changed).replace(microsecond=0)
