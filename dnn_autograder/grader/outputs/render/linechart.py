"""Small SVG line charts written directly, without matplotlib (a report's optimizer picture).

A :class:`Chart` is a fixed-size drawing (in points, like matplotlib's, so text keeps its size)
holding :class:`Panel` s: axes with linear scales, left and bottom spines, ticks, a title and
labels, and lines (polylines with an optional dash and markers) clipped to the panel. Drawing one
costs a few milliseconds where a matplotlib figure and its ``savefig`` cost a tenth of a second,
and no worker has to import matplotlib for it. The look follows :mod:`.svg`'s style.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from dnn_autograder.grader.outputs.render.svg import SMALL, clean_svg

TEXT = "#1a1a1a"
AXIS = "#333333"
TITLE_SIZE = 10.0
_FONT = "sans-serif"


@dataclass
class Panel:
    """Axes at ``(left, top)`` of ``width`` x ``height`` points, showing ``xlim`` x ``ylim``."""

    left: float
    top: float
    width: float
    height: float
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    xticks: Sequence[float] = ()
    yticks: Sequence[float] = ()
    title: str = ""
    xlabel: str = ""
    ylabel: str = ""
    ylabel_offset: float = 30.0  #: from the left spine to the rotated y label's centre line
    parts: list[str] = field(default_factory=list)

    def x(self, value: float) -> float:
        low, high = self.xlim
        return self.left + (value - low) / ((high - low) or 1.0) * self.width

    def y(self, value: float) -> float:
        low, high = self.ylim
        return self.top + self.height - (value - low) / ((high - low) or 1.0) * self.height

    def line(self, xs: Sequence[float], ys: Sequence[float], *, colour: str, width: float = 1.2,
             dash: Sequence[float] = (), marker: str = "", every: int = 1, marker_size: float = 4.0) -> None:
        """A polyline through the finite points (a non-finite one breaks the line), with a
        marker on every ``every``-th point."""
        colour = colour.lower()  # as matplotlib writes colours
        style = f"fill: none; stroke: {colour}; stroke-width: {width:g}; stroke-linejoin: round"
        if dash:
            style += "; stroke-dasharray: " + ",".join(f"{d:g}" for d in dash)
        # the points in page units, as :meth:`x` and :meth:`y` compute them (the same operations
        # in the same order), None where a coordinate is not a finite number
        left, width, x_low = self.left, self.width, self.xlim[0]
        x_span = (self.xlim[1] - x_low) or 1.0
        bottom, height, y_low = self.top + self.height, self.height, self.ylim[0]
        y_span = (self.ylim[1] - y_low) or 1.0
        finite, number = math.isfinite, (int, float)
        placed = [(left + (x - x_low) / x_span * width, bottom - (y - y_low) / y_span * height)
                  if isinstance(x, number) and isinstance(y, number) and finite(x) and finite(y) else None
                  for x, y in zip(xs, ys, strict=False)]
        run: list[str] = []
        for point in placed:
            if point is not None:
                run.append(f"{point[0]:.2f},{point[1]:.2f}")
            else:
                self._polyline(run, style)
                run = []
        self._polyline(run, style)
        if marker:
            for index in range(0, len(placed), every):
                point = placed[index]
                if point is not None:
                    self.parts.append(_marker(marker, point[0], point[1], marker_size, colour))

    def ellipse(self, cx: float, cy: float, rx: float, ry: float, *, colour: str, width: float = 0.6) -> None:
        """An ellipse given in data units."""
        sx = abs(self.x(cx + rx) - self.x(cx))
        sy = abs(self.y(cy + ry) - self.y(cy))
        self.parts.append(f'<ellipse cx="{self.x(cx):.2f}" cy="{self.y(cy):.2f}" rx="{sx:.2f}" ry="{sy:.2f}" '
                          f'style="fill: none; stroke: {colour}; stroke-width: {width:g}"/>')

    def point(self, x: float, y: float, marker: str, colour: str, size: float = 9.0) -> None:
        self.parts.append(_marker(marker, self.x(x), self.y(y), size, colour))

    def _polyline(self, run: list[str], style: str) -> None:
        if len(run) > 1:
            self.parts.append(f'<polyline points="{" ".join(run)}" style="{style}"/>')

    def svg(self, clip_id: str) -> str:
        """The panel: its clipped drawing, then spines, ticks and text."""
        out = [f'<clipPath id="{clip_id}"><rect x="{self.left:.2f}" y="{self.top:.2f}" '
               f'width="{self.width:.2f}" height="{self.height:.2f}"/></clipPath>',
               f'<g clip-path="url(#{clip_id})">', *self.parts, "</g>"]
        bottom, right = self.top + self.height, self.left + self.width
        spine = f'style="fill: none; stroke: {AXIS}; stroke-width: 0.8"'
        out.append(f'<polyline points="{self.left:.2f},{self.top:.2f} {self.left:.2f},{bottom:.2f} '
                   f'{right:.2f},{bottom:.2f}" {spine}/>')
        for tick in self.xticks:
            x = self.x(tick)
            out.append(f'<line x1="{x:.2f}" y1="{bottom:.2f}" x2="{x:.2f}" y2="{bottom + 3.5:.2f}" {spine}/>')
            out.append(_text(x, bottom + 14, _tick_label(tick), anchor="middle"))
        for tick in self.yticks:
            y = self.y(tick)
            out.append(f'<line x1="{self.left - 3.5:.2f}" y1="{y:.2f}" x2="{self.left:.2f}" y2="{y:.2f}" {spine}/>')
            out.append(_text(self.left - 6, y + 3.2, _tick_label(tick), anchor="end"))
        if self.title:
            out.append(_text(self.left + self.width / 2, self.top - 7, self.title, anchor="middle",
                             size=TITLE_SIZE))
        if self.xlabel:
            out.append(_text(self.left + self.width / 2, bottom + 28, self.xlabel, anchor="middle"))
        if self.ylabel:
            middle, x = self.top + self.height / 2, self.left - self.ylabel_offset
            out.append(_text(x, middle, self.ylabel, anchor="middle",
                             transform=f"rotate(-90 {x:.2f} {middle:.2f})"))
        return "\n".join(out)


@dataclass
class Chart:
    """A drawing of ``width`` x ``height`` points holding panels and a legend."""

    width: float
    height: float
    panels: list[Panel] = field(default_factory=list)
    legend: list[tuple[str, str, Sequence[float], str]] = field(default_factory=list)
    legend_columns: int = 3

    def panel(self, **kwargs: object) -> Panel:
        panel = Panel(**kwargs)  # type: ignore[arg-type]
        self.panels.append(panel)
        return panel

    def add_legend(self, label: str, colour: str, dash: Sequence[float] = (), marker: str = "") -> None:
        self.legend.append((label, colour, dash, marker))

    def to_svg(self, label: str, prefix: str) -> str:
        """The chart as an ``<svg>`` element (``role="img"``, ``aria-label``), ids prefixed."""
        body = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width:g}pt" height="{self.height:g}pt" '
                f'viewBox="0 0 {self.width:g} {self.height:g}" version="1.1">',
                f'<rect width="{self.width:g}" height="{self.height:g}" style="fill: #ffffff"/>']
        body += [panel.svg(f"clip{index}") for index, panel in enumerate(self.panels)]
        body.append(self._legend())
        body.append("</svg>")
        return clean_svg("\n".join(body), label, prefix)

    def _legend(self) -> str:
        if not self.legend:
            return ""
        columns = min(self.legend_columns, len(self.legend))
        rows = math.ceil(len(self.legend) / columns)
        cell = min(190.0, (self.width - 20) / columns)
        left = (self.width - cell * columns) / 2
        out = []
        for index, (label, colour, dash, marker) in enumerate(self.legend):
            row, column = divmod(index, columns)
            x = left + column * cell
            y = self.height - 8 - (rows - 1 - row) * 15
            colour = colour.lower()
            style = f"fill: none; stroke: {colour}; stroke-width: 1.4"
            if dash:
                style += "; stroke-dasharray: " + ",".join(f"{d:g}" for d in dash)
            out.append(f'<line x1="{x:.2f}" y1="{y - 3:.2f}" x2="{x + 24:.2f}" y2="{y - 3:.2f}" style="{style}"/>')
            if marker:
                out.append(_marker(marker, x + 12, y - 3, 4.0, colour))
            out.append(_text(x + 30, y, label, anchor="start"))
        return "\n".join(out)


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """At most ``count`` + 1 round tick values covering ``[low, high]`` (1, 2, 2.5, 5 x 10^k steps)."""
    if not (_finite(low) and _finite(high)) or high <= low:
        return [low] if _finite(low) else []
    raw = (high - low) / max(count, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.ceil(low / step - 1e-9) * step
    ticks = []
    value = first
    while value <= high + 1e-9 * step:
        ticks.append(round(value, 12))
        value += step
    return ticks


def padded(values: Sequence[float], fraction: float = 0.05) -> tuple[float, float]:
    """``(low, high)`` of the finite values, widened by ``fraction`` of the span on each side."""
    finite = [v for v in values if _finite(v)]
    if not finite:
        return 0.0, 1.0
    low, high = min(finite), max(finite)
    span = high - low or abs(high) or 1.0
    return low - fraction * span, high + fraction * span


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def _tick_label(value: float) -> str:
    return f"{value:g}".replace("-", "\u2212")


def _text(x: float, y: float, text: str, *, anchor: str, size: float = SMALL, transform: str = "") -> str:
    extra = f' transform="{transform}"' if transform else ""
    return (f'<text x="{x:.2f}" y="{y:.2f}" style="font: {size:g}px {_FONT}; fill: {TEXT}; '
            f'text-anchor: {anchor}"{extra}>{escape(text)}</text>')


def _marker(kind: str, x: float, y: float, size: float, colour: str) -> str:
    """A marker centred on ``(x, y)``: ``o`` circle, ``x`` cross, ``s`` square, ``^``/``v`` triangles, ``D``
    diamond, ``*`` star; ``size`` is its width in points."""
    r = size / 2
    colour = colour.lower()
    style = f'style="fill: {colour}; stroke: {colour}; stroke-width: 0.5"'
    if kind == "x":
        cross = f'style="fill: none; stroke: {colour}; stroke-width: 1.2"'
        return (f'<path d="M{x - r:.2f},{y - r:.2f}L{x + r:.2f},{y + r:.2f}M{x - r:.2f},{y + r:.2f}'
                f'L{x + r:.2f},{y - r:.2f}" {cross}/>')
    if kind == "o":
        return f'<circle cx="{x:.2f}" cy="{y:.2f}" r="{r:.2f}" {style}/>'
    if kind == "s":
        return f'<rect x="{x - r:.2f}" y="{y - r:.2f}" width="{size:.2f}" height="{size:.2f}" {style}/>'
    if kind == "*":
        points = [(x + (r if i % 2 == 0 else r * 0.45) * math.sin(i * math.pi / 5),
                   y - (r if i % 2 == 0 else r * 0.45) * math.cos(i * math.pi / 5)) for i in range(10)]
    elif kind == "D":
        points = [(x, y - r), (x + r, y), (x, y + r), (x - r, y)]
    elif kind == "v":
        points = [(x - r, y - r), (x + r, y - r), (x, y + r)]
    else:  # "^"
        points = [(x - r, y + r), (x + r, y + r), (x, y - r)]
    return '<polygon points="' + " ".join(f"{px:.2f},{py:.2f}" for px, py in points) + f'" {style}/>'
