"""Server-side SVG line charts as plain data: coordinates are computed here, templates draw."""

from __future__ import annotations

from dataclasses import dataclass

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
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 12, 34


@dataclass(frozen=True)
class Series:
    label: str
    colour: str
    points: tuple[tuple[float, float], ...]
    emphasis: bool = False

    @property
    def markers(self) -> bool:
        """Dots on the emphasised line, or where a lone point would otherwise be invisible."""
        return self.emphasis or len(self.points) == 1

    @property
    def polyline(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in self.points)


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    series: tuple[Series, ...]
    x_labels: tuple[tuple[float, str], ...]
    y_ticks: tuple[tuple[float, str], ...]
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT


def _x(index: int, count: int) -> float:
    if count == 1:
        return (LEFT + WIDTH - RIGHT) / 2
    return LEFT + index * (WIDTH - LEFT - RIGHT) / (count - 1)


def _y(score: float) -> float:
    return TOP + (100 - max(0.0, min(score, 100.0))) * (HEIGHT - TOP - BOTTOM) / 100


def line_chart(
    x_labels: list[str], series: list[tuple[str, list[float | None]]], emphasis: str = ""
) -> LineChart:
    """One line per series over evenly spaced x positions; None values are gaps (skipped)."""
    count = len(x_labels)
    xs = [_x(i, count) for i in range(count)]
    built = []
    for index, (label, values) in enumerate(series):
        points = tuple((xs[i], _y(v)) for i, v in enumerate(values) if v is not None)
        if points:
            built.append(Series(label, PALETTE[index % len(PALETTE)], points, label == emphasis))
    step = max(1, count // 8)
    labels = tuple((xs[i], text) for i, text in enumerate(x_labels) if i % step == 0)
    ticks = tuple((_y(v), str(v)) for v in (0, 25, 50, 75, 100))
    return LineChart(WIDTH, HEIGHT, tuple(built), labels, ticks)
