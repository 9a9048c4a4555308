"""Server-rendered bar charts: the geometry is computed here, `macros/charts.html` draws the
SVG. Charts are readable without JavaScript and always sit beside a table of the same
numbers (the table is what screen readers and CSV exports use).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import format_decimal

# Sized for a phone: a chart is drawn at its own width and only ever scaled down, so at
# 360 px wide its 15 px labels stay at 14 px or more on a 390 px screen (STYLE.md).
CHART_WIDTH = 360  # px of a horizontal chart: the label above each bar, the value after it
BAR_ROOM = 290  # px of the longest horizontal bar
LABEL_ROOM = 22  # px above a bar for its label
BAR_HEIGHT = 16
ROW = LABEL_ROOM + BAR_HEIGHT + 10  # px per horizontal bar
COLUMN_AREA = 160  # px height of the tallest column
COLUMN_STEP = 30  # px per column
VALUE_ROOM = 56  # px above the tallest column for its value, written upwards


@dataclass(frozen=True)
class Bar:
    label: Any
    text: str  # the value as shown
    x: int
    y: int
    width: int
    height: int
    series: int = 0  # grouped charts: which series the bar belongs to (its colour)


@dataclass(frozen=True)
class BarChart:
    title: Any
    bars: list[Bar]
    width: int
    height: int
    vertical: bool  # columns (months along the bottom) rather than horizontal bars


def _text(value: float | int | None) -> str:
    if value is None:
        return "—"
    return format_decimal(value, "#,##0.#" if isinstance(value, float) else "#,##0")


def horizontal_bars(title: Any, items: Sequence[tuple[Any, float | int | None]],
                    top: float | int | None = None) -> BarChart:
    """One bar per (label, value); values below zero or missing draw no bar. `top` is the
    value drawn full width (default: the largest; e.g. 100 for a 0–100 index)."""
    top = top or max((v for _, v in items if v), default=0) or 1
    bars = [Bar(label, _text(value), 2, LABEL_ROOM + i * ROW,
                int(max(value or 0, 0) * BAR_ROOM / top), BAR_HEIGHT)
            for i, (label, value) in enumerate(items)]
    return BarChart(title, bars, CHART_WIDTH, len(items) * ROW, False)


def columns(title: Any, items: Sequence[tuple[Any, float | int | None]]) -> BarChart:
    """One column per (label, value), e.g. per month, oldest on the left."""
    top = max((v for _, v in items if v), default=0) or 1
    bars = []
    for i, (label, value) in enumerate(items):
        height = int(max(value or 0, 0) * COLUMN_AREA / top)
        bars.append(Bar(label, _text(value), 10 + i * COLUMN_STEP,
                        VALUE_ROOM + COLUMN_AREA - height, COLUMN_STEP - 8, height))
    return BarChart(title, bars, 20 + len(items) * COLUMN_STEP, VALUE_ROOM + COLUMN_AREA + 64, True)


GROUP_BAR = 14  # px per bar of a grouped chart
GROUP_GAP = 10  # px between groups


def grouped_bars(title: Any, groups: Sequence[tuple[Any, Sequence[float | int | None]]],
                 top: float | int | None = None) -> BarChart:
    """For each (label, values) a block of thin horizontal bars, one per series side by side
    (`macros/charts.html` colours them by series and draws the legend)."""
    top = top or max((v for _, values in groups for v in values if v), default=0) or 1
    bars, y = [], 0
    for label, values in groups:
        y += LABEL_ROOM
        for index, value in enumerate(values):
            bars.append(Bar(label if index == 0 else "", _text(value), 2, y,
                            int(max(value or 0, 0) * BAR_ROOM / top), GROUP_BAR, index))
            y += GROUP_BAR + 2
        y += GROUP_GAP
    return BarChart(title, bars, CHART_WIDTH, y, False)
