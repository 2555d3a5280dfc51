"""Horizontal bar charts for the desk's pages, as geometry only: pure, no I/O, no HTML.

A template draws the result as inline SVG (bot/desk/templates/_chart.html), coloured by
classes from desk.css: no script, no style attribute, so the strict CSP holds. Every bar is
as long as its value's share of the largest value; all zero draws no bars (never divides by
zero). The numbers are also written next to each bar, and the page shows them as text, so
the chart is never the only way to read them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 480  # the drawing's width in SVG units (it scales to the column)
LABEL_WIDTH = 170  # the labels' column, left of the bars ("ordinarie, extra tid" fits)
VALUE_WIDTH = 60  # room right of the longest bar for its number
BAR_HEIGHT = 22
GAP = 8
PAD = 4


@dataclass(frozen=True, slots=True)
class Bar:
    label: str  # what the bar counts ("pool", "mån")
    value: float
    text: str  # the value as written next to the bar ("3", "12,5 h")
    x: float
    y: float
    width: float
    height: float
    label_x: float  # right end of the label (text-anchor end)
    value_x: float  # left end of the number, right of the bar
    text_y: float  # baseline of label and number


@dataclass(frozen=True, slots=True)
class BarChart:
    title: str  # the SVG's <title>
    desc: str  # the SVG's <desc>: every label and value in words
    width: float
    height: float
    bars: tuple[Bar, ...]


def bar_chart(title: str, rows: Sequence[tuple[str, float, str]], *,
              width: float = WIDTH, label_width: float = LABEL_WIDTH) -> BarChart:
    """A chart of (label, value, text) rows, top to bottom in the order given. A negative
    value draws as zero; the bars share the plot's width in proportion to the largest."""
    plot = max(0.0, width - label_width - VALUE_WIDTH)
    top = max((max(0.0, v) for _, v, _ in rows), default=0.0)
    bars = []
    for i, (label, value, text) in enumerate(rows):
        y = PAD + i * (BAR_HEIGHT + GAP)
        length = plot * max(0.0, value) / top if top > 0 else 0.0
        bars.append(Bar(
            label=label, value=value, text=text, x=label_width, y=y, width=round(length, 2),
            height=BAR_HEIGHT, label_x=label_width - GAP, value_x=label_width + length + GAP,
            text_y=y + BAR_HEIGHT * 0.7,
        ))
    height = 2 * PAD + len(rows) * BAR_HEIGHT + max(0, len(rows) - 1) * GAP
    desc = "; ".join(f"{label}: {text}" for label, _, text in rows)
    return BarChart(title, desc, width, height, tuple(bars))
