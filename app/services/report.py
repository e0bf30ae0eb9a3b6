"""Load what the readiness report needs in a fixed number of queries, as plain data."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

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


def latest_scores(user_id: int) -> dict[str, LatestScore]:
    """The most recent combined score of every skill the user was assessed on (one query)."""
    rows = db.session.execute(
        select(
            LatestSkillScore.skill_id, LatestSkillScore.combined_score, LatestSkillScore.scored_at
        ).where(LatestSkillScore.user_id == user_id)
    )
    return {r.skill_id: LatestScore(r.combined_score, r.scored_at.date()) for r in rows}


def progress(user_id: int, limit: int = PROGRESS_ATTEMPTS) -> list[AttemptPoint]:
    """The latest submitted attempts, oldest first, with their skill scores (two queries)."""
    attempts = list(
        db.session.execute(
            select(Attempt.id, Attempt.title, Attempt.submitted_at, Attempt.overall_score)
            .where(Attempt.user_id == user_id, Attempt.status == SUBMITTED)
            .order_by(Attempt.id.desc())
            .limit(limit)
        )
    )
    if not attempts:
        return []
    by_attempt: dict[int, dict[str, float]] = defaultdict(dict)
    for r in db.session.execute(
        select(SkillScore.attempt_id, SkillScore.skill_id, SkillScore.combined_score).where(
            SkillScore.attempt_id.in_([a.id for a in attempts])
        )
    ):
        by_attempt[r.attempt_id][r.skill_id] = r.combined_score
    return [
        AttemptPoint(a.id, a.title, a.submitted_at.date(), a.overall_score, by_attempt[a.id])
        for a in reversed(attempts)
    ]


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
