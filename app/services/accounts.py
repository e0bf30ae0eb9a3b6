"""Registering, authenticating and updating accounts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import User

PASSWORD_MIN = 12
PASSWORD_MAX = 128


class EmailTakenError(Exception):
    """Another account already uses this email address."""


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
    if user is None or not user.check_password(password):
        return None
    return user


def set_target_role(user: User, slug: str | None) -> None:
    user.target_role = slug
    db.session.commit()


def update_profile(user: User, display_name: str, target_role: str | None) -> None:
    user.display_name = display_name.strip()
    user.target_role = target_role
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
