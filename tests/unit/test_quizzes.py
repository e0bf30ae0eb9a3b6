"""Quiz definitions and item selection over the real catalogue."""

from __future__ import annotations

import random

import pytest

from app.catalogue.loader import load_catalogue
from app.services.quizzes import Exposure, find_quiz, freshest, pick_items, quizzes_for_role
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


def test_full_assessment_asks_one_self_rating_and_three_others_per_skill(cat):
    quiz = find_quiz(cat, "full.production-manager", "production-manager")
    items = pick_items(cat, quiz, random.Random(1))
    assert len(items) == 4 * len(quiz.skill_ids) == 48
    assert len({i.id for i in items}) == len(items)
    for skill in quiz.skill_ids:
        kinds = [i.kind for i in items if i.skill_id == skill]
        assert kinds.count("self_rating") == 1
        assert len(kinds) == 4


def test_skill_quiz_asks_three_self_ratings_then_three_of_each_other_kind(cat):
    quiz = find_quiz(cat, "skill.lean-improvement", "head-of-production")
    items = pick_items(cat, quiz, random.Random(1))
    assert len(items) == len({i.id for i in items}) == 9
    assert {i.skill_id for i in items} == {"lean-improvement"}
    kinds = [i.kind for i in items]
    assert kinds[:3] == ["self_rating"] * 3
    assert sorted(kinds[3:]) == ["knowledge"] * 3 + ["scenario"] * 3
    assert len({i.content.difficulty for i in items[3:]}) == 3  # spread over the levels
    assert "9 questions" in quiz.description


def seen_in(items, attempt: int) -> dict[str, Exposure]:
    return {i.id: Exposure(1, attempt) for i in items}


def test_fresh_items_come_first_until_the_pool_is_used_up(cat):
    quiz = find_quiz(cat, "skill.quality-control", "production-manager")
    pool = {e.id for e in cat.items_by_skill["quality-control"] if e.kind != "self_rating"}
    rng = random.Random(3)
    first = pick_items(cat, quiz, rng)[3:]
    seen = seen_in(first, 1)
    second = pick_items(cat, quiz, rng, seen)[3:]
    assert not {i.id for i in first} & {i.id for i in second}
    seen |= seen_in(second, 2)
    third = pick_items(cat, quiz, rng, seen)[3:]
    unseen = pool - set(seen)
    assert len(unseen) == 4
    # The four never-seen items, then two of the items seen longest ago (the first quiz's).
    assert unseen <= {i.id for i in third}
    assert {i.id for i in third} - unseen <= {i.id for i in first}


def test_least_seen_beats_recently_seen(cat):
    entries = [e for e in cat.items_by_skill["leadership"] if e.kind != "self_rating"]
    old, recent, twice = entries[0], entries[1], entries[2]
    seen = {e.id: Exposure(1, 10) for e in entries[3:]} | {
        old.id: Exposure(1, 5),
        recent.id: Exposure(1, 20),
        twice.id: Exposure(2, 1),
    }
    picked = freshest(entries, 2, seen, random.Random(1), ())
    assert picked[0] == old
    assert recent not in picked
    assert twice not in picked


@pytest.mark.parametrize("key", ["full.astronaut", "skill.juggling", "bogus", "", "full."])
def test_unknown_quiz_keys(cat, key):
    assert find_quiz(cat, key, "production-manager") is None


def test_bank_size_and_balance(cat):
    assert len(cat.items) >= 357
    kinds = [i.kind for i in cat.items.values()]
    assert kinds.count("self_rating") >= 5 * 17
    assert kinds.count("knowledge") >= 7 * 17
    assert kinds.count("scenario") >= 7 * 17
