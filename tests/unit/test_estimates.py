"""The pooled estimate: a Bayesian Rasch model over weighted answers (pure, no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.services.estimates import (
    HALF_LIFE_DAYS,
    REPEAT_FACTOR,
    SELF_RATING_WEIGHT,
    STRAIGHT_LINE_WEIGHT,
    AnswerRecord,
    band_text,
    estimate,
    estimates,
    evidence,
    straight_lined,
)

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def answer(item: str, credit: float, attempt: int = 1, *, days_ago: float = 0, level: int = 2):
    return AnswerRecord("s", item, attempt, NOW - timedelta(days=days_ago), False, credit, level)


def rating(item: str, level: int, attempt: int = 1, *, days_ago: float = 0) -> AnswerRecord:
    return AnswerRecord(
        "s", item, attempt, NOW - timedelta(days=days_ago), True, (level - 1) / 4, None
    )


def est(records):
    return estimates(records, NOW)["s"]


def test_no_answers_no_estimate():
    assert estimates([], NOW) == {}
    assert estimate([]) is None


def test_more_right_answers_raise_the_estimate():
    scores = [
        est([answer(f"i{i}", 1.0 if i < right else 0.0) for i in range(10)]).score
        for right in range(11)
    ]
    assert scores == sorted(scores)
    assert scores[0] < 15
    assert scores[-1] > 85


def test_the_band_holds_the_estimate_and_narrows_with_more_answers():
    widths = []
    for n in (2, 8, 32):
        e = est([answer(f"i{i}", float(i % 2)) for i in range(n)])
        assert e.low < e.score < e.high
        assert e.answers == n
        widths.append(e.width)
    assert widths[0] > widths[1] > widths[2]


def test_a_right_answer_to_a_harder_item_counts_for_more():
    easy = est([answer("i1", 1.0, level=1)])
    hard = est([answer("i1", 1.0, level=3)])
    assert hard.score > easy.score


def test_older_answers_count_less():
    wrong_old_right_new = [answer("a", 0.0, 1, days_ago=800), answer("b", 1.0, 2)]
    right_old_wrong_new = [answer("a", 1.0, 1, days_ago=800), answer("b", 0.0, 2)]
    assert est(wrong_old_right_new).score > 50 > est(right_old_wrong_new).score
    weights = [e.weight for e in evidence([answer("a", 1, days_ago=HALF_LIFE_DAYS)], NOW)["s"]]
    assert weights == [pytest.approx(0.5)]


def test_an_item_seen_again_counts_less_each_time():
    records = [answer("same", 1.0, attempt) for attempt in (1, 2, 3)]
    weights = [e.weight for e in evidence(records, NOW)["s"]]
    assert weights == pytest.approx([1, REPEAT_FACTOR, REPEAT_FACTOR**2])


def test_self_ratings_count_less_than_answers_and_less_again_when_straight_lined():
    varied = [rating(f"r{i}", level, 1) for i, level in enumerate((2, 3, 4, 3))]
    lined = [rating(f"r{i}", 4, 2) for i in range(4)]
    weights = {(e.trials, e.weight) for e in evidence(varied, NOW)["s"]}
    assert weights == {(4, SELF_RATING_WEIGHT)}
    lined_weights = [e.weight for e in evidence(lined, NOW)["s"]]
    assert lined_weights == pytest.approx([SELF_RATING_WEIGHT * STRAIGHT_LINE_WEIGHT] * 4)


def test_straight_lining_needs_three_equal_self_ratings():
    assert straight_lined([4, 4, 4, 4])
    assert straight_lined([5, 5, 5])  # a skill quiz asks three
    assert not straight_lined([5, 5])
    assert not straight_lined([4, 4, 3, 4])


def test_skipped_self_ratings_are_left_out_and_skipped_items_count_as_wrong():
    records = [rating("r1", 3), AnswerRecord("s", "r2", 1, NOW, True, None), answer("k", 0.0)]
    items = evidence(records, NOW)["s"]
    assert [(e.trials, e.successes) for e in items] == [(1, 0.0), (4, 2.0)]


def test_partial_credit_sits_between_wrong_and_right():
    wrong, half, right = (est([answer("m", c)]).score for c in (0.0, 0.5, 1.0))
    assert wrong < half < right
    assert half == pytest.approx(50, abs=0.5)


def test_the_band_in_words():
    e = est([answer(f"i{i}", 1.0 if i < 10 else 0.0) for i in range(14)])
    assert band_text(e) == (
        f"{round(e.score)}, likely between {int(e.low)} and {int(e.high) + 1}, from 14 answers"
    )
