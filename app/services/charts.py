"""Server-side SVG line charts as plain data: coordinates are computed here, templates draw."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

PALETTE = (
    "#0b5cad",
    "#b5491b",
    "#1e7b3a",
    "#7a3fa8",
    "#a3156a",
    "#00707a",
    "#6b5a00",
    "#3d4a5c",
    "#c0392b",
    "#2d6a4f",
)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 12, 34


@dataclass(frozen=True)
class Series:
    label: str
    colour: str
    points: tuple[tuple[str, str], ...]
    """SVG coordinates, formatted once to a tenth of a unit (the line and its dots share them)."""
    emphasis: bool = False

    @property
    def markers(self) -> bool:
        """Dots on the emphasised line, or where a lone point would otherwise be invisible."""
        return self.emphasis or len(self.points) == 1

    @property
    def polyline(self) -> str:
        return " ".join(f"{x},{y}" for x, y in self.points)

    @property
    def dots(self) -> str:
        """Path data for a dot on every point: a zero-length segment, which SVG draws as a
        round cap (one element for the series, rather than a circle per point)."""
        return " ".join(f"M{x} {y}h0" for x, y in self.points)


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    series: tuple[Series, ...]
    x_labels: tuple[tuple[float, str], ...]
    y_ticks: tuple[tuple[float, str], ...]
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT


def day_label(day: date) -> str:
    """An x-axis label such as "07 Mar" (as strftime("%d %b"), which costs five times as much,
    once per point)."""
    return f"{day.day:02d} {MONTHS[day.month - 1]}"


def _x(index: int, count: int) -> float:
    if count == 1:
        return (LEFT + WIDTH - RIGHT) / 2
    return LEFT + index * (WIDTH - LEFT - RIGHT) / (count - 1)


_Y_PER_POINT = (HEIGHT - TOP - BOTTOM) / 100


def _y(score: float) -> float:
    return TOP + (100 - max(0.0, min(score, 100.0))) * _Y_PER_POINT


def _y_texts(x_text: list[str], values: list[float | None]) -> tuple[tuple[str, str], ...]:
    """(x, y) of each value that is not None, formatted: as `_y`, inlined, since a report
    draws some 330 of them."""
    return tuple(
        (x, f"{TOP + (100 - (0.0 if v < 0 else 100.0 if v > 100 else v)) * _Y_PER_POINT:.1f}")
        for x, v in zip(x_text, values, strict=True)
        if v is not None
    )


def line_chart(
    x_labels: list[str], series: list[tuple[str, list[float | None]]], emphasis: str = ""
) -> LineChart:
    """One line per series over evenly spaced x positions; None values are gaps (skipped)."""
    count = len(x_labels)
    xs = [_x(i, count) for i in range(count)]
    x_text = [f"{x:.1f}" for x in xs]
    built = []
    for index, (label, values) in enumerate(series):
        points = _y_texts(x_text, values)
        if points:
            built.append(Series(label, PALETTE[index % len(PALETTE)], points, label == emphasis))
    step = max(1, count // 8)
    labels = tuple(
        (xs[i], text)
        for i, text in enumerate(x_labels)
        if i % step == 0 and (i == 0 or text != x_labels[i - 1])  # one label per day
    )
    ticks = tuple((_y(v), str(v)) for v in (0, 25, 50, 75, 100))
    return LineChart(WIDTH, HEIGHT, tuple(built), labels, ticks)


BAND_ROW = 26
BAND_LEFT, BAND_TOP, BAND_BOTTOM = 250, 8, 28


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
    width: int
    height: int
    rows: tuple[BandRow, ...]
    x_ticks: tuple[tuple[float, str], ...]
    plot_left: int = BAND_LEFT
    plot_right: int = WIDTH - RIGHT


def _band_x(score: float) -> float:
    return round(BAND_LEFT + max(0.0, min(score, 100.0)) * (WIDTH - RIGHT - BAND_LEFT) / 100, 1)


def band_chart(rows: list[tuple[str, tuple[float, float, float] | None]]) -> BandChart:
    """A row per skill with its estimate as a dot on its 80 % band: (label, (score, low, high))
    or (label, None) for a skill not assessed yet."""
    built = []
    for index, (label, values) in enumerate(rows):
        y = BAND_TOP + index * BAND_ROW + BAND_ROW / 2
        if values is None:
            built.append(BandRow(label, y))
        else:
            score, low, high = values
            built.append(BandRow(label, y, _band_x(low), _band_x(high), _band_x(score)))
    height = BAND_TOP + len(rows) * BAND_ROW + BAND_BOTTOM
    ticks = tuple((_band_x(v), str(v)) for v in (0, 25, 50, 75, 100))
    return BandChart(WIDTH, height, tuple(built), ticks)
