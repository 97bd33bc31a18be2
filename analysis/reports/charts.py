"""Geometry of the report charts: plain numbers in, coordinates out; the SVG itself is in templates.

Each chart is drawn by a `_chart_*.html` template from the value built here, so the same
markup serves the page, the printable page and the PDF (WeasyPrint draws inline SVG). Colours
are presentation attributes, not CSS, because the strict CSP forbids inline styles and
WeasyPrint does not apply page stylesheets inside SVG. Every chart value carries the rows of
its data table, which the template prints beside the drawing (RGAA 1.1/1.2: a chart needs a
text equivalent).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

#: Colours with at least 3:1 contrast on white (WCAG 1.4.11), segments separated by white gaps.
INK = "#1b1f24"
MUTED = "#4a5562"
BRAND = "#0b4f6c"
ACCENT = "#b3461f"
GRID = "#8a96a3"
FONT = "system-ui, 'DejaVu Sans', sans-serif"

WIDTH = 640
ROW = 44
LABEL = 18


@dataclass(frozen=True)
class Row:
    """One horizontal bar (optionally split in two segments) with its label above it."""

    label: str
    text: str
    label_y: float
    bar_y: float
    width: float
    rest: float = 0.0  # second segment (e.g. people who stopped here), drawn after a 2px gap
    text_x: float = 0.0


@dataclass(frozen=True)
class Chart:
    """A chart's drawing data plus what a screen reader and a printed table need."""

    id: str
    title: str
    description: str
    width: float
    height: float
    rows: list = field(default_factory=list)
    table_head: list[str] = field(default_factory=list)
    table: list[list[str]] = field(default_factory=list)
    extra: dict = field(default_factory=dict)


def _scale(value: float, maximum: float, span: float) -> float:
    return 0.0 if maximum <= 0 else max(0.0, value) / maximum * span


def _row(i: int, label: str, text: str, width: float, rest: float = 0.0, top: float = 0.0) -> Row:
    label_y = top + i * ROW + LABEL - 4
    bar_y = top + i * ROW + LABEL
    text_x = width + (rest + 2 if rest else 0) + 6
    return Row(label, text, label_y, bar_y, width, rest, text_x)


def funnel(id: str, title: str, description: str, steps: Sequence[tuple[str, int, int, str]],
           head: list[str], table: list[list[str]]) -> Chart:
    """Reach per step: one bar per step, people who went on in brand blue, who stopped here in orange.

    `steps` are (label, reached, left here, text shown at the bar's end).
    """
    span = WIDTH - 120
    top = reached_max = max((reached for _l, reached, _left, _t in steps), default=0)
    rows = []
    for i, (label, reached, left, text) in enumerate(steps):
        went_on = _scale(reached - left, top, span)
        stopped = _scale(left, top, span)
        rows.append(_row(i, label, text, went_on, stopped, top=24))
    return Chart(id, title, description, WIDTH, 24 + ROW * len(steps) + 4, rows, head, table,
                 {"max": reached_max, "legend": True})


def bars(id: str, title: str, description: str, items: Sequence[tuple[str, float, str]],
         head: list[str], table: list[list[str]], maximum: float | None = None) -> Chart:
    """Horizontal bars of shares or counts: (label, value, text at the bar's end)."""
    span = WIDTH - 120
    top = maximum if maximum is not None else max((value for _l, value, _t in items), default=0)
    rows = [_row(i, label, text, _scale(value, top, span)) for i, (label, value, text) in enumerate(items)]
    return Chart(id, title, description, WIDTH, ROW * len(items) + 4, rows, head, table)


@dataclass(frozen=True)
class Point:
    """One estimate with its interval on a vertical 0–100 scale."""

    label: str
    x: float
    y: float | None
    low: float | None
    high: float | None
    text: str
    current: bool


def intervals(id: str, title: str, description: str, points: Sequence[tuple[str, float | None, float | None, float | None, str, bool]],
              head: list[str], table: list[list[str]], *, low: float = 0, high: float = 100,
              reference: tuple[float, str] | None = None, ticks: Sequence[float] = (0, 25, 50, 75, 100)) -> Chart:
    """Means with their 95 % intervals across iterations (SUS): (label, mean, low, high, text, current)."""
    height, top, bottom, left, right = 240, 16, 40, 44, 16
    plot_h = height - top - bottom
    step = (WIDTH - left - right) / max(1, len(points))

    def y(value: float | None) -> float | None:
        if value is None:
            return None
        clamped = min(high, max(low, value))
        return top + plot_h - (clamped - low) / (high - low) * plot_h

    drawn = [
        Point(label, left + step * (i + 0.5), y(mean), y(lo), y(hi), text, current)
        for i, (label, mean, lo, hi, text, current) in enumerate(points)
    ]
    extra = {
        "left": left, "right": WIDTH - right, "top": top, "bottom": top + plot_h,
        "ticks": [(tick, y(tick)) for tick in ticks],
        "reference": (reference[1], y(reference[0])) if reference else None,
    }
    return Chart(id, title, description, WIDTH, height, drawn, head, table, extra)


@dataclass(frozen=True)
class Pair:
    """A theme's size before and after: two thin bars under its label."""

    label: str
    label_y: float
    before_y: float
    before: float
    before_text: str
    after_y: float
    after: float
    after_text: str


def paired(id: str, title: str, description: str, items: Sequence[tuple[str, int | None, int, str, str]],
           head: list[str], table: list[list[str]]) -> Chart:
    """Sizes in the previous and the current iteration: (label, before or None, after, before text, after text)."""
    span, pitch = WIDTH - 160, 58
    top = max([after for _l, _b, after, _bt, _at in items] + [b or 0 for _l, b, _a, _bt, _at in items] + [0])
    rows = []
    for i, (label, before, after, before_text, after_text) in enumerate(items):
        base = 24 + i * pitch
        rows.append(Pair(label, base + LABEL - 4, base + LABEL, _scale(before or 0, top, span), before_text,
                         base + LABEL + 16, _scale(after, top, span), after_text))
    return Chart(id, title, description, WIDTH, 24 + pitch * len(items) + 4, rows, head, table)


@dataclass(frozen=True)
class Spark:
    """A tiny trend line: the polyline and its points."""

    points: str
    dots: list[tuple[float, float]]
    last: tuple[float, float] | None


def sparkline(values: Sequence[float | None], *, width: float = 120, height: float = 32,
              low: float = 0.0, high: float = 1.0) -> Spark:
    """Values on a fixed scale (0–1 for rates) so two pilots' lines can be compared by eye."""
    pad = 4
    known = [(i, v) for i, v in enumerate(values) if v is not None]
    step = (width - 2 * pad) / max(1, len(values) - 1)
    coords = [
        (round(pad + (i * step if len(values) > 1 else (width - 2 * pad) / 2), 1),
         round(height - pad - (min(high, max(low, v)) - low) / (high - low) * (height - 2 * pad), 1))
        for i, v in known
    ]
    return Spark(" ".join(f"{x},{y}" for x, y in coords), coords, coords[-1] if coords else None)
