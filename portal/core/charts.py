"""Server-rendered bar charts: the geometry is computed here, `macros/charts.html` draws the
SVG. Charts are readable without JavaScript and always sit beside a table of the same
numbers (the table is what screen readers and CSV exports use).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import format_decimal

LABEL_WIDTH = 150  # px left of horizontal bars
BAR_ROOM = 260  # px of the longest horizontal bar
ROW = 30  # px per horizontal bar
COLUMN_AREA = 160  # px height of the tallest column
COLUMN_STEP = 34  # px per column


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
    bars = [Bar(label, _text(value), LABEL_WIDTH, 8 + i * ROW,
                int(max(value or 0, 0) * BAR_ROOM / top), ROW - 8)
            for i, (label, value) in enumerate(items)]
    return BarChart(title, bars, LABEL_WIDTH + BAR_ROOM + 70, 16 + len(items) * ROW, False)


def columns(title: Any, items: Sequence[tuple[Any, float | int | None]]) -> BarChart:
    """One column per (label, value), e.g. per month, oldest on the left."""
    top = max((v for _, v in items if v), default=0) or 1
    bars = []
    for i, (label, value) in enumerate(items):
        height = int(max(value or 0, 0) * COLUMN_AREA / top)
        bars.append(Bar(label, _text(value), 10 + i * COLUMN_STEP, 20 + COLUMN_AREA - height,
                        COLUMN_STEP - 8, height))
    return BarChart(title, bars, 20 + len(items) * COLUMN_STEP, COLUMN_AREA + 60, True)


GROUP_BAR = 14  # px per bar of a grouped chart
GROUP_GAP = 12  # px between groups


def grouped_bars(title: Any, groups: Sequence[tuple[Any, Sequence[float | int | None]]],
                 top: float | int | None = None) -> BarChart:
    """For each (label, values) a block of thin horizontal bars, one per series side by side
    (`macros/charts.html` colours them by series and draws the legend)."""
    top = top or max((v for _, values in groups for v in values if v), default=0) or 1
    bars, y = [], 8
    for label, values in groups:
        for index, value in enumerate(values):
            bars.append(Bar(label if index == 0 else "", _text(value), LABEL_WIDTH, y,
                            int(max(value or 0, 0) * BAR_ROOM / top), GROUP_BAR, index))
            y += GROUP_BAR + 2
        y += GROUP_GAP
    return BarChart(title, bars, LABEL_WIDTH + BAR_ROOM + 70, y + 8, False)
