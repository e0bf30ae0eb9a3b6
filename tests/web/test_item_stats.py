"""Item statistics over simulated answers: a planted random-answer item is flagged, good items
are not; the CLI prints and writes them."""

from __future__ import annotations

import csv
import math
import random
import re

import pytest
import sqlalchemy as sa

from app.catalogue import catalogue
from app.catalogue.sync import ensure_versions
from app.extensions import db
from app.models import Answer, Attempt, AttemptItem, User
from app.services.estimates import DIFFICULTY_LOGIT
from app.services.item_stats import item_statistics
from tests.conftest import login

SKILL = "quality-control"
PEOPLE = 200
ABILITY_SD = 2.0  # a varied population, so the sample shows each good item discriminating
PER_ATTEMPT = 6  # knowledge/scenario items per attempt, as in a skill quiz
PLANTED = "quality.know.gauge"  # answered at random by everyone, whatever their ability


def seed(rng: random.Random) -> None:
    """Each simulated person takes two skill quizzes; answers follow the Rasch model except for
    the planted item. Inserted in bulk: the statistics only read what is stored."""
    cat = catalogue()
    entries = list(cat.items_by_skill[SKILL])
    versions = ensure_versions(entries)
    choice = [e for e in entries if e.kind != "self_rating"]
    self_ratings = [e for e in entries if e.kind == "self_rating"]
    db.session.execute(
        sa.insert(User),
        [
            {"email": f"s{i}@example.com", "display_name": "S", "password_hash": "-"}
            for i in range(PEOPLE)
        ],
    )
    users = db.session.scalars(sa.select(User.id)).all()
    attempt_rows, plans = [], []
    for uid in users:
        theta = rng.gauss(0, ABILITY_SD)
        for _ in range(2):
            attempt_rows.append(
                {
                    "user_id": uid,
                    "quiz_key": f"skill.{SKILL}",
                    "role_slug": "production-manager",
                    "title": "Quality",
                    "status": "submitted",
                    "item_count": 9,
                }
            )
            plans.append((theta, rng.sample(self_ratings, 3) + rng.sample(choice, PER_ATTEMPT)))
    db.session.execute(sa.insert(Attempt), attempt_rows)
    attempt_ids = db.session.scalars(sa.select(Attempt.id).order_by(Attempt.id)).all()
    db.session.execute(
        sa.insert(AttemptItem),
        [
            {"attempt_id": a, "position": n, "item_version_id": versions[e.id]}
            for a, (_, items) in zip(attempt_ids, plans, strict=True)
            for n, e in enumerate(items, start=1)
        ],
    )
    item_ids = {
        (r.attempt_id, r.position): r.id
        for r in db.session.execute(
            sa.select(AttemptItem.id, AttemptItem.attempt_id, AttemptItem.position)
        )
    }
    answers = []
    for a, (theta, items) in zip(attempt_ids, plans, strict=True):
        for n, e in enumerate(items, start=1):
            row = {"attempt_id": a, "attempt_item_id": item_ids[(a, n)], "skipped": False}
            if e.kind == "self_rating":
                level = 1 + sum(rng.random() < 1 / (1 + math.exp(-theta)) for _ in range(4))
                answers.append(row | {"rating": level, "credit": (level - 1) / 4})
                continue
            keys = sorted(o.id for o in e.content.options if o.correct)
            wrong = [o.id for o in e.content.options if not o.correct]
            if e.id == PLANTED:
                picked = [rng.choice([o.id for o in e.content.options])]
            else:
                p = 1 / (1 + math.exp(-(theta - DIFFICULTY_LOGIT[e.content.difficulty])))
                picked = keys if rng.random() < p else [rng.choice(wrong)]
            right = sorted(picked) == keys
            answers.append(row | {"choices": ",".join(sorted(picked)), "credit": float(right)})
    db.session.execute(sa.insert(Answer), answers)
    db.session.commit()


@pytest.fixture
def seeded(app):
    with app.app_context():
        seed(random.Random(7))


def test_a_random_answer_item_is_flagged_and_good_items_are_not(app, seeded):
    with app.app_context():
        items, scales = item_statistics(catalogue(), SKILL, min_answers=30)
    by_id = {s.item_id: s for s in items}
    planted = by_id[PLANTED]
    assert planted.answers >= 30
    assert planted.discrimination < 0.2
    assert "low discrimination" in planted.flags
    assert items[0].flagged  # flagged rows come first
    good = [s for s in items if s.kind != "self_rating" and s.item_id != PLANTED]
    assert all(s.answers >= 30 for s in good)
    assert [s.item_id for s in good if s.flagged] == []
    assert all(s.discrimination > 0.2 for s in good)
    assert all(0.1 < s.facility < 0.95 for s in good)
    # Every option of a single-choice item was chosen by someone, so counts add up to answers.
    single = next(s for s in good if len(s.options) == 4)
    assert sum(single.options.values()) == single.answers
    knowledge = next(s for s in scales if s.scale == "knowledge")
    assert knowledge.items_per_attempt == PER_ATTEMPT
    assert knowledge.attempts == 2 * PEOPLE
    assert 0.3 < knowledge.alpha < 1


def test_with_too_few_answers_nothing_is_flagged(app, seeded):
    with app.app_context():
        items, _ = item_statistics(catalogue(), SKILL, min_answers=10_000)
    assert not any(s.flagged for s in items)


def test_the_cli_prints_flags_and_writes_csv(app, seeded, tmp_path):
    target = tmp_path / "stats.csv"
    result = app.test_cli_runner().invoke(
        args=["questions", "stats", "--skill", SKILL, "--csv", str(target), "--min-answers", "30"]
    )
    assert result.exit_code == 0, result.output
    first_item_line = result.output.splitlines()[1]
    assert first_item_line.startswith(PLANTED)
    assert "low discrimination" in first_item_line
    assert "alpha quality-control knowledge:" in result.output
    rows = list(csv.DictReader(target.open()))
    assert len(rows) == 21
    assert rows[0]["item"] == PLANTED


def test_the_cli_refuses_an_unknown_skill(app):
    result = app.test_cli_runner().invoke(args=["questions", "stats", "--skill", "juggling"])
    assert result.exit_code == 2
    assert "unknown skill 'juggling'" in result.output


def test_admin_page_lists_flagged_items_first_for_admins_only(app, seeded, client, make_user):
    make_user("boss@example.com", "Boss")
    make_user("ada@example.com", "Ada")
    assert client.get("/admin/items").status_code == 404  # anonymous: no such page
    login(client, "ada@example.com")
    assert client.get("/admin/items").status_code == 404  # not an admin
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "grant-admin", "BOSS@example.com"])
    assert result.exit_code == 0, result.output
    assert "boss@example.com is now an admin" in result.output
    boss = app.test_client()
    login(boss, "boss@example.com")
    html = boss.get(f"/admin/items?skill={SKILL}").get_data(as_text=True)
    rows = re.findall(r"<th scope=\"row\"><code>([^<]+)</code>", html)
    assert rows[0] == PLANTED
    assert len(rows) == 21
    assert "low discrimination" in html
    assert "Cronbach" in html
    by_answers = boss.get(f"/admin/items?skill={SKILL}&sort=answers&dir=desc")
    counts = [int(n) for n in re.findall(r"</td>\s*<td>(\d+)</td>\s*<td>[\d.—]", by_answers.text)]
    assert counts == sorted(counts, reverse=True)
    assert boss.get("/admin/items?skill=juggling").status_code == 404
    assert boss.get("/admin/items?sort=nonsense&min=-5").status_code == 200
    assert runner.invoke(args=["users", "revoke-admin", "boss@example.com"]).exit_code == 0
    assert boss.get("/admin/items").status_code == 404
    missing = runner.invoke(args=["users", "grant-admin", "nobody@example.com"])
    assert missing.exit_code == 1
    assert "no account with the email address nobody@example.com" in missing.output
