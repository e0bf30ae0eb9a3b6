"""Scoring rules as pure functions (no database)."""

from __future__ import annotations

import pytest

from app.catalogue.credit import choice_score
from app.services.scoring import (
    AnsweredItem,
    SkillResult,
    combine,
    overall_score,
    score_skills,
    self_rating_score,
    weakest,
)

F = frozenset


@pytest.mark.parametrize(("rating", "expected"), [(1, 0), (2, 25), (3, 50), (4, 75), (5, 100)])
def test_self_rating_maps_onto_0_to_100(rating, expected):
    assert self_rating_score(rating) == expected


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_self_rating_out_of_range_is_an_error(rating):
    with pytest.raises(ValueError, match="rating must be"):
        self_rating_score(rating)


def test_single_choice_is_all_or_nothing():
    assert choice_score(F("a"), F("a"), "single") == 100
    assert choice_score(F("b"), F("a"), "single") == 0
    assert choice_score(F(), F("a"), "single") == 0


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        ("abc", 100),  # all three correct
        ("ab", pytest.approx(66.667, abs=0.01)),
        ("abd", pytest.approx(33.333, abs=0.01)),  # 2 hits - 1 wrong = 1 of 3
        ("ad", 0),  # 1 hit - 1 wrong
        ("d", 0),  # floored at zero, never negative
        ("", 0),
    ],
)
def test_multiple_choice_partial_credit(chosen, expected):
    assert choice_score(F(chosen), F("abc"), "multiple") == expected


def test_combine_weights_knowledge_more_than_self_rating():
    assert combine(100, 0) == pytest.approx(40)
    assert combine(0, 100) == pytest.approx(60)
    assert combine(None, 80) == 80
    assert combine(70, None) == 70
    assert combine(None, None) is None


def test_score_skills_per_skill_and_skips():
    items = [
        AnsweredItem("lead", "self_rating", rating=5),
        AnsweredItem("lead", "self_rating", rating=None),  # skipped: left out
        AnsweredItem("lead", "knowledge", chosen=F("a"), correct=F("a")),
        AnsweredItem("lead", "scenario", chosen=F(), correct=F("b")),  # skipped: counts as 0
        AnsweredItem("plan", "knowledge", chosen=F("a"), correct=F("a")),
        AnsweredItem("safety", "self_rating", rating=None),  # only a skipped self-rating
    ]
    results = score_skills(items)
    assert set(results) == {"lead", "plan"}
    lead = results["lead"]
    assert lead.self_score == 100
    assert lead.knowledge_score == 50
    assert lead.combined_score == pytest.approx(0.4 * 100 + 0.6 * 50)
    assert (lead.self_count, lead.knowledge_count) == (1, 2)
    assert results["plan"].self_score is None
    assert results["plan"].combined_score == 100


def test_overall_score_uses_role_weights():
    assert overall_score({"a": 100, "b": 0}, {"a": 30, "b": 10}) == pytest.approx(75)
    assert overall_score({"a": 80}, {}) == 80
    assert overall_score({}, {"a": 1}) is None


def test_weakest_lists_lowest_below_threshold_first():
    results = [
        SkillResult("a", None, 90, 90, 0, 1),
        SkillResult("b", None, 20, 20, 0, 1),
        SkillResult("c", None, 50, 50, 0, 1),
        SkillResult("d", None, 10, 10, 0, 1),
        SkillResult("e", None, 60, 60, 0, 1),
    ]
    assert [r.skill_id for r in weakest(results)] == ["d", "b", "c"]
    assert weakest(results, below=15) == [results[3]]
