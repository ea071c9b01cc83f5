"""Matplotlib figures as inline SVG strings, safe to put in an HTML page.

matplotlib is imported only when a picture is drawn (it costs ~0.5 s to import). Text stays
text (``svg.fonttype = none``) so labels are selectable and scale with the page; ids are
prefixed per picture so several SVGs can share a page; metadata, the XML prolog and the
page-wide ``<style>`` matplotlib adds are removed.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape
from typing import Any

#: Okabe-Ito colours (distinguishable with colour-vision deficiencies)
BLUE, VERMILION, GREEN, ORANGE, PURPLE, GREY = (
    "#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#444444")
SERIES = (BLUE, VERMILION, GREEN, PURPLE, ORANGE)
#: smallest text in a picture, in points: 9 pt is 12 CSS px when an SVG is shown at its natural
#: size (its width is given in pt), legible at 100 % zoom
SMALL = 9.0
MARKERS = ("o", "s", "^", "D", "v")

_RC: Any = {
    "svg.fonttype": "none",
    "svg.hashsalt": "dnn-grader",
    "font.family": "sans-serif",
    "font.size": 9.0,
    "axes.titlesize": 10.0,
    "axes.labelsize": 9.0,
    "legend.fontsize": 9.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#333333",
    "axes.labelcolor": "#1a1a1a",
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "text.color": "#1a1a1a",
    "legend.frameon": False,
    "image.interpolation": "nearest",
    "text.parse_math": False,
    "axes.formatter.use_mathtext": False,
    "xtick.minor.visible": False,
    "ytick.minor.visible": False,
}


@contextmanager
def figure(width: float, height: float) -> Iterator[Any]:
    """A fresh :class:`matplotlib.figure.Figure` (no pyplot, no global state) in our style.

    No layout engine: axes are placed with :func:`axes` (constrained layout doubles the time).
    """
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_RC):
        yield Figure(figsize=(width, height))


def axes(fig: Any, left: float, bottom: float, width: float, height: float) -> Any:
    """Axes placed in inches from the figure's lower left corner."""
    fw, fh = fig.get_size_inches()
    return fig.add_axes((left / fw, bottom / fh, width / fw, height / fh))


def log_axis(ax: Any, which: str = "y") -> None:
    """Log scale with plain ``1e-5`` labels (no mathtext) and no minor ticks."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

    (ax.set_yscale if which == "y" else ax.set_xscale)("log")
    axis = ax.yaxis if which == "y" else ax.xaxis
    axis.set_major_locator(LogLocator(base=10, numticks=6))
    axis.set_minor_locator(NullLocator())
    axis.set_major_formatter(FuncFormatter(_power_label))


def _power_label(value: float, _pos: Any = None) -> str:
    if value <= 0:
        return ""
    exponent = round(math.log10(value))
    if abs(value / 10.0 ** exponent - 1) > 1e-6:
        return f"{value:.0e}"
    return f"{value:g}" if -2 <= exponent <= 2 else f"1e{exponent}"


def to_svg(fig: Any, label: str, prefix: str) -> str:
    """The figure as an ``<svg>`` element with ``role="img"`` and ``aria-label``."""
    buffer = io.StringIO()
    import matplotlib

    with matplotlib.rc_context(_RC):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return clean_svg(buffer.getvalue(), label, prefix)


def clean_svg(text: str, label: str, prefix: str) -> str:
    start = text.find("<svg")
    body = text[start:] if start >= 0 else ""
    body = re.sub(r"<metadata>.*?</metadata>\s*", "", body, flags=re.S)
    body = re.sub(r"<style[^>]*>.*?</style>\s*", "", body, flags=re.S)
    body = re.sub(r"<!--.*?-->", "", body, flags=re.S)
    body = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}-{m[1]}"', body)
    body = body.replace("url(#", f"url(#{prefix}-").replace('href="#', f'href="#{prefix}-')
    body = body.replace(
        "<svg ", f'<svg role="img" aria-label="{escape(label, quote=True)}" class="plot-svg" ', 1)
    if re.search(r"<\s*script|<\s*foreignObject|\son[a-z]+\s*=\s*[\"']|javascript:", body, re.I):
        raise ValueError("unexpected active content in a generated SVG")
    return body.strip()
