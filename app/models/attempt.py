"""Quiz attempts, the items each was asked, the answers given and the scores computed once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db, table_args
from app.models.item_version import ItemVersion

IN_PROGRESS = "in_progress"
SUBMITTED = "submitted"


class Attempt(db.Model):
    __tablename__ = "attempts"
    __table_args__ = table_args(
        CheckConstraint(f"status IN ('{IN_PROGRESS}', '{SUBMITTED}')", name="status"),
        Index("ix_attempts_user_quiz", "user_id", "quiz_key", "id"),
        Index("ix_attempts_user_status", "user_id", "status", "id"),
        # At most one attempt in progress per user and quiz, whatever the races between tabs.
        Index(
            "uq_attempts_one_in_progress",
            "user_id",
            "quiz_key",
            unique=True,
            sqlite_where=text(f"status = '{IN_PROGRESS}'"),
            postgresql_where=text(f"status = '{IN_PROGRESS}'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    quiz_key: Mapped[str] = mapped_column(String(100))
    role_slug: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(160))
    status: Mapped[str] = mapped_column(String(20), default=IN_PROGRESS)
    item_count: Mapped[int] = mapped_column(Integer)
    overall_score: Mapped[float | None] = mapped_column(Float)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_activity_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    # Brought in by /import: self-declared, so it counts in its owner's estimates but never in
    # the item statistics and alpha that every user's scoring relies on (services/item_stats.py).
    imported: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    items: Mapped[list[AttemptItem]] = relationship(
        back_populates="attempt", order_by="AttemptItem.position", passive_deletes=True
    )

    @property
    def is_submitted(self) -> bool:
        return self.status == SUBMITTED


class AttemptItem(db.Model):
    """One question of one attempt, pinned to the item version that was asked."""

    __tablename__ = "attempt_items"
    __table_args__ = table_args(
        UniqueConstraint("attempt_id", "position"),
        UniqueConstraint("attempt_id", "item_version_id"),
        CheckConstraint("position >= 1", name="position_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    item_version_id: Mapped[int] = mapped_column(ForeignKey("item_versions.id"))

    attempt: Mapped[Attempt] = relationship(back_populates="items")
    item_version: Mapped[ItemVersion] = relationship()


class Answer(db.Model):
    """The latest answer to one attempt item; saved as an upsert, so at most one per item."""

    __tablename__ = "answers"
    __table_args__ = table_args(
        UniqueConstraint("attempt_item_id"),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating_range"),
        CheckConstraint(
            "skipped OR rating IS NOT NULL OR choices IS NOT NULL", name="answered_or_skipped"
        ),
        CheckConstraint("credit IS NULL OR (credit >= 0 AND credit <= 1)", name="credit_range"),
        Index("ix_answers_attempt", "attempt_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    attempt_item_id: Mapped[int] = mapped_column(ForeignKey("attempt_items.id", ondelete="CASCADE"))
    rating: Mapped[int | None] = mapped_column(Integer)
    # Selected option ids, sorted and comma-separated ("a,c").
    choices: Mapped[str | None] = mapped_column(String(40))
    skipped: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    credit: Mapped[float | None] = mapped_column(Float)
    """0..1: the share of the item answered right, or (rating - 1) / 4; None if skipped."""
    answered_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class SkillScore(db.Model):
    """Scores for one skill in one submitted attempt, computed once at submit (0-100)."""

    __tablename__ = "skill_scores"
    __table_args__ = table_args(
        UniqueConstraint("attempt_id", "skill_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    skill_id: Mapped[str] = mapped_column(String(64))
    self_score: Mapped[float | None] = mapped_column(Float)
    knowledge_score: Mapped[float | None] = mapped_column(Float)
    combined_score: Mapped[float] = mapped_column(Float)
    self_count: Mapped[int] = mapped_column(Integer)
    knowledge_count: Mapped[int] = mapped_column(Integer)


class SkillEstimate(db.Model):
    """Each user's current estimate per skill from all their answers (services/estimates.py),
    recomputed for the attempt's skills when it is submitted.

    A projection kept so the report reads at most one row per skill, whatever the length of the
    user's history.
    """

    __tablename__ = "skill_estimates"
    __table_args__ = table_args(
        UniqueConstraint("user_id", "skill_id"),
        CheckConstraint("low <= score AND score <= high", name="band_holds_score"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    skill_id: Mapped[str] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(Float)
    low: Mapped[float] = mapped_column(Float)
    high: Mapped[float] = mapped_column(Float)
    answers: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
