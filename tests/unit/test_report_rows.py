"""The progress table beside the report's chart is formatted in Python (services/report.py)."""

from __future__ import annotations

from datetime import date

from app.services.report import AttemptPoint, _scores, progress_rows
from tests.text import spaced


def test_progress_rows_show_whole_scores_in_skill_order_with_gaps():
    points = [
        AttemptPoint(1, "Full assessment", date(2026, 1, 2), 72.5, {"b": 99.6, "a": 33.4}),
        AttemptPoint(2, "Skill quiz", date(2026, 2, 3), None, {"b": 50.0}),
    ]
    rows = progress_rows(points, ["a", "b", "c"])
    assert [(spaced(r.when), r.title) for r in rows] == [
        ("2 Jan 2026", "Full assessment"),
        ("3 Feb 2026", "Skill quiz"),
    ]
    # Overall first ("—" when an attempt has none), then one cell per skill ("" if not assessed).
    assert rows[0].cells == ("72", "33", "100", "")
    assert rows[1].cells == ("—", "", "50", "")


def test_attempts_on_one_day_are_told_apart_in_the_table():
    day = date(2026, 12, 3)
    points = [AttemptPoint(i, "Quiz", day, None, {}) for i in range(2)]
    assert [spaced(r.when) for r in progress_rows(points, [])] == [
        "1st on 3 Dec 2026",
        "2nd on 3 Dec 2026",
    ]


def test_folded_scores_read_back_exactly():
    scores = {"scheduling": 0.1 + 0.2, "quality-control": 100.0, "lean": 1 / 3}
    folded = ",".join(f"{skill}={score!r}" for skill, score in scores.items())
    assert _scores(folded) == scores
    assert _scores(None) == _scores("") == {}


def test_no_points_no_rows():
    assert progress_rows([], ["a"]) == []
