"""Server-rendered bar charts: the geometry of horizontal bars for `macros/charts.html`.

A chart is data, not markup: the feature computes its figures, `bar_chart` scales them
to pixel widths, and the macro draws the SVG (no JavaScript, no CDN) next to which the
page shows the same numbers in a table.

    chart = bar_chart([(label, value), ...])                  # one series
    chart = grouped_chart([(label, [v1, v2, v3]), ...], 3)    # series side by side
"""

from __future__ import annotations

from dataclasses import dataclass

BAR_WIDTH = 320  # px of the longest bar
BAR_HEIGHT = 22
ROW = 34  # px per bar, gap included
GROUP_BAR = 16
GROUP_GAP = 12


@dataclass(frozen=True)
class Bar:
    label: object
    value: float | int | None  # None: no data (drawn as nothing, shown as "—")
    width: int  # px
    y: int
    series: int = 0


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    height: int
    series: int = 1
    bar_height: int = BAR_HEIGHT


def _width(value, top) -> int:
    return int(value * BAR_WIDTH / top) if value and top else 0


def bar_chart(values: list[tuple[object, float | int | None]], top: float | int | None = None) -> Chart:
    """One bar per (label, value); `top` is the value drawn full width (default: the largest)."""
    top = top if top is not None else max((v for _label, v in values if v is not None), default=0)
    bars = [Bar(label, value, _width(value, top), 10 + i * ROW) for i, (label, value) in enumerate(values)]
    return Chart(bars, 20 + len(bars) * ROW)


def grouped_chart(groups: list[tuple[object, list[float | int | None]]], series: int,
                  top: float | int | None = None) -> Chart:
    """For each (label, values) a block of `series` thin bars, one per series."""
    every = [v for _label, values in groups for v in values if v is not None]
    top = top if top is not None else max(every, default=0)
    bars, y = [], 10
    for label, values in groups:
        for index, value in enumerate(values):
            bars.append(Bar(label if index == 0 else "", value, _width(value, top), y, index))
            y += GROUP_BAR + 2
        y += GROUP_GAP
    return Chart(bars, y + 10, series, GROUP_BAR)
