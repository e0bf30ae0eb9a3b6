"""Feedback from raters (360): rounds, invitations, and the answers raters give.

A round belongs to one person and one target role; raters are invited into it, answer without
an account through their invitation's secret link (only its SHA-256 hash is stored), and the
person sees what they said, in aggregate where the group is anonymous, once the round is closed
(services/feedback.py and docs/feedback.md say why then and not before).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db, table_args

RELATIONSHIPS = ("manager", "peer", "direct_report", "mentor", "other")
"""Who a rater is to the person; manager and mentor are shown as theirs, the rest pooled."""


class FeedbackRound(db.Model):
    __tablename__ = "feedback_rounds"
    __table_args__ = table_args(
        # At most one open round per person, whatever the races between tabs.
        Index(
            "uq_feedback_rounds_one_open",
            "user_id",
            unique=True,
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role_slug: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class FeedbackInvitation(db.Model):
    __tablename__ = "feedback_invitations"
    __table_args__ = table_args(
        CheckConstraint(
            "relationship IN ('manager', 'peer', 'direct_report', 'mentor', 'other')",
            name="relationship",
        ),
        # One invitation per address per round (links without an address are not limited).
        UniqueConstraint("round_id", "email"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_rounds.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    relationship: Mapped[str] = mapped_column(String(20))
    # What the person calls this rater on their own page ("Sam, line 2"); never shown to others.
    label: Mapped[str] = mapped_column(String(80), default="", server_default="")
    note: Mapped[str] = mapped_column(String(500), default="", server_default="")
    # Kept only while the round is open (erased when it closes); None for a copied link.
    email: Mapped[str | None] = mapped_column(String(254))
    # The address's SHA-256, kept after the round closes so that "don't ask me again" in the
    # mail still works; the address itself cannot be read back from it.
    email_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # SHA-256 of the device key (a cookie) of the browser that saved the first answer: only
    # that browser sees, changes or submits the draft. None until something is saved.
    device_hash: Mapped[str | None] = mapped_column(String(64))


class FeedbackRating(db.Model):
    """A rater's level (1-5) for one self-rating item, or None: "not observed"."""

    __tablename__ = "feedback_ratings"
    __table_args__ = table_args(
        UniqueConstraint("invitation_id", "item_id"),
        CheckConstraint("level IS NULL OR (level >= 1 AND level <= 5)", name="level_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_invitations.id", ondelete="CASCADE")
    )
    skill_id: Mapped[str] = mapped_column(String(64))
    item_id: Mapped[str] = mapped_column(String(80))
    level: Mapped[int | None] = mapped_column(Integer)


class FeedbackComment(db.Model):
    __tablename__ = "feedback_comments"
    __table_args__ = table_args(
        UniqueConstraint("invitation_id", "skill_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_invitations.id", ondelete="CASCADE")
    )
    skill_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)


class FeedbackOptOut(db.Model):
    """An address that asked not to be asked again: kept as a hash, never as the address."""

    __tablename__ = "feedback_opt_outs"

    email_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
