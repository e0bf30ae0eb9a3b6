"""Load what the readiness report needs in a fixed number of queries, as plain data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, tzinfo
from functools import cache

from sqlalchemy import Select, Text, bindparam, cast, func, literal_column, select

from app.catalogue.schema import Role, Skill
from app.database import as_utc
from app.extensions import db
from app.models import Attempt, SkillScore
from app.models.attempt import SUBMITTED
from app.services import milestones, skill_estimates
from app.services.charts import dated, point_labels
from app.services.estimates import CurrentEstimate
from app.services.experience import PositionFacts, experience
from app.services.quizzes import FULL_PREFIX, SKILL_PREFIX
from app.services.readiness import (
    CertificationFacts,
    EducationFacts,
    UserFacts,
    education_text,
)

OVERALL = "Overall (full assessments)"
"""The progress chart's main line and the table's column: only full assessments score every
skill, so only they say anything about overall readiness."""
PROGRESS_ATTEMPTS = 30
"""The progress chart shows the most recent submitted attempts, at most this many."""
CHART_SKILLS = 6
"""The progress chart draws the overall line and, unless asked for every skill, at most this
many skill lines: the role's heaviest skills with a score. With the overall line that is as
many lines as the palette has colours and markers, so no two look alike; the table beside the
chart keeps every skill's numbers."""


@dataclass(frozen=True)
class AttemptPoint:
    attempt_id: int
    title: str
    when: date
    overall: float | None
    """A full assessment's overall score; None for a quiz on one skill, whose score says nothing
    about the others (it is that skill's score, in `skills`)."""
    skills: dict[str, float]


@dataclass(frozen=True)
class ProgressRow:
    """One row of the data table beside the progress chart, formatted for display."""

    when: str  # "7 Mar 2026", or "2nd on 7 Mar 2026" on a day with several attempts
    title: str
    cells: tuple[str, ...]  # overall score, then one per skill ("" where not assessed)


@dataclass(frozen=True)
class ProgressSeries:
    """The lines the progress chart draws, and the scored skills it leaves to the table."""

    series: list[tuple[str, list[float | None]]]
    left_out: tuple[str, ...]
    scored: int  # skills with a score in the attempts shown


@dataclass(frozen=True)
class WeightChange:
    name: str
    before: int  # 0: the skill was not weighted
    after: int  # 0: the skill is no longer weighted


@dataclass(frozen=True)
class WeightNotice:
    """The role's latest change of skill weights, told to someone whose record predates it."""

    changed_on: date
    why: str
    changes: tuple[WeightChange, ...]


@dataclass(frozen=True)
class TimelineEvent:
    when: date
    kind: str
    text: str


@cache
def _progress_query() -> Select:
    """The latest submitted attempts (a LIMITed derived table), one row each, its skill scores
    folded into one "skill=score,..." string by a subquery per attempt through the
    (attempt_id, skill_id) index: a row per attempt and skill repeated the attempt's title and
    time ten times over, and reading those cost more than the query; grouping the joined rows
    instead cost PostgreSQL a hash aggregate and a sort."""
    recent = (
        select(
            Attempt.id,
            Attempt.title,
            Attempt.submitted_at,
            Attempt.overall_score,
            Attempt.quiz_key,
        )
        .where(Attempt.user_id == bindparam("user_id"), Attempt.status == SUBMITTED)
        .order_by(Attempt.id.desc())
        .limit(PROGRESS_ATTEMPTS)
        .subquery()
    )
    scores = (
        select(
            func.aggregate_strings(
                SkillScore.skill_id + "=" + cast(SkillScore.combined_score, Text),
                literal_column("','"),  # inline: a bound separator is spliced in per execution
            )
        )
        .where(SkillScore.attempt_id == recent.c.id)
        .scalar_subquery()
    )
    return select(recent, scores).order_by(recent.c.id)


def _scores(folded: str | None) -> dict[str, float]:
    """{skill id: score} from "skill=score,..." (text casts of a float read back exactly)."""
    if not folded:
        return {}
    parts = folded.replace("=", ",").split(",")  # skill ids are slugs: no "=" and no ","
    return dict(zip(parts[::2], map(float, parts[1::2]), strict=True))


def progress(user_id: int, zone: tzinfo = UTC) -> list[AttemptPoint]:
    """The latest submitted attempts, oldest first, with their skill scores (one query), each
    dated by the day it was submitted in `zone`."""
    rows = db.session.connection().execute(_progress_query(), {"user_id": user_id}).all()
    return [
        AttemptPoint(
            attempt_id,
            title,
            as_utc(submitted_at).astimezone(zone).date(),
            overall if quiz_key.startswith(FULL_PREFIX) else None,
            _scores(folded),
        )
        for attempt_id, title, submitted_at, overall, quiz_key, folded in rows
    ]


def weight_notice(
    role: Role, skills: Mapping[str, Skill], points: list[AttemptPoint]
) -> WeightNotice | None:
    """The latest weight revision of `role`, if any attempt in `points` was taken before it:
    that person's readiness moved on the day without a new answer, and deserves to know why."""
    revision = role.skills.latest_revision
    if revision is None or not points or points[0].when >= revision.changed_on:
        return None
    after = role.skills.weights_after(revision)
    changes = tuple(
        WeightChange(
            skills[skill_id].name, revision.before.get(skill_id, 0), after.get(skill_id, 0)
        )
        for skill_id in sorted(
            set(revision.before) | set(after),
            key=lambda s: (-after.get(s, 0), -revision.before.get(s, 0), s),
        )
        if revision.before.get(skill_id, 0) != after.get(skill_id, 0)
    )
    return WeightNotice(revision.changed_on, revision.why, changes)


def progress_series(
    points: list[AttemptPoint], skills: list[tuple[str, str]], every_skill: bool = False
) -> ProgressSeries:
    """The overall line and a line per skill of `skills` ((id, name), heaviest first) that has
    a score: the first CHART_SKILLS of them unless `every_skill`."""
    scored = []
    for skill_id, name in skills:
        values = [p.skills.get(skill_id) for p in points]
        if any(v is not None for v in values):
            scored.append((name, values))
    shown = scored if every_skill else scored[:CHART_SKILLS]
    return ProgressSeries(
        [(OVERALL, [p.overall for p in points]), *shown],
        tuple(name for name, _ in scored[len(shown) :]),
        len(scored),
    )


def _whole(score: float | None, missing: str) -> str:
    return missing if score is None else str(round(score))


def progress_rows(points: list[AttemptPoint], skill_ids: list[str]) -> list[ProgressRow]:
    """The progress table, formatted here once: cell by cell in Jinja, its 30 rows by up to ten
    columns were the report's most expensive part to render."""
    whens = point_labels([p.when for p in points], dated)
    return [
        ProgressRow(
            when,
            p.title,
            (_whole(p.overall, "—"), *(_whole(p.skills.get(s), "") for s in skill_ids)),
        )
        for when, p in zip(whens, points, strict=True)
    ]


def facts_from(
    rows: dict[str, list],
    scores: dict[str, CurrentEstimate],
    today: date,
    skill_quizzes_taken: frozenset[str] = frozenset(),
) -> UserFacts:
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
        estimates=scores,
        skill_quizzes_taken=skill_quizzes_taken,
        qualifications_logged=any(rows[k] for k in ("education", "positions", "certifications")),
        positions_logged=bool(rows["positions"]),
    )


def skill_quizzes_taken(user_id: int) -> frozenset[str]:
    """The skills whose own quiz the user has submitted (so "take it again" is true)."""
    keys = db.session.scalars(
        select(Attempt.quiz_key)
        .where(
            Attempt.user_id == user_id,
            Attempt.status == SUBMITTED,
            Attempt.quiz_key.startswith(SKILL_PREFIX),
        )
        .distinct()
    )
    return frozenset(key.removeprefix(SKILL_PREFIX) for key in keys)


def load_facts(user_id: int, today: date, zone: tzinfo = UTC) -> tuple[UserFacts, dict[str, list]]:
    """Everything about the user that readiness needs (six queries), plus the raw rows."""
    rows = milestones.list_all(user_id)
    current = skill_estimates.current(user_id, zone)
    facts = facts_from(rows, current, today, skill_quizzes_taken(user_id))
    return facts, rows


def timeline(rows: dict[str, list], today: date) -> list[TimelineEvent]:
    """Dated milestones, newest first; a certification's expiry is an event of its own ("CPIM
    expired", or "CPIM expires" when that is still to come)."""
    events: list[TimelineEvent] = []
    for e in rows["education"]:
        when = e.end_date or e.start_date
        if when:
            events.append(
                TimelineEvent(
                    when,
                    "Education",
                    f"{education_text(e.level, e.field)} ({e.status.replace('_', ' ')})",
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
        what = f"Earned {c.name}" if c.earned_on <= today else f"Exam for {c.name} booked"
        events.append(TimelineEvent(c.earned_on, "Certification", what))
        if c.expires_on:  # expired on the day itself, as the milestones page says
            ended = "expired" if c.expires_on <= today else "expires"
            events.append(TimelineEvent(c.expires_on, "Certification", f"{c.name} {ended}"))
    for a in rows["activities"]:
        events.append(TimelineEvent(a.occurred_on, a.kind.capitalize(), a.title))
    return sorted(events, key=lambda ev: ev.when, reverse=True)
