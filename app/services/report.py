"""Load what the readiness report needs in a fixed number of queries, as plain data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import Select, bindparam, select

from app.extensions import db
from app.models import Attempt, LatestSkillScore, SkillScore
from app.models.attempt import SUBMITTED
from app.services import milestones
from app.services.experience import PositionFacts, experience
from app.services.readiness import (
    LEVEL_LABEL,
    CertificationFacts,
    EducationFacts,
    LatestScore,
    UserFacts,
)

PROGRESS_ATTEMPTS = 30
"""The progress chart shows the most recent submitted attempts, at most this many."""


@dataclass(frozen=True)
class AttemptPoint:
    attempt_id: int
    title: str
    when: date
    overall: float | None
    skills: dict[str, float]


@dataclass(frozen=True)
class TimelineEvent:
    when: date
    kind: str
    text: str


@cache
def _latest_scores_query() -> Select:
    return select(
        LatestSkillScore.skill_id, LatestSkillScore.combined_score, LatestSkillScore.scored_at
    ).where(LatestSkillScore.user_id == bindparam("user_id"))


def latest_scores(user_id: int) -> dict[str, LatestScore]:
    """The most recent combined score of every skill the user was assessed on (one query)."""
    rows = db.session.execute(_latest_scores_query(), {"user_id": user_id})
    return {r.skill_id: LatestScore(r.combined_score, r.scored_at.date()) for r in rows}


@cache
def _progress_query() -> Select:
    recent = (
        select(Attempt.id, Attempt.title, Attempt.submitted_at, Attempt.overall_score)
        .where(Attempt.user_id == bindparam("user_id"), Attempt.status == SUBMITTED)
        .order_by(Attempt.id.desc())
        .limit(bindparam("limit"))
        .subquery()
    )
    return (
        select(recent, SkillScore.skill_id, SkillScore.combined_score)
        .outerjoin(SkillScore, SkillScore.attempt_id == recent.c.id)
        .order_by(recent.c.id)
    )


def progress(user_id: int, limit: int = PROGRESS_ATTEMPTS) -> list[AttemptPoint]:
    """The latest submitted attempts, oldest first, with their skill scores (one query)."""
    points: dict[int, AttemptPoint] = {}
    for r in db.session.execute(_progress_query(), {"user_id": user_id, "limit": limit}):
        point = points.get(r.id)
        if point is None:
            point = points[r.id] = AttemptPoint(
                r.id, r.title, r.submitted_at.date(), r.overall_score, {}
            )
        if r.skill_id is not None:
            point.skills[r.skill_id] = r.combined_score
    return list(points.values())


def facts_from(rows: dict[str, list], scores: dict[str, LatestScore], today: date) -> UserFacts:
    """Turn loaded milestone rows and scores into the plain facts readiness works on."""
    return UserFacts(
        education=[
            EducationFacts(e.level, e.field, e.status, e.end_date) for e in rows["education"]
        ],
        certifications=[
            CertificationFacts(c.name, c.earned_on, c.expires_on) for c in rows["certifications"]
        ],
        experience=experience(
            (
                PositionFacts(p.start_date, p.end_date, p.in_production, p.managed_people)
                for p in rows["positions"]
            ),
            today,
        ),
        latest_scores=scores,
    )


def load_facts(user_id: int, today: date) -> tuple[UserFacts, dict[str, list]]:
    """Everything about the user that readiness needs (five queries), plus the raw rows."""
    rows = milestones.list_all(user_id)
    return facts_from(rows, latest_scores(user_id), today), rows


def timeline(rows: dict[str, list]) -> list[TimelineEvent]:
    """Dated milestones, newest first."""
    events: list[TimelineEvent] = []
    for e in rows["education"]:
        when = e.end_date or e.start_date
        if when:
            events.append(
                TimelineEvent(
                    when,
                    "Education",
                    f"{LEVEL_LABEL[e.level]} in {e.field} ({e.status.replace('_', ' ')})",
                )
            )
    for p in rows["positions"]:
        events.append(
            TimelineEvent(p.start_date, "Position", f"Started as {p.title}, {p.organisation}")
        )
        if p.end_date:
            events.append(
                TimelineEvent(p.end_date, "Position", f"Left {p.title}, {p.organisation}")
            )
    for c in rows["certifications"]:
        events.append(TimelineEvent(c.earned_on, "Certification", f"Earned {c.name}"))
    for a in rows["activities"]:
        events.append(TimelineEvent(a.occurred_on, a.kind.capitalize(), a.title))
    return sorted(events, key=lambda ev: ev.when, reverse=True)
