"""The class summary's two bar charts, written as SVG directly (no matplotlib).

The summary page is drawn by the class batch's own process at the end of a run; importing
matplotlib for two bar charts cost that process ~0.5 s of CPU while the workers graded. These
charts keep the look of :mod:`.svg` (sizes in points, text as text, the Okabe-Ito blue) and the
panels of :mod:`.linechart` (spines, ticks, labels), with bars added as rectangles.

- :func:`score_histogram`: the class's scores (percent of the maximum, clipped to [0, 100]) in
  ten bins of 10 points, ``[0, 10), [10, 20), ..., [90, 100]`` (the last one closed, as
  ``numpy.histogram``), each bar labelled with its count.
- :func:`pass_rates`: one horizontal bar per graded function, its length the percentage of
  students who passed it, labelled ``NN%`` (after the bar, or inside its end when the bar is
  long); the first function is on top.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from dnn_autograder.grader.outputs.render.linechart import TEXT, Panel
from dnn_autograder.grader.outputs.render.svg import BLUE, SMALL, clean_svg

PT_PER_INCH = 72.0
BINS = 10
#: a pass rate label goes after its bar up to this percentage, inside the bar's end past it
INSIDE_FROM = 86.0
_FONT = "sans-serif"


def bin_counts(percents: Sequence[float]) -> list[int]:
    """How many of ``percents`` (clipped to [0, 100]; NaN left out) fall in each 10-point bin:
    bin ``i`` holds ``10 i <= p < 10 (i + 1)``, the last bin also ``p = 100``."""
    counts = [0] * BINS
    for value in percents:
        if math.isnan(value):
            continue
        clipped = min(max(float(value), 0.0), 100.0)
        counts[min(int(clipped // (100 / BINS)), BINS - 1)] += 1
    return counts


def integer_ticks(top: float, most: int = 4) -> list[int]:
    """Whole-number ticks from 0 up to at most ``top``, at most ``most`` + 1 of them, with a step
    of 1, 2 or 5 times a power of ten."""
    if top <= 0:
        return [0]
    step = 1
    while top / step > most:
        step = next(s for s in _steps() if s > step)
    return list(range(0, int(top) + 1, step))


def _steps() -> list[int]:
    return [m * 10**k for k in range(9) for m in (1, 2, 5)]


def score_histogram(percents: Sequence[float], prefix: str) -> str:
    """The class score distribution in 10 % bins (module doc), as an ``<svg>`` element."""
    width, height = 6.0 * PT_PER_INCH, 2.4 * PT_PER_INCH
    counts = bin_counts(percents)
    top = max(max(counts), 1) * 1.2
    panel = Panel(left=0.6 * PT_PER_INCH, top=height - 2.25 * PT_PER_INCH, width=5.2 * PT_PER_INCH,
                  height=1.75 * PT_PER_INCH, xlim=(0.0, 100.0), ylim=(0.0, top), xticks=(0, 50, 100),
                  yticks=integer_ticks(top), xlabel="score (% of the maximum)", ylabel="students")
    labels = []
    for index, count in enumerate(counts):
        if not count:
            continue
        left = index * 100 / BINS
        _bar(panel, left, left + 9.2, 0.0, count)
        labels.append(_text(panel.x(left + 4.6), panel.y(count) - 2.5, str(count), anchor="middle"))
    return _svg(width, height, panel, labels, "Histogram of the class's scores", prefix)


def pass_rates(labels: Sequence[str], rates: Sequence[float], prefix: str) -> str:
    """Horizontal bars: the percentage of students who passed each function (module doc)."""
    rows = len(labels)
    width, height = 6.4 * PT_PER_INCH, (0.7 + 0.26 * rows) * PT_PER_INCH
    panel = Panel(left=2.9 * PT_PER_INCH, top=0.1 * PT_PER_INCH, width=3.3 * PT_PER_INCH,
                  height=height - 0.55 * PT_PER_INCH, xlim=(0.0, 100.0), ylim=(rows - 0.5, -0.5),
                  xticks=(0, 50, 100), xlabel="students who passed (%)")
    extra = []
    for row, (label, rate) in enumerate(zip(labels, rates, strict=True)):
        _bar(panel, 0.0, rate, row - 0.3, row + 0.3, horizontal=True)
        middle = panel.y(row) + 3.2
        extra.append(_text(panel.left - 6, middle, label, anchor="end"))
        if rate + 1.5 <= INSIDE_FROM:  # after the bar, else inside its end in white
            extra.append(_text(panel.x(rate + 1.5), middle, f"{rate:.0f}%", anchor="start"))
        else:
            extra.append(_text(panel.x(rate) - 3, middle, f"{rate:.0f}%", anchor="end", colour="#ffffff"))
        extra.append(f'<line x1="{panel.left - 3.5:.2f}" y1="{panel.y(row):.2f}" x2="{panel.left:.2f}" '
                     f'y2="{panel.y(row):.2f}" style="fill: none; stroke: #333333; stroke-width: 0.8"/>')
    return _svg(width, height, panel, extra, "Pass rate per graded function", prefix)


def _bar(panel: Panel, x0: float, x1: float, y0: float, y1: float, *, horizontal: bool = False) -> None:
    """A filled rectangle over data ``[x0, x1] x [y0, y1]`` (vertical bars: white edges, as
    bars side by side)."""
    left, right = sorted((panel.x(x0), panel.x(x1)))
    top, bottom = sorted((panel.y(y0), panel.y(y1)))
    edge = "" if horizontal else "; stroke: #ffffff; stroke-width: 1"
    panel.parts.append(f'<rect x="{left:.2f}" y="{top:.2f}" width="{right - left:.2f}" '
                       f'height="{bottom - top:.2f}" style="fill: {BLUE.lower()}{edge}"/>')


def _text(x: float, y: float, text: str, *, anchor: str, colour: str = TEXT) -> str:
    return (f'<text x="{x:.2f}" y="{y:.2f}" style="font: {SMALL:g}px {_FONT}; fill: {colour}; '
            f'text-anchor: {anchor}">{escape(text)}</text>')


def _svg(width: float, height: float, panel: Panel, extra: Sequence[str], label: str, prefix: str) -> str:
    body = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}pt" height="{height:g}pt" '
            f'viewBox="0 0 {width:g} {height:g}" version="1.1">',
            f'<rect width="{width:g}" height="{height:g}" style="fill: #ffffff"/>',
            panel.svg("clip0"), *extra, "</svg>"]
    return clean_svg("\n".join(body), label, prefix)
