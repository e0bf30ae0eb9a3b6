"""Read-only share links and personal API tokens: create, list, verify by hash, revoke.

A secret is 256 random bits, shown to its owner once; only its SHA-256 hash is stored, so a
database leak reveals no working link or token.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update

from app.database import as_utc
from app.extensions import db
from app.models import ApiToken, ShareLink, User
from app.security.once import add_once

TOKEN_PREFIX = "prt_"
EXPIRY_DAYS = {"7": 7, "30": 30, "90": 90, "never": None}
"""The expiry choices offered for share links and tokens (days; None: never)."""
LAST_USED_EVERY = timedelta(minutes=1)
"""A token's last use is written at most this often, not on every API call."""


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def _expiry(days: int | None) -> datetime | None:
    return _now() + timedelta(days=days) if days else None


def _aware(moment: datetime | None) -> datetime | None:
    return as_utc(moment) if moment else None


def _live(expires_at: datetime | None) -> bool:
    expires = _aware(expires_at)
    return expires is None or expires > _now()


# --- share links ---------------------------------------------------------------------------


def create_share_link(
    user: User,
    role_slug: str,
    label: str,
    days: int | None,
    secret: str,
    include_feedback: bool = False,
) -> ShareLink:
    """Make the link with this secret (from `app.security.once.secret_for`) to the user's
    report for one role, with the raters' aggregates when `include_feedback`; a form sent
    twice returns the link its first sending made."""
    link, _new = add_once(
        ShareLink(
            user_id=user.id,
            token_hash=_hash(secret),
            role_slug=role_slug,
            label=label.strip(),
            expires_at=_expiry(days),
            include_feedback=include_feedback,
        ),
        lambda: _own_link(user.id, secret),
    )
    db.session.commit()
    return link


def _own_link(user_id: int, secret: str) -> ShareLink | None:
    return db.session.scalar(
        select(ShareLink).where(ShareLink.token_hash == _hash(secret), ShareLink.user_id == user_id)
    )


def usable(link: ShareLink) -> bool:
    """Neither revoked nor expired."""
    return link.revoked_at is None and _live(link.expires_at)


def active_share_links(user_id: int) -> list[ShareLink]:
    links = db.session.scalars(
        select(ShareLink)
        .where(ShareLink.user_id == user_id, ShareLink.revoked_at.is_(None))
        .order_by(ShareLink.created_at.desc(), ShareLink.id.desc())
    )
    return [link for link in links if _live(link.expires_at)]


def revoke_share_link(user_id: int, link_id: int) -> bool:
    """Revoke one of the user's links at once; False if there is no such link of theirs."""
    done = db.session.execute(
        update(ShareLink)
        .where(ShareLink.id == link_id, ShareLink.user_id == user_id)
        .values(revoked_at=_now())
    )
    db.session.commit()
    return done.rowcount == 1


class ShareLinkGoneError(Exception):
    """The link existed but was withdrawn (`expired_at` None) or ran out (when it did)."""

    def __init__(self, expired_at: datetime | None) -> None:
        super().__init__("expired" if expired_at else "revoked")
        self.expired_at = expired_at


def open_share_link(secret: str) -> ShareLink | None:
    """The live link for this secret, counting the view; None if unknown; ShareLinkGoneError
    if revoked or expired (whoever holds the secret may know that much)."""
    link = db.session.scalar(select(ShareLink).where(ShareLink.token_hash == _hash(secret)))
    if link is None:
        return None
    if link.revoked_at is not None:
        raise ShareLinkGoneError(None)
    if not _live(link.expires_at):
        raise ShareLinkGoneError(_aware(link.expires_at))
    db.session.execute(
        update(ShareLink)
        .where(ShareLink.id == link.id)
        .values(view_count=ShareLink.view_count + 1, last_viewed_at=_now())
    )
    db.session.commit()
    return link


# --- personal access tokens -----------------------------------------------------------------


@dataclass(frozen=True)
class TokenUse:
    user: User
    can_write: bool


def create_token(user: User, name: str, scope: str, days: int | None) -> str:
    """Make a token; returns the secret (shown once). Random, not `secret_for`: a revoked
    token is deleted, and resending an old form must not bring its shown secret back."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(
        ApiToken(
            user_id=user.id,
            name=name.strip(),
            token_hash=_hash(secret),
            scope=scope,
            expires_at=_expiry(days),
        )
    )
    db.session.commit()
    return secret


def tokens_of(user_id: int) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user_id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_token(user_id: int, token_id: int) -> bool:
    done = db.session.execute(
        delete(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id)
    )
    db.session.commit()
    return done.rowcount == 1


def use_token(secret: str) -> TokenUse | None:
    """The account and rights of a live token (its last use noted), or None."""
    row = db.session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == _hash(secret))
    ).first()
    if row is None or not _live(row.ApiToken.expires_at):
        return None
    token, user = row.ApiToken, row.User
    last = _aware(token.last_used_at)
    if last is None or _now() - last > LAST_USED_EVERY:
        db.session.execute(
            update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=_now())
        )
        db.session.commit()
    return TokenUse(user, token.scope == "read write")
