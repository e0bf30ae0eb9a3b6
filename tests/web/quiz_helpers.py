"""Helpers for driving quizzes through the test client."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Attempt
from app.services.attempts import load_attempt


def start(client: FlaskClient, key: str = "skill.production-scheduling", role: str = "") -> int:
    data = {"role": role} if role else {}
    response = client.post(f"/quizzes/{key}/start", data=data)
    assert response.status_code == 302, response.data
    match = re.fullmatch(r"/attempts/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def questions(app: Flask, attempt_id: int):
    with app.app_context():
        user_id = db.session.get(Attempt, attempt_id).user_id
        return load_attempt(user_id, attempt_id)[1]


SKILL_KEYS = [
    "skill.production-scheduling",
    "skill.quality-control",
    "skill.supply-chain",
    "skill.lean-improvement",
]


def start_with(client: FlaskClient, app: Flask, wanted) -> tuple[int, object]:
    """Start skill quizzes (setting aside each one that misses) until one asks a question for
    which `wanted(question)` holds; quizzes sample their items, so this may take a few."""
    for _ in range(10):
        for key in SKILL_KEYS:
            attempt_id = start(client, key)
            match = next((q for q in questions(app, attempt_id) if wanted(q)), None)
            if match is not None:
                return attempt_id, match
            client.post(f"/attempts/{attempt_id}/submit", data={"skip_unanswered": "y"})
    raise AssertionError("no quiz asked a matching question")


def correct_values(question) -> list[str]:
    if question.is_self_rating:
        return ["5"]
    return sorted(question.correct())


def wrong_values(question) -> list[str]:
    if question.is_self_rating:
        return ["1"]
    wrong = [o.id for o in question.item.options if not o.correct]
    return sorted(wrong[: question.choose_count or 1])  # as many as asked: a finished answer


def answer(client: FlaskClient, attempt_id: int, position: int, values: list[str], **extra):
    return client.post(
        f"/attempts/{attempt_id}/answer",
        data={"position": str(position), "answer": values, **extra},
    )


def answer_all(client: FlaskClient, app: Flask, attempt_id: int, right: bool = True) -> None:
    """Answer every question as the page's form does, sending back the item it showed."""
    for q in questions(app, attempt_id):
        values = correct_values(q) if right else wrong_values(q)
        response = answer(client, attempt_id, q.position, values, item=q.item.id)
        assert response.status_code == 302


def count(app: Flask, model: type, **filters) -> int:
    with app.app_context():
        stmt = sa.select(sa.func.count()).select_from(model)
        for name, value in filters.items():
            stmt = stmt.where(getattr(model, name) == value)
        return db.session.scalar(stmt)
