"""Quiz definitions and item selection over the real catalogue."""

from __future__ import annotations

import random

import pytest

from app.catalogue.loader import load_catalogue
from app.services.quizzes import find_quiz, pick_items, quizzes_for_role
from tests.conftest import QUESTIONS_DIR, ROLE_SLUGS


@pytest.fixture(scope="module")
def cat():
    return load_catalogue(QUESTIONS_DIR)


@pytest.mark.parametrize("slug", ROLE_SLUGS)
def test_each_role_has_a_full_assessment_and_a_quiz_per_skill(cat, slug):
    quizzes = quizzes_for_role(cat, slug)
    role = cat.roles[slug]
    assert quizzes[0].is_full
    assert {q.skill_ids[0] for q in quizzes[1:]} == {rs.skill for rs in role.skills.items}


def test_full_assessment_samples_one_self_rating_and_two_others_per_skill(cat):
    quiz = find_quiz(cat, "full.production-manager", "production-manager")
    items = pick_items(cat, quiz, random.Random(1))
    assert len(items) == 27
    assert len({i.id for i in items}) == 27
    for skill in quiz.skill_ids:
        kinds = [i.kind for i in items if i.skill_id == skill]
        assert kinds.count("self_rating") == 1
        assert len(kinds) == 3


def test_skill_quiz_asks_three_self_ratings_then_three_of_each_other_kind(cat):
    quiz = find_quiz(cat, "skill.lean-improvement", "head-of-production")
    items = pick_items(cat, quiz, random.Random(1))
    assert len(items) == len({i.id for i in items}) == 9
    assert {i.skill_id for i in items} == {"lean-improvement"}
    kinds = [i.kind for i in items]
    assert kinds[:3] == ["self_rating"] * 3
    assert sorted(kinds[3:]) == ["knowledge"] * 3 + ["scenario"] * 3
    assert "9 questions" in quiz.description


@pytest.mark.parametrize("key", ["full.astronaut", "skill.juggling", "bogus", "", "full."])
def test_unknown_quiz_keys(cat, key):
    assert find_quiz(cat, key, "production-manager") is None


def test_bank_size_and_balance(cat):
    assert len(cat.items) >= 357
    kinds = [i.kind for i in cat.items.values()]
    assert kinds.count("self_rating") >= 5 * 17
    assert kinds.count("knowledge") >= 7 * 17
    assert kinds.count("scenario") >= 7 * 17
