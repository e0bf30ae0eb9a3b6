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


def correct_values(question) -> list[str]:
    if question.is_self_rating:
        return ["5"]
    return sorted(question.correct())


def wrong_values(question) -> list[str]:
    if question.is_self_rating:
        return ["1"]
    return [next(o.id for o in question.item.options if not o.correct)]


def answer(client: FlaskClient, attempt_id: int, position: int, values: list[str], **extra):
    return client.post(
        f"/attempts/{attempt_id}/answer",
        data={"position": str(position), "answer": values, **extra},
    )


def answer_all(client: FlaskClient, app: Flask, attempt_id: int, right: bool = True) -> None:
    for q in questions(app, attempt_id):
        values = correct_values(q) if right else wrong_values(q)
        assert answer(client, attempt_id, q.position, values).status_code == 302


def count(app: Flask, model: type, **filters) -> int:
    with app.app_context():
        stmt = sa.select(sa.func.count()).select_from(model)
        for name, value in filters.items():
            stmt = stmt.where(getattr(model, name) == value)
        return db.session.scalar(stmt)
