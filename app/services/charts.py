"""Server-side SVG charts as plain data: coordinates are computed here, templates draw.

Each chart comes in two frames: a wide one for screens from 40rem and a narrow one for phones,
where the wide one would be scaled down until its text was a few pixels high. A frame fixes the
font size in SVG units, so the text renders at least 11 px in the smallest space it is shown in
(docs/architecture.md, "Charts").
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from itertools import pairwise

# Okabe-Ito, the palette of "Color Universal Design", minus its yellow (too pale on white),
# and as many marker shapes: the first seven series differ in colour, marker and all. Later
# series reuse the colours with another marker and a dash pattern of their lap.
PALETTE = ("#000000", "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9")
MARKERS = (
    "m-4 0a4 4 0 1 0 8 0a4 4 0 1 0-8 0",  # circle
    "m-3.5-3.5h7v7h-7z",  # square
    "m0-5l5 8.5h-10z",  # triangle
    "m0-5.5l5.5 5.5-5.5 5.5-5.5-5.5z",  # diamond
    "m0 5l5-8.5h-10z",  # triangle pointing down
    "m-1.6-5h3.2v3.4h3.4v3.2h-3.4v3.4h-3.2v-3.4h-3.4v-3.2h3.4z",  # plus
    "m0-5.6l1.4 3.7 3.9.2-3 2.5 1 3.8-3.3-2.1-3.3 2.1 1-3.8-3-2.5 3.9-.2z",  # star
)
DASHES = ("", "6 3", "2 2")
"""A series' dash pattern by its lap through the palette: solid, dashed, dotted."""
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

GUTTER = {"wide": 220}
"""The room right of a line chart's plot for the series' names (direct labels), in the frames
that have them: on a phone the names would take a third of the width and two or three lines
each, more than the plot's height for seven series, so the narrow frame relies on the legend
under it (every default series has a colour and a marker of its own)."""
LABEL_MARKER = 28
"""From the plot's right edge to the centre of a direct label's marker (a leader line leads
from the series' last point to it)."""
LABEL_TEXT = LABEL_MARKER + 9
"""From the plot's right edge to the start of a direct label's text."""
LABEL_GAP = 4
"""The least space between two direct labels, in SVG units."""


def line_height(frame: Frame) -> int:
    return frame.font + 2


@dataclass(frozen=True)
class EndLabel:
    """A series' name in the gutter, as level with its last point as the others allow, with a
    marker of its own and a leader line from that point."""

    x: float  # the marker's centre
    y: float  # the marker's centre: the middle of the first line
    text_x: float
    lines: tuple[str, ...]
    leader: str  # polyline points: from beside the series' last point to beside the marker


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
    end: EndLabel | None = None

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


NBSP = "\u00a0"  # joins the parts of a day or a time, so a line never breaks inside one


def day_label(day: date) -> str:
    """An x-axis label such as "7 Mar" (as strftime("%-d %b"), which costs five times as much,
    once per point), its parts joined by a non-breaking space."""
    return f"{day.day}{NBSP}{MONTHS[day.month - 1]}"


def dated(day: date) -> str:
    """A day with its year, as every page writes one: "7 Mar 2026" (non-breaking spaces)."""
    return f"{day_label(day)}{NBSP}{day.year}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def point_labels(days: list[date], label=None) -> list[str]:
    """A label per point, told apart on a day with several: "2nd on 7 Mar" (days in order);
    by default with the year when the points span more than one ("7 Mar 2026")."""
    if label is None:
        label = dated if len({day.year for day in days}) > 1 else day_label
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


DODGE = 9
"""How far apart, in SVG units, markers of series that meet at one point are drawn side by
side (a marker is about 10 units wide): drawn on the same spot, only the top one showed."""


def _dodged(
    points: list[tuple[tuple[str, str], ...]], spacing: float, left: float, right: float
) -> list[tuple]:
    """The points, with series that share a point spread sideways around it, in series order
    (as far as a third of the space to the neighbouring points allows); at the plot's left or
    right edge they spread inwards only, off the axis labels."""
    piles: dict[tuple[str, str], list[int]] = {}
    for series, values in enumerate(points):
        for point in values:
            piles.setdefault(point, []).append(series)
    shifts: dict[tuple[int, tuple[str, str]], float] = {}
    for point, members in piles.items():
        if len(members) > 1:
            step = min(DODGE, spacing / 3 / (len(members) - 1))
            x = float(point[0])
            first = 0.0 if x <= left else len(members) - 1 if x >= right else None
            anchor = (len(members) - 1) / 2 if first is None else first
            for rank, series in enumerate(members):
                shifts[series, point] = (rank - anchor) * step
    return [
        tuple(
            (f"{float(x) + shifts[series, (x, y)]:.1f}", y)
            if (series, (x, y)) in shifts
            else (x, y)
            for x, y in values
        )
        for series, values in enumerate(points)
    ]


def _placed(frame: Frame, x: float, text: str) -> tuple[XLabel, float, float]:
    """An x label centred on its point unless that would cross the frame's edge, and where
    its text starts and ends."""
    width = len(text) * frame.font * CHAR_WIDTH
    start, anchor = x - width / 2, "middle"
    if start < 0:
        start, anchor = x, "start"
    elif start + width > frame.width:
        start, anchor = x - width, "end"
    return XLabel(x, text, anchor), start, start + width


def _spaced_labels(frame: Frame, xs: list[float], texts: list[str]) -> tuple[XLabel, ...]:
    """Every `step`-th label for the smallest step at which none touches, the last point's
    always included: evenly spaced, so no label goes missing from the middle alone."""
    count = len(xs)
    if count < 2:
        return tuple(_placed(frame, x, text)[0] for x, text in zip(xs, texts, strict=True))
    placed = [_placed(frame, x, text) for x, text in zip(xs, texts, strict=True)]
    for step in range(1, count):
        chosen = [*range(0, count - 1, step), count - 1]
        if len(chosen) > 2 and chosen[-1] - chosen[-2] < step / 2:
            del chosen[-2]  # the last point comes soon after the one before: keep the last
        shown = [placed[i] for i in chosen]
        if all(a[2] + frame.font <= b[1] for a, b in pairwise(shown)):
            return tuple(label for label, _, _ in shown)
    return (placed[-1][0],)  # not even two fit: the latest


def _wrap(text: str, chars: int) -> tuple[str, ...]:
    """Lines of at most `chars` characters, broken at spaces, else after a hyphen, else
    anywhere (a word longer than the line)."""
    words: list[str] = []
    for word in text.split():
        while len(word) > chars:
            cut = word.rfind("-", 0, chars) + 1 or chars
            words.append(word[:cut])
            word = word[cut:]
        words.append(word)
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= chars and not lines[-1].endswith("-"):
            lines[-1] += " " + word
        else:
            lines.append(word)
    return tuple(lines)


def _stack(wanted: list[float], heights: list[float], top: float, bottom: float) -> list[float]:
    """Tops for blocks of these heights, in order, LABEL_GAP apart, between top and bottom
    (which have room for all), as close to where each is wanted as the others allow: blocks
    that would touch move as one group, centred on where its members want to be (the least
    squared displacement)."""
    groups: list[list] = []  # [first block, last block, top of the group]
    offsets: list[float] = []  # each block's place in its group, once grouped
    for i, want in enumerate(wanted):
        groups.append([i, i, want])
        offsets.append(0.0)
        while True:
            first, last, at = groups[-1]
            size = offsets[last] - offsets[first] + heights[last]
            groups[-1][2] = at = min(max(at, top), bottom - size)
            if len(groups) == 1:
                break
            before = groups[-2]
            end = before[2] + offsets[before[1]] - offsets[before[0]] + heights[before[1]]
            if end + LABEL_GAP <= at:
                break
            # Merge: the later blocks follow the earlier ones, the group centred on its wishes.
            base = offsets[before[1]] + heights[before[1]] + LABEL_GAP - offsets[first]
            for j in range(first, last + 1):
                offsets[j] += base
            first = before[0]
            members = range(first, last + 1)
            centre = sum(wanted[j] - (offsets[j] - offsets[first]) for j in members) / len(members)
            groups[-2:] = [[first, last, centre]]
    tops = []
    for first, last, at in groups:
        tops += [at + offsets[j] - offsets[first] for j in range(first, last + 1)]
    return tops


def _style(index: int) -> tuple[str, str, str]:
    """A series' colour, marker and dash: no two of the first 21 alike, the first 7 in every
    one of the three."""
    lap = index // len(PALETTE)
    return (
        PALETTE[index % len(PALETTE)],
        MARKERS[(index + 3 * lap) % len(MARKERS)],
        DASHES[lap % len(DASHES)],
    )


def line_chart(
    x_labels: list[str],
    series: list[tuple[str, list[float | None]]],
    emphasis: str = "",
    frame: Frame = WIDE,
) -> LineChart:
    """One line per series over evenly spaced x positions; None values are gaps (skipped), and
    a series with no value is left out. In a frame with a GUTTER each series is named right of
    the plot, as level with its last point as the other names allow. Series keep their colour,
    marker and dash whatever the frame, so the legend serves both."""
    drawn = [(label, values) for label, values in series if any(v is not None for v in values)]
    gutter = GUTTER.get(frame.name) if drawn else None
    step = line_height(frame)
    names, heights = [], []
    if gutter:
        chars = int((gutter - LABEL_TEXT - 2) / (frame.font * CHAR_WIDTH))  # 2 units to spare
        names = [_wrap(label, chars) for label, _ in drawn]
        heights = [len(lines) * step for lines in names]
        # The names may reach half a line above the top grid line and below the bottom one;
        # the plot grows when they would fill more than 3/4 of it, so they can stay near
        # their lines' ends.
        needed = sum(heights) + LABEL_GAP * (len(heights) - 1) - step
        plot = max(frame.height - frame.top - frame.bottom, round(needed / 0.75))
        frame = replace(frame, right=gutter, height=frame.top + plot + frame.bottom)

    count = len(x_labels)
    xs = [_x(frame, i, count) for i in range(count)]
    x_text = [f"{x:.1f}" for x in xs]
    spacing = xs[1] - xs[0] if count > 1 else frame.plot_right - frame.left
    points = _dodged(
        [_y_texts(frame, x_text, values) for _, values in drawn],
        spacing,
        frame.left,
        frame.plot_right,
    )
    ends: dict[int, EndLabel] = {}
    if gutter:
        order = sorted(range(len(drawn)), key=lambda i: float(points[i][-1][1]))
        tops = _stack(
            [float(points[i][-1][1]) - step / 2 for i in order],
            [heights[i] for i in order],
            frame.top - step / 2,
            frame.height - frame.bottom + step / 2,
        )
        marker_x = frame.plot_right + LABEL_MARKER
        for i, top in zip(order, tops, strict=True):
            x, y = points[i][-1]
            middle = round(top + step / 2, 1)
            # Along the series' level to the plot's edge, then across to the marker.
            start = float(x) + 6
            elbow = max(start, frame.plot_right + 4)
            leader = f"{start:.1f},{y} {elbow:.1f},{y} {marker_x - 7},{middle}"
            ends[i] = EndLabel(marker_x, middle, frame.plot_right + LABEL_TEXT, names[i], leader)
    built = []
    for i, (label, _) in enumerate(drawn):
        colour, marker, dash = _style(i)
        built.append(Series(label, colour, marker, points[i], label == emphasis, dash, ends.get(i)))
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
