"""Chart geometry computed in Python (the templates only draw it)."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest

from app.services.charts import (
    CHAR_WIDTH,
    FRAMES,
    MARKERS,
    NARROW,
    PALETTE,
    WIDE,
    _y,
    band_chart,
    band_charts,
    day_label,
    line_chart,
    line_charts,
    point_labels,
)


def test_points_on_one_day_are_told_apart():
    days = [date(2026, 11, 25)] * 4 + [date(2026, 11, 26)]
    assert point_labels(days) == [
        "1st on 25 Nov",
        "2nd on 25 Nov",
        "3rd on 25 Nov",
        "4th on 25 Nov",
        "26 Nov",
    ]
    eleventh = point_labels([date(2026, 1, 2)] * 12)
    assert eleventh[10:] == ["11th on 2 Jan", "12th on 2 Jan"]


@pytest.mark.parametrize("frame", FRAMES, ids=lambda f: f.name)
def test_x_labels_never_touch_and_stay_inside_the_frame(frame):
    labels = point_labels([date(2026, 11, 25)] * 30)
    chart = line_chart(labels, [("Overall", [50.0] * 30)], frame=frame)
    extents = []
    for label in chart.x_labels:
        width = len(label.text) * frame.font * CHAR_WIDTH
        start = {"start": label.x, "middle": label.x - width / 2, "end": label.x - width}
        extents.append((start[label.anchor], start[label.anchor] + width))
    assert len(extents) >= 2
    assert all(a >= 0 and b <= frame.width for a, b in extents)
    assert all(b1 + frame.font <= a2 for (_, b1), (a2, _) in pairwise(extents))
    assert len({label.text for label in chart.x_labels}) == len(chart.x_labels)


def test_every_series_can_be_told_apart_without_colour():
    series = [(f"Skill {i}", [float(i), float(i + 1)]) for i in range(10)]
    chart = line_chart(["1 Jan", "2 Jan"], series)
    looks = {(s.colour, s.marker, s.dash) for s in chart.series}
    assert len(looks) == 10
    assert len({(s.marker, s.dash) for s in chart.series}) >= len(MARKERS)
    assert {s.colour for s in chart.series} <= set(PALETTE)
    assert "#f0e442" not in PALETTE  # Okabe-Ito's yellow is too pale on white
    assert chart.series[0].dots.count("M") == 2  # a marker on every point


def test_band_chart_places_estimate_inside_its_band():
    chart = band_chart([("Leadership", (62.0, 51.0, 72.0)), ("Marketing", None)])
    lead, marketing = chart.rows
    assert lead.low < lead.score < lead.high
    assert marketing.score is None
    assert chart.plot_left < lead.low < lead.high < chart.frame.plot_right
    assert lead.y < marketing.y < chart.height


def test_the_narrow_band_chart_puts_names_above_bands_across_the_whole_width():
    wide, narrow = band_charts([("Leadership", (62.0, 51.0, 72.0)), ("Marketing", None)])
    assert (wide.frame, narrow.frame) == (WIDE, NARROW)
    assert wide.label_anchor == "end"
    assert wide.label_x < wide.plot_left
    assert narrow.label_anchor == "start"
    assert narrow.label_dy < 0
    first, second = narrow.rows
    # The second name sits below the first band (which is 10 units thick).
    assert second.y + narrow.label_dy - narrow.frame.font > first.y + 5
    assert narrow.plot_left < 20


def test_points_skip_gaps_and_clamp_to_the_plot_like_the_axis():
    chart = line_chart(["a", "b", "c", "d", "e"], [("Overall", [-5.0, None, 50.0, 120.0, 33.3])])
    xs = [f"{x:.1f}" for x in (40.0, 186.5, 333.0, 479.5, 626.0)]
    expected = [
        (xs[i], f"{_y(WIDE, v):.1f}") for i, v in [(0, 0.0), (2, 50.0), (3, 100.0), (4, 33.3)]
    ]
    assert list(chart.series[0].points) == expected
    top, bottom = chart.y_ticks[-1][0], chart.y_ticks[0][0]  # 100 and 0 on the axis
    assert float(chart.series[0].points[0][1]) == bottom
    assert float(chart.series[0].points[2][1]) == top


def test_every_frame_draws_the_same_series_in_the_same_style():
    wide, narrow = line_charts(["1 Jan", "2 Jan"], [("A", [1.0, 2.0]), ("B", [None, 3.0])], "A")
    assert [(s.label, s.colour, s.marker, s.emphasis) for s in wide.series] == [
        (s.label, s.colour, s.marker, s.emphasis) for s in narrow.series
    ]
    assert float(narrow.series[0].points[-1][0]) <= NARROW.plot_right


def test_day_labels_read_as_strftime_would():
    days = [date(2024, month, day) for month in range(1, 13) for day in (1, 9, 28)]
    assert [day_label(d) for d in days] == [d.strftime("%-d %b") for d in days]
