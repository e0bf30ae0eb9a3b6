"""Bulk seeding of submitted attempts, shared by the query-count tests and the benchmark."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from app.catalogue.loader import Catalogue
from app.extensions import db
from app.models import Attempt, SkillEstimate, SkillScore


def seed_submitted_attempts(cat: Catalogue, user_id: int, n: int, role: str) -> None:
    """Insert n submitted full assessments with a score per skill (call in an app context)."""
    skills = [rs.skill for rs in cat.roles[role].skills.items]
    base = datetime(2024, 1, 1, tzinfo=UTC)
    db.session.execute(
        sa.insert(Attempt),
        [
            {
                "user_id": user_id,
                "quiz_key": f"full.{role}",
                "role_slug": role,
                "title": "Full assessment",
                "status": "submitted",
                "item_count": 3 * len(skills),
                "overall_score": float(i % 100),
                "started_at": base + timedelta(hours=i),
                "submitted_at": base + timedelta(hours=i, minutes=20),
            }
            for i in range(n)
        ],
    )
    ids = db.session.scalars(
        sa.select(Attempt.id).where(Attempt.user_id == user_id, Attempt.status == "submitted")
    ).all()
    db.session.execute(
        sa.insert(SkillScore),
        [
            {
                "attempt_id": a,
                "skill_id": s,
                "self_score": 50.0,
                "knowledge_score": 50.0,
                "combined_score": float((a + k) % 100),
                "self_count": 1,
                "knowledge_count": 2,
            }
            for a in ids
            for k, s in enumerate(skills)
        ],
    )
    # The pooled estimates, as the submit of the last attempt would have stored them.
    db.session.execute(sa.delete(SkillEstimate).where(SkillEstimate.user_id == user_id))
    db.session.execute(
        sa.insert(SkillEstimate),
        [
            {
                "user_id": user_id,
                "skill_id": s,
                "score": float(40 + k),
                "low": float(30 + k),
                "high": float(50 + k),
                "answers": 3 * n,
                "updated_at": base + timedelta(hours=n),
            }
            for k, s in enumerate(skills)
        ],
    )
    db.session.commit()
