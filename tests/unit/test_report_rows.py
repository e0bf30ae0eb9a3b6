"""The progress table beside the report's chart is formatted in Python (services/report.py)."""

from __future__ import annotations

from datetime import date

from app.services.report import AttemptPoint, progress_rows


def test_progress_rows_show_whole_scores_in_skill_order_with_gaps():
    points = [
        AttemptPoint(1, "Full assessment", date(2026, 1, 2), 72.5, {"b": 99.6, "a": 33.4}),
        AttemptPoint(2, "Skill quiz", date(2026, 2, 3), None, {"b": 50.0}),
    ]
    rows = progress_rows(points, ["a", "b", "c"])
    assert [(r.when, r.title) for r in rows] == [
        (date(2026, 1, 2), "Full assessment"),
        (date(2026, 2, 3), "Skill quiz"),
    ]
    # Overall first ("—" when an attempt has none), then one cell per skill ("" if not assessed).
    assert rows[0].cells == ("72", "33", "100", "")
    assert rows[1].cells == ("—", "", "50", "")


def test_no_points_no_rows():
    assert progress_rows([], ["a"]) == []
