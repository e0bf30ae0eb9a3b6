"""One secret per view of a form that makes a secret link or token.

Each such form carries a random `once` value. The secret is derived from it (an HMAC under the
app's SECRET_KEY, bound to the account and to what the secret is for), so a reload of the page
that shows the result, a double click or Back and resend all produce the same secret: the
service finds the row already made by the secret's hash and shows it again instead of making
a second one. A form without `once` (a page from before this existed) gets a random secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable
from typing import TypeVar

from flask import current_app
from sqlalchemy.exc import IntegrityError
from wtforms import HiddenField
from wtforms.validators import Optional, Regexp

from app.extensions import db

Row = TypeVar("Row")


def new_once() -> str:
    return secrets.token_urlsafe(16)


def once_field() -> HiddenField:
    """The hidden field a form that makes a secret carries (a new value on every GET)."""
    return HiddenField(
        default=new_once,
        validators=[
            Optional(),
            Regexp(r"^[A-Za-z0-9_-]{16,64}$", message="Reload the page and try again."),
        ],
    )


def secret_for(purpose: str, user_id: int, once: str | None, *content: object) -> str:
    """The secret made from this view of the form and what it says (256 bits, URL-safe): the
    same page sent again with other contents (Back, untick, send) makes a link of its own."""
    if not once:
        return secrets.token_urlsafe(32)
    # A key of its own, derived from SECRET_KEY, so these secrets are not HMACs under it.
    key = hmac.new(str(current_app.config["SECRET_KEY"]).encode(), b"once", hashlib.sha256)
    message = "\0".join([purpose, str(user_id), once, *(repr(part) for part in content)])
    digest = hmac.new(key.digest(), message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def add_once(row: Row, find: Callable[[], Row | None]) -> tuple[Row, bool]:
    """Add `row` unless `find()` returns the row already made from the same secret; returns
    the row and whether it is new (the caller commits). When two requests send the same form
    at the same moment, the unique hash refuses the second, which then returns the first's."""
    found = find()
    if found is not None:
        return found, False
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        found = find()
        if found is None:
            raise
        return found, False
    return row, True
