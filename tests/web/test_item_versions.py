"""Editing an item in YAML creates a new version; old attempts keep what was asked."""

from __future__ import annotations

import shutil

import yaml
from markupsafe import escape

from app import create_app
from app.models import ItemVersion
from tests.conftest import QUESTIONS_DIR, login, make_config
from tests.web.quiz_helpers import count, questions, start


def test_old_attempts_show_the_version_they_were_asked(app, user_client, tmp_path):
    old_attempt = start(user_client)
    asked = next(
        q.item
        for q in questions(app, old_attempt)
        if q.item.kind != "self_rating" and q.item.select == "single"
    )
    item_id, old_prompt = asked.id, asked.prompt

    bank = tmp_path / "questions"
    shutil.copytree(QUESTIONS_DIR, bank)
    path = bank / "items/production-scheduling.yaml"
    data = yaml.safe_load(path.read_text())
    next(i for i in data["items"] if i["id"] == item_id)["prompt"] = "(edited) What is it?"
    path.write_text(yaml.safe_dump(data, sort_keys=False))

    edited_app = create_app(make_config(app.config["SQLALCHEMY_DATABASE_URI"], QUESTIONS_DIR=bank))
    client = edited_app.test_client()
    login(client)
    client.post(f"/attempts/{old_attempt}/submit", data={"skip_unanswered": "y"})
    # A quiz asks a sample of the skill's items, so retake until the edited item comes up.
    for _ in range(20):
        new_attempt = start(client)
        assert new_attempt != old_attempt
        asked_again = [q.item for q in questions(app, new_attempt) if q.item.id == item_id]
        if asked_again:
            break
        client.post(f"/attempts/{new_attempt}/submit", data={"skip_unanswered": "y"})
    assert asked_again, "the edited item was never asked again"
    assert asked_again[0].prompt == "(edited) What is it?"
    assert count(app, ItemVersion, item_id=item_id) == 2
    assert next(q.item.prompt for q in questions(app, old_attempt) if q.item.id == item_id) == (
        old_prompt
    )
    html = client.get(f"/attempts/{old_attempt}/result").get_data(as_text=True)
    assert str(escape(old_prompt)) in html
    assert "(edited)" not in html


def test_an_attempt_asked_an_older_version_saves_answers_checked_against_it(
    app, user_client, tmp_path
):
    """The form sends back the item's id; once the item has a newer version, that hint names
    the current one, so the answer is checked against the version the attempt asked instead."""
    attempt_id = start(user_client)
    asked = next(q for q in questions(app, attempt_id) if q.item.kind != "self_rating")
    bank = tmp_path / "questions"
    shutil.copytree(QUESTIONS_DIR, bank)
    path = bank / "items/production-scheduling.yaml"
    data = yaml.safe_load(path.read_text())
    # Keep the rest of the prompt: a multiple-select prompt must still say how many to choose.
    edited = next(i for i in data["items"] if i["id"] == asked.item.id)
    edited["prompt"] = "(edited) " + edited["prompt"]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    edited_app = create_app(make_config(app.config["SQLALCHEMY_DATABASE_URI"], QUESTIONS_DIR=bank))
    client = edited_app.test_client()
    login(client)
    chosen = sorted(asked.correct())
    response = client.post(
        f"/attempts/{attempt_id}/answer",
        data={"position": str(asked.position), "answer": chosen, "item": asked.item.id},
    )
    assert response.status_code == 302
    saved = questions(app, attempt_id)[asked.position - 1]
    assert sorted(saved.chosen) == chosen
    assert saved.item.prompt == asked.item.prompt  # still the version asked
