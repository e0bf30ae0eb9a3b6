"""Races between tabs and double clicks, with real threads against the real database."""

from __future__ import annotations

import threading
from collections.abc import Callable

import sqlalchemy as sa

from app.extensions import db
from app.models import Answer, Attempt, SkillScore
from app.services.scoring import score_skills
from tests.conftest import login
from tests.web.quiz_helpers import answer, correct_values, count, questions, start


def run_together(calls: list[Callable[[], int]]) -> list[int]:
    """Run the calls in threads released at the same moment; return their status codes."""
    barrier = threading.Barrier(len(calls))
    results: list[int | None] = [None] * len(calls)

    def worker(index: int) -> None:
        barrier.wait()
        results[index] = calls[index]()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def tab(app):
    """A second browser tab: its own client, logged in as the same user."""
    client = app.test_client()
    login(client)
    return client


def test_concurrent_submits_score_exactly_once(app, user_client):
    attempt_id = start(user_client)
    for q in questions(app, attempt_id):
        answer(user_client, attempt_id, q.position, correct_values(q))
    tabs = [tab(app) for _ in range(6)]
    codes = run_together(
        [lambda c=c: c.post(f"/attempts/{attempt_id}/submit").status_code for c in tabs]
    )
    assert codes == [302] * 6
    assert count(app, SkillScore, attempt_id=attempt_id) == 1
    assert count(app, Attempt, status="submitted") == 1


def test_answers_racing_a_submit_are_either_scored_or_refused(app, user_client):
    attempt_id = start(user_client)
    qs = questions(app, attempt_id)
    tabs = [tab(app) for _ in qs]
    submitter = tab(app)
    calls = [
        lambda c=c, q=q: answer(c, attempt_id, q.position, correct_values(q)).status_code
        for c, q in zip(tabs, qs, strict=True)
    ]
    calls.append(
        lambda: (
            submitter.post(
                f"/attempts/{attempt_id}/submit", data={"skip_unanswered": "y"}
            ).status_code
        )
    )
    codes = run_together(calls)
    answer_codes = codes[:-1]
    assert set(answer_codes) <= {302, 409}
    assert codes[-1] == 302
    saved = count(app, Answer, attempt_id=attempt_id)
    # Every answer that was accepted is stored...
    assert saved == sum(1 for c in answer_codes if c == 302)
    # ...and none was stored after scoring: the stored score matches a rescore of what is saved.
    with app.app_context():
        rescored = score_skills(q.to_scoring() for q in questions(app, attempt_id))
        stored = db.session.scalars(
            sa.select(SkillScore).where(SkillScore.attempt_id == attempt_id)
        ).all()
        assert [(s.skill_id, s.combined_score) for s in stored] == [
            (r.skill_id, r.combined_score) for r in rescored.values()
        ]


def test_two_tabs_starting_the_same_quiz_share_one_attempt(app, user_client):
    tabs = [tab(app) for _ in range(4)]
    locations: list[str] = []

    def go(c) -> int:
        response = c.post("/quizzes/skill.quality-control/start")
        locations.append(response.headers.get("Location", ""))
        return response.status_code

    codes = run_together([lambda c=c: go(c) for c in tabs])
    assert codes == [302] * 4
    assert len(set(locations)) == 1
    assert count(app, Attempt) == 1
