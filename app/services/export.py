"""Everything a user has stored, as JSON-ready data and as long-format CSV rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from app.database import as_utc
from app.extensions import db
from app.models import Answer, Attempt, AttemptItem, ItemVersion, SkillScore, User
from app.services import feedback, milestones, skill_estimates

CSV_HEADER = ("section", "record", "field", "value")
FORMAT = "prodready-export"
VERSION = 3
"""Version 2 carries each asked item's full content, so /import can restore attempts anywhere.
Version 3 leaves the key out of attempts in progress (KEY_FIELDS); the importer reads both."""

KEY_FIELDS = ("item_version", "credit", "item")
"""What would tell an answer before submission: the item's content (its options marked correct
and the explanation), the hash that confirms a guess of that content, and the saved answer's
credit. Only a submitted attempt's answers carry them."""


def _plain(value: Any) -> Any:
    """JSON-ready: every moment with its offset (SQLite hands back naive UTC), dates as days."""
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _row_dict(row: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: _plain(getattr(row, name)) for name in ("id", *fields)}


def export_data(user: User) -> dict[str, Any]:
    """The user's profile, attempts with answers and scores, and milestones (fixed queries)."""
    attempts = list(
        db.session.scalars(select(Attempt).where(Attempt.user_id == user.id).order_by(Attempt.id))
    )
    answers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in db.session.execute(
        select(
            AttemptItem.attempt_id,
            AttemptItem.position,
            ItemVersion.item_id,
            ItemVersion.skill_id,
            ItemVersion.content_hash,
            ItemVersion.content,
            Answer.rating,
            Answer.choices,
            Answer.skipped,
            Answer.credit,
            Answer.answered_at,
        )
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .join(ItemVersion, ItemVersion.id == AttemptItem.item_version_id)
        .outerjoin(Answer, Answer.attempt_item_id == AttemptItem.id)
        .where(Attempt.user_id == user.id)
        .order_by(AttemptItem.attempt_id, AttemptItem.position)
    ):
        answers[r.attempt_id].append(
            {
                "position": r.position,
                "item_id": r.item_id,
                "skill_id": r.skill_id,
                "item_version": r.content_hash,
                "prompt": r.content["prompt"],
                "rating": r.rating,
                "choices": r.choices.split(",") if r.choices else [],
                "skipped": bool(r.skipped),
                "credit": r.credit,
                "answered_at": _plain(r.answered_at),
                "item": r.content,
            }
        )
    scores: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for s in db.session.scalars(
        select(SkillScore)
        .join(Attempt, Attempt.id == SkillScore.attempt_id)
        .where(Attempt.user_id == user.id)
        .order_by(SkillScore.attempt_id, SkillScore.skill_id)
    ):
        scores[s.attempt_id].append(
            _row_dict(s, ("skill_id", "self_score", "knowledge_score", "combined_score"))
        )
    rows = milestones.list_all(user.id)
    current = skill_estimates.current(user.id)
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": datetime.now().astimezone().isoformat(),
        "profile": {
            "email": user.email,
            "display_name": user.display_name,
            "target_role": user.target_role,
            "time_zone": user.time_zone,
            "created_at": _plain(user.created_at),
        },
        "attempts": [
            {
                **_row_dict(
                    a,
                    (
                        "quiz_key",
                        "role_slug",
                        "title",
                        "status",
                        "overall_score",
                        "started_at",
                        "submitted_at",
                    ),
                ),
                "answers": answers[a.id] if a.is_submitted else _without_key(answers[a.id]),
                "skill_scores": scores[a.id],
            }
            for a in attempts
        ],
        "skill_estimates": [
            {
                "skill_id": skill_id,
                "estimate": round(c.estimate.score, 1),
                "band_low": round(c.estimate.low, 1),
                "band_high": round(c.estimate.high, 1),
                "band": "80 % interval",
                "answers": c.estimate.answers,
                "updated_on": c.updated_on.isoformat(),
            }
            for skill_id, c in sorted(current.items())
        ],
        "milestones": {
            slug: [_row_dict(row, kind.fields) for row in rows[slug]]
            for slug, kind in milestones.KINDS.items()
        },
        # Raters' feedback: aggregates of closed rounds only (no comment); not imported.
        "feedback_rounds": feedback.export_rounds(user.id),
    }


def _without_key(answers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in answer.items() if k not in KEY_FIELDS} for answer in answers]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A spreadsheet reads a cell starting with one of these as a formula (OWASP, CSV injection)."""


def spreadsheet_safe(value: Any) -> Any:
    """A text value that a spreadsheet would run as a formula, with a leading apostrophe so it
    shows as the text it is; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_rows(data: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    """Long format: one row per (section, record, field, value), so every record fits one CSV;
    text that would run as a formula in a spreadsheet is neutralised."""
    for row in _csv_records(data):
        yield tuple(spreadsheet_safe(value) for value in row)


def _csv_records(data: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    yield CSV_HEADER
    yield ("export", "", "format", f"{data['format']}/{data['version']}")
    yield ("export", "", "exported_at", data["exported_at"])
    for field, value in data["profile"].items():
        yield ("profile", "", field, value)
    for attempt in data["attempts"]:
        record = f"attempt {attempt['id']}"
        for field, value in attempt.items():
            if field not in ("answers", "skill_scores"):
                yield ("attempt", record, field, value)
        for answer in attempt["answers"]:
            sub = f"{record} question {answer['position']}"
            for field, value in answer.items():
                if field not in ("position", "item"):
                    yield (
                        "answer",
                        sub,
                        field,
                        ",".join(value) if isinstance(value, list) else value,
                    )
        for score in attempt["skill_scores"]:
            sub = f"{record} skill {score['skill_id']}"
            for field, value in score.items():
                if field not in ("id", "skill_id"):
                    yield ("skill_score", sub, field, value)
    for estimate in data["skill_estimates"]:
        for field, value in estimate.items():
            if field != "skill_id":
                yield ("skill_estimate", estimate["skill_id"], field, value)
    for slug, items in data["milestones"].items():
        for item in items:
            for field, value in item.items():
                if field != "id":
                    yield (slug, f"{slug} {item['id']}", field, value)
    for number, feedback_round in enumerate(data["feedback_rounds"], start=1):
        record = f"feedback round {number}"
        for field in ("role_slug", "opened_at", "closed_at", "minimum_group"):
            yield ("feedback_round", record, field, feedback_round[field])
        for skill in feedback_round["skills"]:
            sub = f"{record} skill {skill['skill_id']}"
            for field in ("own", "others", "gap", "finding"):
                yield ("feedback_skill", sub, field, skill[field])
            for group, mean in skill["by_group"].items():
                yield ("feedback_skill", sub, group, mean)
