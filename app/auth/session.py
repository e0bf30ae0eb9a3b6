"""How Flask-Login finds the user behind a signed session cookie."""

from __future__ import annotations

from functools import cache

from flask_login import LoginManager
from sqlalchemy import Select, bindparam, select

from app.extensions import db
from app.models import User


@cache
def _user_by_id() -> Select:
    """Built once per process: this runs on every logged-in request."""
    return select(User).where(User.id == bindparam("user_id"))


def load_user(session_id: str) -> User | None:
    """Resolve "<user id>:<session generation>"; a stale generation means a revoked session."""
    user_id, _, generation = session_id.partition(":")
    if not (user_id.isdigit() and generation.isdigit()):
        return None
    user = db.session.scalar(_user_by_id(), {"user_id": int(user_id)})
    if user is None or user.session_generation != int(generation):
        return None
    return user


def configure_login(manager: LoginManager) -> None:
    manager.user_loader(load_user)
    manager.login_view = "auth.login"
    manager.login_message = "Please log in to see that page."
    manager.login_message_category = "info"
    manager.session_protection = "basic"
