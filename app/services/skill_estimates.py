"""Load a user's answers, store their pooled skill estimates, and read them back."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, tzinfo
from functools import cache

from sqlalchemy import Select, bindparam, delete, select, update

from app.catalogue.credit import choice_score
from app.catalogue.loader import Catalogue
from app.catalogue.schema import ChoiceItem
from app.catalogue.sync import item_versions
from app.database import as_utc
from app.extensions import db
from app.models import Answer, Attempt, AttemptItem, ItemVersion, SkillEstimate, User
from app.models.attempt import SUBMITTED
from app.services import estimates
from app.services.scoring import self_rating_score
from app.upsert import upsert


def credit(item: object, rating: int | None, chosen: frozenset[str]) -> float | None:
    """An answer's credit, 0..1 (None for a skipped self-rating; a skipped or unanswered
    knowledge or scenario item earns 0)."""
    if isinstance(item, ChoiceItem):
        return choice_score(chosen, item.correct_ids, item.select) / 100 if chosen else 0.0
    return self_rating_score(rating) / 100 if rating is not None else None


@cache
def _records_query() -> Select:
    return (
        select(
            Attempt.id.label("attempt_id"),
            Attempt.submitted_at,
            ItemVersion.id.label("version_id"),
            ItemVersion.item_id,
            ItemVersion.skill_id,
            ItemVersion.kind,
            ItemVersion.content_hash,
            Answer.credit,
            Answer.rating,
            Answer.choices,
        )
        .select_from(AttemptItem)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .join(ItemVersion, ItemVersion.id == AttemptItem.item_version_id)
        .outerjoin(Answer, Answer.attempt_item_id == AttemptItem.id)
        .where(
            Attempt.user_id == bindparam("user_id"),
            Attempt.status == SUBMITTED,
            ItemVersion.skill_id.in_(bindparam("skill_ids", expanding=True)),
        )
    )


def answer_records(
    user_id: int, skill_ids: Iterable[str], cat: Catalogue
) -> list[estimates.AnswerRecord]:
    """Every question of the user's submitted attempts for these skills, as the model needs it;
    an answer saved before credits were stored is scored from its item version."""
    rows = db.session.execute(
        _records_query(), {"user_id": user_id, "skill_ids": sorted(set(skill_ids))}
    ).all()
    legacy = [r for r in rows if r.credit is None and (r.choices or r.rating)]
    parsed = item_versions([(r.version_id, r.item_id, r.content_hash) for r in legacy])
    records = []
    for r in rows:
        value = r.credit
        if value is None and (r.choices or r.rating):
            chosen = frozenset(r.choices.split(",")) if r.choices else frozenset()
            value = credit(parsed[r.version_id], r.rating, chosen)
        elif value is None and r.kind != "self_rating":
            value = 0.0  # asked but left unanswered: counts as wrong, as in the attempt's score
        current = cat.items.get(r.item_id)
        records.append(
            estimates.AnswerRecord(
                skill_id=r.skill_id,
                item_id=r.item_id,
                attempt_id=r.attempt_id,
                submitted_at=as_utc(r.submitted_at),
                self_rating=r.kind == "self_rating",
                credit=value,
                difficulty=getattr(current.content, "difficulty", None) if current else None,
            )
        )
    return records


def refresh(user_id: int, skill_ids: Iterable[str], cat: Catalogue, now: datetime) -> None:
    """Recompute and store the user's estimates for these skills (in the caller's transaction)."""
    skill_ids = sorted(set(skill_ids))
    found = estimates.estimates(answer_records(user_id, skill_ids, cat), now)
    if found:
        db.session.execute(
            upsert(
                SkillEstimate,
                ("user_id", "skill_id"),
                ("score", "low", "high", "answers", "updated_at"),
            ),
            [
                {
                    "user_id": user_id,
                    "skill_id": skill_id,
                    "score": e.score,
                    "low": e.low,
                    "high": e.high,
                    "answers": e.answers,
                    "updated_at": now,
                }
                for skill_id, e in sorted(found.items())
            ],
        )
    stale = [s for s in skill_ids if s not in found]
    if stale:
        db.session.execute(
            delete(SkillEstimate).where(
                SkillEstimate.user_id == user_id, SkillEstimate.skill_id.in_(stale)
            )
        )


@cache
def _current_query() -> Select:
    return select(
        SkillEstimate.skill_id,
        SkillEstimate.score,
        SkillEstimate.low,
        SkillEstimate.high,
        SkillEstimate.answers,
        SkillEstimate.updated_at,
    ).where(SkillEstimate.user_id == bindparam("user_id"))


def current(user_id: int, zone: tzinfo = UTC) -> dict[str, estimates.CurrentEstimate]:
    """The user's stored estimate for every skill they have answered questions on (one query),
    each dated by the day of its last update in `zone`."""
    rows = db.session.connection().execute(_current_query(), {"user_id": user_id}).all()
    return {
        skill_id: estimates.CurrentEstimate(
            estimates.Estimate(score, low, high, answers),
            as_utc(updated_at).astimezone(zone).date(),
        )
        for skill_id, score, low, high, answers, updated_at in rows
    }


def rebuild(cat: Catalogue, now: datetime) -> tuple[int, int]:
    """Store the credit of every answer saved without one and recompute every user's estimates
    (after upgrading to the schema that added them). Returns (answers scored, users)."""
    missing = db.session.execute(
        select(
            Answer.id,
            Answer.rating,
            Answer.choices,
            ItemVersion.id.label("version_id"),
            ItemVersion.item_id,
            ItemVersion.content_hash,
        )
        .join(AttemptItem, AttemptItem.id == Answer.attempt_item_id)
        .join(ItemVersion, ItemVersion.id == AttemptItem.item_version_id)
        .where(Answer.credit.is_(None), Answer.skipped.is_(False))
    ).all()
    parsed = item_versions([(r.version_id, r.item_id, r.content_hash) for r in missing])
    if missing:
        db.session.execute(
            # Core, not the ORM: an executemany UPDATE keyed by a bound id
            update(Answer.__table__)
            .where(Answer.__table__.c.id == bindparam("b_id"))
            .values(credit=bindparam("b_credit")),
            [
                {
                    "b_id": r.id,
                    "b_credit": credit(
                        parsed[r.version_id],
                        r.rating,
                        frozenset(r.choices.split(",")) if r.choices else frozenset(),
                    ),
                }
                for r in missing
            ],
        )
    users = list(db.session.scalars(select(User.id)))
    for user_id in users:
        refresh(user_id, cat.skills, cat, now)
    db.session.commit()
    return len(missing), len(users)
