"""Answer keys and credits never leave the server before submission (issue 23, point 6): not in
a quiz page, an autosave answer, an export or an API response about an attempt in progress."""

from __future__ import annotations

import json

import sqlalchemy as sa

from app.extensions import db
from app.models import ItemVersion
from app.services import importer
from tests.conftest import login
from tests.web.quiz_helpers import correct_values, questions, start, wrong_values
from tests.web.test_accounts_lifecycle import upload
from tests.web.test_api import Api, token_for


def secrets_of(app, attempt_id: int) -> list[str]:
    """What would give the key away: each choice question's explanation and content hash, and
    the marks of correct options and saved credits as they appear in JSON and CSV."""
    asked = [q for q in questions(app, attempt_id) if not q.is_self_rating]
    with app.app_context():
        hashes = db.session.scalars(
            sa.select(ItemVersion.content_hash).where(
                ItemVersion.item_id.in_([q.item.id for q in asked])
            )
        ).all()
    return [
        '"correct"',
        '"credit"',
        ",credit,",
        *(q.item.explanation for q in asked),
        *hashes,
    ]


def test_no_key_or_credit_leaves_before_submission(app, user_client):
    client = user_client
    attempt_id = start(client)
    asked = questions(app, attempt_id)
    knowledge = next(q for q in asked if q.item.kind == "knowledge")
    scenario = next(q for q in asked if q.item.kind == "scenario")
    api = Api(app, token_for(app))
    seen = {}

    right = client.post(  # as autosave.js sends it
        f"/attempts/{attempt_id}/answer",
        data={"position": knowledge.position, "answer": correct_values(knowledge)},
        headers={"Accept": "application/json"},
    )
    assert right.json == {
        "saved": True,
        "position": knowledge.position,
        "skipped": False,
        "cleared": False,
        "missing": 0,  # choices still to tick for a "Choose 2": a count, nothing of the key
    }
    seen["autosave (knowledge)"] = right.text
    put = api.put(
        f"/api/v1/attempts/{attempt_id}/answers/{scenario.position}",
        json={"values": wrong_values(scenario)},
    )
    assert put.status_code == 200
    seen["API answer"] = put.text

    for q in asked:
        seen[f"question {q.position}"] = client.get(f"/attempts/{attempt_id}?q={q.position}").text
        api_question = api.get(f"/api/v1/attempts/{attempt_id}/questions/{q.position}")
        assert api_question.status_code == 200
        seen[f"API question {q.position}"] = api_question.text
    seen["review"] = client.get(f"/attempts/{attempt_id}/review").text
    seen["export.json"] = client.get("/export.json").text
    seen["export.csv"] = client.get("/export.csv").text
    for url in (
        f"/api/v1/attempts/{attempt_id}",
        "/api/v1/attempts",
        f"/api/v1/attempts/{attempt_id}/result",
        "/api/v1/export",
    ):
        seen[url] = api.get(url).text

    saved = json.loads(seen["export.json"])["attempts"][0]["answers"]
    assert [a["choices"] for a in saved if a["position"] == knowledge.position] == [
        correct_values(knowledge)
    ]  # the person's own answers are still in the export, only the key is not
    leaks = {
        name: [s for s in secrets_of(app, attempt_id) if s in text] for name, text in seen.items()
    }
    assert {name: found for name, found in leaks.items() if found} == {}

    with app.app_context():  # the in-progress attempt without its key is a valid file
        assert importer.parse(seen["export.json"].encode(), 10**7, 10**7).version == 3

    # Once submitted, the export carries the key again.
    client.post(f"/attempts/{attempt_id}/submit", data={"skip_unanswered": "y"})
    exported = client.get("/export.json").text
    assert '"correct": true' in exported
    assert knowledge.item.explanation in exported


def test_a_version_2_export_still_imports(app, user_client, make_user):
    """Version 2 wrote attempts in progress with their keys; the importer still reads it and,
    as before, leaves those attempts out."""
    attempt_id = start(user_client)
    user_client.post(f"/attempts/{attempt_id}/submit", data={"skip_unanswered": "y"})
    data = json.loads(user_client.get("/export.json").text)
    [submitted] = data["attempts"]
    in_progress = {
        **submitted,
        "id": attempt_id + 1,
        "quiz_key": "skill.leadership",
        "status": "in_progress",
        "submitted_at": None,
        "overall_score": None,
        "skill_scores": [],
    }
    data.update(version=2, attempts=[submitted, in_progress])

    make_user("eve@example.com", "Eve")
    eve = app.test_client()
    login(eve, "eve@example.com")
    response = upload(eve, json.dumps(data).encode())
    assert response.status_code == 302, response.text
    assert "Imported 1 quiz attempt" in eve.get("/attempts").text
