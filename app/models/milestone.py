"""Milestones toward a production role: typed tables, so the database enforces what it can."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    false,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db, table_args

EDUCATION_LEVELS = ("high_school", "associate", "bachelor", "master", "mba", "doctorate")
EDUCATION_STATUSES = ("planned", "in_progress", "completed")
ACTIVITY_KINDS = ("conference", "course", "mentoring", "workshop", "other")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class _Owned:
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Education(_Owned, db.Model):
    __tablename__ = "education"
    __table_args__ = table_args(
        CheckConstraint(_in("level", EDUCATION_LEVELS), name="level"),
        CheckConstraint(_in("status", EDUCATION_STATUSES), name="status"),
        CheckConstraint(
            "start_date IS NULL OR end_date IS NULL OR end_date >= start_date", name="dates"
        ),
    )

    level: Mapped[str] = mapped_column(String(20))
    field: Mapped[str] = mapped_column(String(120))
    institution: Mapped[str] = mapped_column(String(160), default="", server_default="")
    status: Mapped[str] = mapped_column(String(20))
    start_date: Mapped[date | None] = mapped_column(Date)
    # Completion date: actual when completed, expected otherwise.
    end_date: Mapped[date | None] = mapped_column(Date)


class Position(_Owned, db.Model):
    __tablename__ = "positions"
    __table_args__ = table_args(
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates"),
        CheckConstraint(
            "(managed_people AND people_managed >= 1) OR "
            "(NOT managed_people AND people_managed IS NULL)",
            name="people",
        ),
    )

    title: Mapped[str] = mapped_column(String(120))
    organisation: Mapped[str] = mapped_column(String(160))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)  # NULL: the current position
    in_production: Mapped[bool] = mapped_column(Boolean, default=True, server_default=false())
    managed_people: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    people_managed: Mapped[int | None] = mapped_column(Integer)


class Certification(_Owned, db.Model):
    __tablename__ = "certifications"
    __table_args__ = table_args(
        CheckConstraint("expires_on IS NULL OR expires_on > earned_on", name="dates"),
    )

    name: Mapped[str] = mapped_column(String(120))
    issuer: Mapped[str] = mapped_column(String(160), default="", server_default="")
    earned_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)


class Activity(_Owned, db.Model):
    __tablename__ = "activities"
    __table_args__ = table_args(
        CheckConstraint(_in("kind", ACTIVITY_KINDS), name="kind"),
    )

    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(160))
    occurred_on: Mapped[date] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(String(500), default="", server_default="")
