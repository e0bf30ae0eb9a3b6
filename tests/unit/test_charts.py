"""Chart geometry computed in Python (the templates only draw it)."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.services.charts import (
    CHAR_WIDTH,
    FRAMES,
    GUTTER,
    LABEL_GAP,
    MARKERS,
    NARROW,
    NBSP,
    PALETTE,
    WIDE,
    _stack,
    _wrap,
    _y,
    band_chart,
    band_charts,
    dated,
    day_label,
    line_chart,
    line_charts,
    point_labels,
)
from tests.text import spaced


def test_points_on_one_day_are_told_apart():
    days = [date(2026, 11, 25)] * 4 + [date(2026, 11, 26)]
    assert [spaced(label) for label in point_labels(days)] == [
        "1st on 25 Nov",
        "2nd on 25 Nov",
        "3rd on 25 Nov",
        "4th on 25 Nov",
        "26 Nov",
    ]
    eleventh = point_labels([date(2026, 1, 2)] * 12)
    assert [spaced(label) for label in eleventh[10:]] == ["11th on 2 Jan", "12th on 2 Jan"]


def test_points_over_more_than_a_year_say_which():
    days = [date(2025, 12, 30), date(2026, 1, 2), date(2026, 1, 2)]
    assert [spaced(label) for label in point_labels(days)] == [
        "30 Dec 2025",
        "1st on 2 Jan 2026",
        "2nd on 2 Jan 2026",
    ]


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
    assert chart.frame.plot_right == WIDE.width - GUTTER["wide"]  # room for the series' names
    xs = [f"{x:.1f}" for x in (40.0, 135.0, 230.0, 325.0, 420.0)]
    expected = [
        (xs[i], f"{_y(chart.frame, v):.1f}")
        for i, v in [(0, 0.0), (2, 50.0), (3, 100.0), (4, 33.3)]
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
    assert [day_label(d) for d in days] == [d.strftime("%-d %b").replace(" ", NBSP) for d in days]


def test_a_day_is_never_broken_across_lines():
    assert dated(date(2026, 12, 4)) == f"4{NBSP}Dec{NBSP}2026"
    assert point_labels([date(2026, 12, 4)] * 2, dated)[0] == f"1st on 4{NBSP}Dec{NBSP}2026"


# The names of a Production Manager's progress chart with every skill drawn (13 series).
SKILL_NAMES = [
    "Overall (full assessments)",
    "Production scheduling and planning",
    "Health, safety and compliance",
    "People management and training",
    "Quality control",
    "Budgeting and cost control",
    "Maintenance and reliability",
    "Supply chain and inventory",
    "Communication",
    "Leadership",
    "Technology and ERP systems",
    "Labour relations and workforce planning",
    "S&OP and capacity planning",
]


def test_the_first_seven_series_share_neither_colour_nor_marker():
    """The default chart draws at most seven lines (report.CHART_SKILLS + the overall one):
    each has a colour and a marker shape of its own, so a reader who tells no colours apart
    still tells every line apart; later series are dashed, then dotted, with another marker."""
    series = [(name, [float(i), float(i + 5)]) for i, name in enumerate(SKILL_NAMES)]
    first = line_chart(["1 Jan", "2 Jan"], series[:7]).series
    assert len({s.colour for s in first}) == len({s.marker for s in first}) == 7
    assert {s.dash for s in first} == {""}
    every = line_chart(["1 Jan", "2 Jan"], series).series
    assert len({(s.colour, s.marker, s.dash) for s in every}) == 13
    assert all(s.dash for s in every[7:])
    # Colours go to the series drawn: one with no score takes none from the others.
    gap = line_chart(["1 Jan", "2 Jan"], [("A", [None, None]), *series[:7]]).series
    assert [s.colour for s in gap] == list(PALETTE)


def _shown(labels, count: int) -> list[int]:
    return [int(label.text.split()[0].rstrip("stndrh")) - 1 for label in labels][:count]


@pytest.mark.parametrize("frame", FRAMES, ids=lambda f: f.name)
@pytest.mark.parametrize("count", [2, 3, 4, 5, 6, 7, 9, 12, 17, 30])
def test_x_labels_are_evenly_spaced_and_the_last_is_always_shown(frame, count):
    """A label goes missing only with its neighbours at regular steps, never a middle one
    alone, and the latest attempt is always labelled."""
    labels = point_labels([date(2026, 11, 25)] * count)
    chart = line_chart(labels, [("Overall", [50.0] * count)], frame=frame)
    shown = _shown(chart.x_labels, count)
    assert shown[0] == 0
    assert shown[-1] == count - 1
    steps = [b - a for a, b in pairwise(shown)]
    assert len(set(steps[:-1])) <= 1  # even steps, the last one may be shorter
    assert steps[-1] >= steps[0] / 2


def test_five_attempts_on_a_laptop_show_every_other_label_not_four_of_five():
    labels = point_labels([date(2026, 12, 4)] * 5)
    chart = line_chart(labels, [("Overall", [50.0] * 5)], frame=WIDE)
    assert [label.text for label in chart.x_labels] in (
        labels,
        [labels[0], labels[2], labels[4]],
        [labels[0], labels[4]],
    )


def test_series_are_named_at_their_ends_in_the_wide_frame_without_overlapping():
    series = [
        (name, [float(i * 7 % 100), float(i * 13 % 100)]) for i, name in enumerate(SKILL_NAMES)
    ]
    for count in (1, 7, 13):
        chart = line_chart(["1 Jan", "2 Jan"], series[:count])
        frame = chart.frame
        ends = sorted((s.end for s in chart.series), key=lambda e: e.y)
        assert len(ends) == count
        step = frame.font + 2
        for end in ends:
            assert frame.plot_right < end.x < end.text_x
            for line in end.lines:  # inside the frame, however wide the font runs
                assert end.text_x + len(line) * frame.font * CHAR_WIDTH <= frame.width
            assert frame.top - step <= end.y <= frame.height - frame.bottom + step
        for above, below in pairwise(ends):
            assert above.y + len(above.lines) * step <= below.y  # no two names touch
        assert [" ".join(s.end.lines) for s in chart.series] == SKILL_NAMES[:count]
    one = line_chart(["1 Jan", "2 Jan"], [("Quality control", [40.0, 60.0])]).series[0]
    assert one.end.y == float(one.points[-1][1])  # alone, level with its last point
    # Thirteen names need more than the plot's height: the plot grows rather than overlap.
    assert chart.frame.height > WIDE.height


def test_the_narrow_frame_leaves_the_names_to_the_legend():
    chart = line_chart(["1 Jan", "2 Jan"], [("Overall", [1.0, 2.0])], frame=NARROW)
    assert chart.series[0].end is None
    assert chart.frame == NARROW


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("Production scheduling and planning", ("Production", "scheduling and", "planning")),
        ("Decision-making", ("Decision-", "making")),
        ("Environment and sustainability", ("Environment", "and", "sustainabilit", "y")),
    ],
)
def test_names_wrap_at_spaces_then_hyphens(text, lines):
    assert _wrap(text, 14 if text.startswith("Production") else 13) == lines


@given(
    st.lists(
        st.tuples(st.floats(0, 300), st.sampled_from([14.0, 28.0, 42.0])), min_size=1, max_size=15
    )
)
def test_stacked_names_keep_apart_inside_their_bounds_near_their_lines(blocks):
    blocks.sort()
    wanted, heights = [w for w, _ in blocks], [h for _, h in blocks]
    bottom = max(300.0, sum(heights) + LABEL_GAP * len(heights))
    tops = _stack(wanted, heights, 0.0, bottom)
    placed = list(zip(tops, heights, strict=True))
    assert all(t >= -1e-6 and t + h <= bottom + 1e-6 for t, h in placed)
    for (t1, h1), (t2, _) in pairwise(placed):
        assert t1 + h1 + LABEL_GAP <= t2 + 1e-6
    if all(b - a >= h + LABEL_GAP for (a, h), (b, _) in pairwise(blocks)) and (
        wanted[-1] + heights[-1] <= bottom
    ):
        assert tops == pytest.approx(wanted)  # room for all: each exactly where it is wanted


def test_series_meeting_at_a_point_are_drawn_side_by_side():
    """Three skills at 50 on the same day drew three markers on one spot: only the top one
    showed. They are spread sideways around the point, in series order; others stay put."""
    chart = line_chart(
        ["1 Jan", "2 Jan", "3 Jan"],
        [("A", [50.0, 10.0, 20.0]), ("B", [50.0, 30.0, 20.0]), ("C", [50.0, 60.0, 70.0])],
    )
    first = [float(s.points[0][0]) for s in chart.series]
    assert first[0] < first[1] < first[2]
    assert first[1] - first[0] == first[2] - first[1] >= 8
    assert first[0] == chart.frame.left  # at the plot's edge they spread inwards only
    assert len({s.points[0][1] for s in chart.series}) == 1  # the level is kept
    middle = [s.points[1][0] for s in chart.series]
    assert len(set(middle)) == 1  # no two meet on the second day
    a, b, c = (float(s.points[2][0]) for s in chart.series)  # A and B meet at 20; C alone
    assert a < b == c == chart.frame.plot_right  # the right edge: inwards, leftwards
