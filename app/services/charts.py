"""Server-side SVG charts as plain data: coordinates are computed here, templates draw.

Each chart comes in two frames: a wide one for screens from 40rem and a narrow one for phones,
where the wide one would be scaled down until its text was a few pixels high. A frame fixes the
font size in SVG units, so the text renders at least 11 px in the smallest space it is shown in
(docs/architecture.md, "Charts").
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

# Okabe-Ito, the palette of "Color Universal Design", minus its yellow (too pale on white);
# each series also gets its own marker shape, and those after the seventh a dashed line.
PALETTE = ("#000000", "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9")
MARKERS = (
    "m-4 0a4 4 0 1 0 8 0a4 4 0 1 0-8 0",  # circle
    "m-3.5-3.5h7v7h-7z",  # square
    "m0-5l5 8.5h-10z",  # triangle
    "m0-5.5l5.5 5.5-5.5 5.5-5.5-5.5z",  # diamond
    "m0 5l5-8.5h-10z",  # triangle pointing down
)
DASHED = "6 3"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
CHAR_WIDTH = 0.6
"""A generous average advance of a sans-serif character, in ems (to keep x labels apart)."""


@dataclass(frozen=True)
class Frame:
    """One size of a chart, in SVG units: it is drawn with a viewBox this size."""

    name: str  # "wide" or "narrow": the CSS shows one of them
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    font: int  # font size in SVG units

    @property
    def plot_right(self) -> int:
        return self.width - self.right


# The wide frame is at least 590 px wide where it shows (a 40rem window): 12 units >= 11 px.
# The narrow frame is about 340 px wide on a 390 px phone: 12 units are 12.7 px.
WIDE = Frame("wide", 640, 260, 40, 14, 12, 34, 12)
NARROW = Frame("narrow", 320, 280, 34, 14, 12, 34, 12)
FRAMES = (WIDE, NARROW)


@dataclass(frozen=True)
class Series:
    label: str
    colour: str
    marker: str
    """A marker's outline as relative path data, drawn at every point and in the legend."""
    points: tuple[tuple[str, str], ...]
    """SVG coordinates, formatted once to a tenth of a unit (shared by the line and markers)."""
    emphasis: bool = False
    dash: str = ""

    @property
    def polyline(self) -> str:
        return " ".join(f"{x},{y}" for x, y in self.points)

    @property
    def dots(self) -> str:
        """Path data for a marker on every point (one element for the series)."""
        return "".join(f"M{x} {y}{self.marker}" for x, y in self.points)


@dataclass(frozen=True)
class XLabel:
    x: float
    text: str
    anchor: str  # "start", "middle" or "end": the first and last stay inside the frame


@dataclass(frozen=True)
class LineChart:
    frame: Frame
    series: tuple[Series, ...]
    x_labels: tuple[XLabel, ...]
    y_ticks: tuple[tuple[float, str], ...]


def day_label(day: date) -> str:
    """An x-axis label such as "7 Mar" (as strftime("%-d %b"), which costs five times as much,
    once per point)."""
    return f"{day.day} {MONTHS[day.month - 1]}"


def dated(day: date) -> str:
    """A day with its year, as every page writes one: "7 Mar 2026"."""
    return f"{day_label(day)} {day.year}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def point_labels(days: list[date], label=day_label) -> list[str]:
    """A label per point, told apart on a day with several: "2nd on 7 Mar" (days in order)."""
    per_day = Counter(days)
    seen: Counter[date] = Counter()
    labels = []
    for day in days:
        seen[day] += 1
        text = label(day)
        labels.append(f"{_ordinal(seen[day])} on {text}" if per_day[day] > 1 else text)
    return labels


def _x(frame: Frame, index: int, count: int) -> float:
    if count == 1:
        return (frame.left + frame.plot_right) / 2
    return frame.left + index * (frame.plot_right - frame.left) / (count - 1)


def _y(frame: Frame, score: float) -> float:
    plot = frame.height - frame.top - frame.bottom
    return frame.top + (100 - max(0.0, min(score, 100.0))) * plot / 100


def _y_texts(
    frame: Frame, x_text: list[str], values: list[float | None]
) -> tuple[tuple[str, str], ...]:
    """(x, y) of each value that is not None, formatted: as `_y`, inlined, since a report
    draws some 330 of them."""
    top, per_point = frame.top, (frame.height - frame.top - frame.bottom) / 100
    return tuple(
        (x, f"{top + (100 - (0.0 if v < 0 else 100.0 if v > 100 else v)) * per_point:.1f}")
        for x, v in zip(x_text, values, strict=True)
        if v is not None
    )


def _spaced_labels(frame: Frame, xs: list[float], texts: list[str]) -> tuple[XLabel, ...]:
    """As many labels as fit without touching, left to right, each kept inside the frame."""
    gap = frame.font
    shown: list[XLabel] = []
    right_edge = float("-inf")
    for x, text in zip(xs, texts, strict=True):
        width = len(text) * frame.font * CHAR_WIDTH
        start, anchor = x - width / 2, "middle"
        if start < 0:
            start, anchor = x, "start"
        elif start + width > frame.width:
            start, anchor = x - width, "end"
        if start >= right_edge + gap:
            shown.append(XLabel(x, text, anchor))
            right_edge = start + width
    return tuple(shown)


def line_chart(
    x_labels: list[str],
    series: list[tuple[str, list[float | None]]],
    emphasis: str = "",
    frame: Frame = WIDE,
) -> LineChart:
    """One line per series over evenly spaced x positions; None values are gaps (skipped).
    Series keep their colour, marker and dash whatever the frame, so the legend serves both."""
    count = len(x_labels)
    xs = [_x(frame, i, count) for i in range(count)]
    x_text = [f"{x:.1f}" for x in xs]
    built = []
    for index, (label, values) in enumerate(series):
        points = _y_texts(frame, x_text, values)
        if points:
            built.append(
                Series(
                    label,
                    PALETTE[index % len(PALETTE)],
                    MARKERS[index % len(MARKERS)],
                    points,
                    label == emphasis,
                    DASHED if index >= len(PALETTE) else "",
                )
            )
    ticks = tuple((_y(frame, v), str(v)) for v in (0, 25, 50, 75, 100))
    return LineChart(frame, tuple(built), _spaced_labels(frame, xs, x_labels), ticks)


def line_charts(
    x_labels: list[str], series: list[tuple[str, list[float | None]]], emphasis: str = ""
) -> tuple[LineChart, ...]:
    """The chart in every frame."""
    return tuple(line_chart(x_labels, series, emphasis, frame) for frame in FRAMES)


BAND_ROW = 26
BAND_LEFT = 250
"""In the wide frame a skill's name sits left of its band; in the narrow one, above it."""
NARROW_BAND_ROW = 42


@dataclass(frozen=True)
class BandRow:
    """One skill: its label, and where its 80 % band and estimate fall (None: not assessed)."""

    label: str
    y: float
    low: float | None = None
    high: float | None = None
    score: float | None = None


@dataclass(frozen=True)
class BandChart:
    frame: Frame
    height: float
    rows: tuple[BandRow, ...]
    x_ticks: tuple[tuple[float, str], ...]
    plot_left: int
    label_x: int
    label_dy: int
    """Where a row's name goes: at label_x, label_dy below the band's line (above: negative)."""
    label_anchor: str


def band_chart(
    rows: list[tuple[str, tuple[float, float, float] | None]], frame: Frame = WIDE
) -> BandChart:
    """A row per skill with its estimate as a dot on its 80 % band: (label, (score, low, high))
    or (label, None) for a skill not assessed yet."""
    wide = frame is WIDE
    left = BAND_LEFT if wide else frame.left - 20  # the narrow frame needs no room for names
    row_height = BAND_ROW if wide else NARROW_BAND_ROW
    first = 8 + (row_height / 2 if wide else row_height - 10)

    def to_x(score: float) -> float:
        return round(left + max(0.0, min(score, 100.0)) * (frame.plot_right - left) / 100, 1)

    built = []
    for index, (label, values) in enumerate(rows):
        y = first + index * row_height
        if values is None:
            built.append(BandRow(label, y))
        else:
            score, low, high = values
            built.append(BandRow(label, y, to_x(low), to_x(high), to_x(score)))
    height = round(first + (len(rows) - 1) * row_height + frame.bottom, 1) if rows else 40
    ticks = tuple((to_x(v), str(v)) for v in (0, 25, 50, 75, 100))
    if wide:
        return BandChart(frame, height, tuple(built), ticks, left, left - 8, 4, "end")
    return BandChart(frame, height, tuple(built), ticks, left, left, -frame.font, "start")


def band_charts(rows: list[tuple[str, tuple[float, float, float] | None]]) -> tuple[BandChart, ...]:
    """The chart in every frame."""
    return tuple(band_chart(rows, frame) for frame in FRAMES)
