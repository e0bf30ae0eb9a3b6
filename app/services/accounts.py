"""Registering, authenticating and updating accounts."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash

from app.extensions import db
from app.models import RateLimitCounter, User
from app.services import mailer, tokens

PASSWORD_MIN = 12
PASSWORD_MAX = 128


class EmailTakenError(Exception):
    """Another account already uses this email address."""


class SameEmailError(ValueError):
    """The new address is the account's current one."""


LinkFor = Callable[[str], str]
"""Turns a token into the absolute URL the mail links to (built by the view)."""

# Checked when a login names no account, so that it costs the same scrypt work as a wrong
# password for a real one (the response time does not tell whether an address is registered).
# The same parameters as `User.set_password`; no password matches it.
DUMMY_HASH = (
    "scrypt:32768:8:1$7rXurB8qJuiNCYY1$7f366c35a563a0206c000c09055bd99fd125c05f0d3b4151dd6a8733"
    "d7ec74c39a07a54a3b8dc59c26a46ebbd535a31f22766a49906702c87aa8c09183535647"
)


def normalise_email(email: str) -> str:
    """Trim and lower-case the whole address, so that lookups and uniqueness ignore case."""
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def register_user(email: str, display_name: str, password: str) -> User:
    """Create an account; raise EmailTakenError if the address is in use (also under a race)."""
    user = User(email=normalise_email(email), display_name=display_name.strip())
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise EmailTakenError(email) from None
    return user


def authenticate(email: str, password: str) -> User | None:
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(DUMMY_HASH, password)
        return None
    return user if user.check_password(password) else None


def request_signup(email: str, display_name: str, link_for: LinkFor) -> None:
    """Mail a link that finishes signing up, or, when the address already has an account, tell
    its owner instead. The caller shows the same page either way and the lookup and the mail
    happen in the background, so sign-up does not reveal which addresses are registered."""
    mailer.in_background(_mail_signup, normalise_email(email), display_name.strip(), link_for)


def _mail_signup(email: str, display_name: str, link_for: LinkFor) -> None:
    if find_user_by_email(email) is None:
        mailer.finish_signup(
            email, display_name, link_for(tokens.signup_token(email, display_name))
        )
    else:
        mailer.signup_for_existing_account(email)


def set_target_role(user: User, slug: str | None) -> None:
    user.target_role = slug
    db.session.commit()


def update_profile(
    user: User, display_name: str, target_role: str | None, time_zone: str | None
) -> None:
    """Name, target role and time zone (None: the browser's, see services/timezones.py)."""
    user.display_name = display_name.strip()
    user.target_role = target_role
    user.time_zone = time_zone
    db.session.commit()


def change_password(user: User, new_password: str) -> None:
    """Set a new password and revoke every other session of this user."""
    user.set_password(new_password)
    user.session_generation += 1
    db.session.commit()


def end_all_sessions(user: User) -> None:
    user.session_generation += 1
    db.session.commit()


def set_admin(email: str, is_admin: bool) -> User | None:
    """Grant or revoke the admin flag; None when there is no such account."""
    user = find_user_by_email(email)
    if user is not None:
        user.is_admin = is_admin
        db.session.commit()
    return user


def request_password_reset(email: str, link_for: LinkFor) -> None:
    """Mail a reset link if the address has an account, and nothing otherwise; the caller shows
    the same page either way, and the lookup and the mail happen in the background (same
    timing)."""
    mailer.in_background(_mail_reset, email, link_for)


def _mail_reset(email: str, link_for: LinkFor) -> None:
    user = find_user_by_email(email)
    if user is not None:
        minutes = current_app.config["RESET_TOKEN_MAX_AGE"] // 60
        mailer.password_reset(
            user.email, user.display_name, link_for(tokens.reset_token(user)), minutes
        )


def reset_password(token: str, new_password: str) -> User:
    """Set a new password from a reset link (TokenError if it cannot be used); the password
    change ends every session and kills the link, since it was bound to the old password."""
    user = tokens.user_for_reset(token)
    change_password(user, new_password)
    return user


def request_email_change(user: User, new_email: str, link_for: LinkFor) -> None:
    """Mail a confirmation link to the new address and a notice to the current one. If the new
    address belongs to another account, its owner is told instead, and the person asking sees
    the same answer as for a free address."""
    new = normalise_email(new_email)
    if new == user.email:
        raise SameEmailError(new)
    mailer.in_background(_mail_email_change, user.id, new, link_for)


def _mail_email_change(user_id: int, new: str, link_for: LinkFor) -> None:
    user = db.session.get(User, user_id)
    if user is None:
        return
    if find_user_by_email(new) is not None:
        mailer.address_already_registered(new)
    else:
        mailer.confirm_new_email(new, user.display_name, link_for(tokens.email_token(user, new)))
    mailer.email_change_requested(user.email, user.display_name, new)


def confirm_email_change(token: str) -> User:
    """Apply a confirmed change (TokenError if the link cannot be used, EmailTakenError if the
    address was registered by someone else in the meantime)."""
    user, new = tokens.email_change_for(token)
    user.email = new
    user.email_changed_at = datetime.now(UTC)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise EmailTakenError(new) from None
    return user


def _like_prefix(prefix: str) -> str:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def account_limit_key(email: str) -> str:
    """The rate-limit key of the account an address names, registered or not: a keyed digest,
    so that a long address still fits the counter's column and no address sits in that table
    (nor one that a list of likely addresses could find)."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, b"limit:" + normalise_email(email).encode(), hashlib.sha256)
    return f"account:{digest.hexdigest()[:32]}"


def rate_limit_buckets(user: User) -> list:
    """Conditions matching the rate-limit counters keyed to this account (by id or address;
    by the address itself too, as counters made before the digest were, until they expire)."""
    keys = (f"user:{user.id}", account_limit_key(user.email), f"account:{user.email}")
    return [
        RateLimitCounter.bucket.like(_like_prefix(f"LIMITER/{key}/"), escape="\\") for key in keys
    ]


def delete_account(user: User) -> None:
    """Remove the account and everything that belongs to it, in one transaction: the database
    cascades from the user to attempts, answers, scores, estimates and milestones."""
    db.session.execute(delete(RateLimitCounter).where(or_(*rate_limit_buckets(user))))
    db.session.delete(user)
    db.session.commit()
