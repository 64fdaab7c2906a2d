"""Matches per year as bars of a server-drawn SVG: no script, so the pages' CSP stays as it is.

The model is the range-limit facet of library discovery interfaces (Blacklight): a bar per
year from the first to the last, each a link to that year's filtered search, and the same
figures as a table for people who cannot see the picture.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

WIDTH, HEIGHT = 600, 90  # the drawing's own units; the SVG scales to the page
MAX_BAR = 24.0  # a few years of matches should not look like a bar chart of three slabs


@dataclass(frozen=True)
class Bar:
    year: int
    count: int
    href: str
    x: float
    width: float
    y: float
    height: float
    selected: bool


@dataclass(frozen=True)
class Histogram:
    bars: list[Bar]
    first: int
    last: int
    peak: Bar
    width: int = WIDTH
    height: int = HEIGHT


def histogram(years: dict[int, int], link: Callable[[int], str], selected: set[int]) -> Histogram | None:
    """Bars for the years that have matches, placed on a scale from the first year to the last."""
    counted = {y: c for y, c in years.items() if c > 0}
    if not counted:
        return None
    first, last = min(counted), max(counted)
    step = min(MAX_BAR, WIDTH / (last - first + 1))
    top = max(counted.values())
    bars = []
    for year in sorted(counted):
        count = counted[year]
        height = max(2.0, HEIGHT * count / top)  # a year with one thesis is still a bar one can see and click
        bars.append(Bar(year, count, link(year), round((year - first) * step, 2), round(max(step - 1, 1), 2),
                        round(HEIGHT - height, 2), round(height, 2), year in selected))  # fmt: skip
    peak = max(bars, key=lambda b: (b.count, -b.year))
    return Histogram(bars, first, last, peak, width=round((last - first + 1) * step) or 1)
