"""Editing an item in YAML creates a new version; old attempts keep what was asked."""

from __future__ import annotations

import shutil

import yaml

from app import create_app
from app.models import ItemVersion
from tests.conftest import QUESTIONS_DIR, login, make_config
from tests.web.quiz_helpers import count, questions, start

ITEM = "sched.know.mps"


def test_old_attempts_show_the_version_they_were_asked(app, user_client, tmp_path):
    old_attempt = start(user_client)
    old_prompt = next(q.item.prompt for q in questions(app, old_attempt) if q.item.id == ITEM)

    bank = tmp_path / "questions"
    shutil.copytree(QUESTIONS_DIR, bank)
    path = bank / "items/production-scheduling.yaml"
    data = yaml.safe_load(path.read_text())
    next(i for i in data["items"] if i["id"] == ITEM)["prompt"] = "What is an MPS? (edited)"
    path.write_text(yaml.safe_dump(data, sort_keys=False))

    edited_app = create_app(make_config(app.config["SQLALCHEMY_DATABASE_URI"], QUESTIONS_DIR=bank))
    client = edited_app.test_client()
    login(client)
    client.post(f"/attempts/{old_attempt}/submit", data={"skip_unanswered": "y"})
    new_attempt = start(client)
    assert new_attempt != old_attempt

    assert count(app, ItemVersion, item_id=ITEM) == 2
    new_prompt = next(q.item.prompt for q in questions(app, new_attempt) if q.item.id == ITEM)
    assert new_prompt == "What is an MPS? (edited)"
    assert next(q.item.prompt for q in questions(app, old_attempt) if q.item.id == ITEM) == (
        old_prompt
    )
    html = client.get(f"/attempts/{old_attempt}/result").get_data(as_text=True)
    assert old_prompt in html
    assert "(edited)" not in html
