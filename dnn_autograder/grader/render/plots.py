"""Draw the pictures of a report from plain data (:mod:`dnn_autograder.grader.figures`, counterexamples).

Each drawer returns a *block* for the templates: ``{"title", "svg", "caption", "notes",
"table"}`` where ``table`` (``{"caption", "columns", "rows"}``) gives the same numbers as text,
so nothing is only in the picture. A drawer that fails on odd data yields a block with a note
instead of a picture; rendering goes on.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from dnn_autograder.grader.render import linechart
from dnn_autograder.grader.render.linechart import Chart
from dnn_autograder.grader.render.svg import (
    BLUE,
    GREY,
    MARKERS,
    SERIES,
    SMALL,
    VERMILION,
    axes,
    figure,
    log_axis,
    to_svg,
)
from dnn_autograder.grader.render.text import clean

log = logging.getLogger(__name__)

YOURS = "yours"
#: blank rows between the ReLU and the tanh halves of the histogram mosaic
GAP = 5
REF = "reference"


def figure_blocks(figures: Mapping[str, Any], prefix: str) -> list[dict[str, Any]]:
    """Blocks for an assignment's ``figures`` mapping, in a fixed order; unknown keys skipped."""
    blocks = []
    for index, (key, drawer) in enumerate(_DRAWERS.items()):
        if key not in figures:
            continue
        data = figures[key]
        notes = [clean(n) for n in data.get("notes", ())] if isinstance(data, Mapping) else []
        try:
            block = drawer(data, f"{prefix}-{index}")
        except Exception:  # noqa: BLE001 - a picture must never break the report
            log.exception("could not draw figure %s", key)
            block = {"title": key.replace("_", " "), "svg": "", "caption": "",
                     "table": None, "notes": ["This picture could not be drawn."]}
        block["notes"] = notes + block.get("notes", [])
        blocks.append(block)
    return blocks


def heatmap(diff: np.ndarray, where: str, prefix: str) -> str:
    """``|yours - expected|`` of a large array as an SVG heatmap (1-D is folded into rows)."""
    grid = _as_2d(np.asarray(diff, dtype=float))
    height = min(3.6, 1.0 + 2.6 * grid.shape[0] / max(grid.shape[1], 1))
    with figure(6.0, height) as fig:
        ax = axes(fig, 0.6, 0.45, 4.4, height - 0.6)
        cmap = _colormap("viridis")
        image = ax.imshow(np.where(np.isfinite(grid), grid, np.nan), cmap=cmap, aspect="auto")
        ax.set_xticks(_few(grid.shape[1]))
        ax.set_yticks(_few(grid.shape[0]))
        ax.set_xlabel("column")
        ax.set_ylabel("row")
        top = float(np.nanmax(grid)) if np.isfinite(grid).any() else 1.0
        bar = fig.colorbar(image, cax=axes(fig, 5.15, 0.45, 0.15, height - 0.6),
                           ticks=[0.0, top / 2, top])
        bar.set_label("|yours \u2212 expected|")
        return to_svg(fig, f"Heatmap of the absolute difference for {where}", prefix)


def score_histogram(percents: Sequence[float], prefix: str) -> str:
    """Class score distribution in 10 % bins."""
    with figure(6.0, 2.4) as fig:
        ax = axes(fig, 0.6, 0.5, 5.2, 1.75)
        counts, edges = np.histogram(np.clip(percents, 0, 100), bins=np.linspace(0, 100, 11))
        ax.bar(edges[:-1], counts, width=9.2, align="edge", color=BLUE, edgecolor="white")
        for x, count in zip(edges[:-1], counts, strict=True):
            if count:
                ax.text(x + 4.6, count, str(int(count)), ha="center", va="bottom", fontsize=SMALL)
        ax.set_xticks([0, 50, 100])
        ax.set_xlim(0, 100)
        ax.set_ylim(0, max(int(counts.max()), 1) * 1.2)
        ax.yaxis.set_major_locator(_max_ticks(4, integer=True))
        ax.set_xlabel("score (% of the maximum)")
        ax.set_ylabel("students")
        return to_svg(fig, "Histogram of the class's scores", prefix)


def pass_rates(labels: Sequence[str], rates: Sequence[float], prefix: str) -> str:
    """Horizontal bars: percentage of students who passed each function."""
    height = 0.7 + 0.26 * len(labels)
    with figure(6.4, height) as fig:
        ax = axes(fig, 2.9, 0.45, 3.3, height - 0.55)
        positions = np.arange(len(labels))
        ax.barh(positions, rates, color=BLUE, height=0.6)
        ax.set_yticks(positions, labels, fontsize=SMALL)
        ax.set_ylim(len(labels) - 0.5, -0.5)
        ax.set_xlim(0, 100)
        ax.set_xticks([0, 50, 100])
        ax.set_xlabel("students who passed (%)")
        for y, rate in zip(positions, rates, strict=True):
            ax.text(min(rate + 1.5, 86), y, f"{rate:.0f}%", va="center", fontsize=SMALL)
        return to_svg(fig, "Pass rate per graded function", prefix)


# ----------------------------------------------------------------- the drawers


def _optimizer_paths(data: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """Drawn as SVG directly (:mod:`.linechart`): the same picture as matplotlib would draw, in
    a few milliseconds instead of ~0.15 s, and without importing matplotlib in the worker."""
    series = list(data["series"])
    steps = int(data.get("steps", 60))
    # 8 x 3.7 inches, as the other pictures; panels placed as before (points from the top left)
    chart = Chart(576.0, 266.4)
    paths = chart.panel(left=39.6, top=21.6, width=295.2, height=172.8, xlim=(-8.0, 2.5), ylim=(-3.0, 3.0),
                        xticks=(-8, -4, 0, 2), yticks=(-3, 0, 3), title="paths on f(x, y) = x\u00b2/20 + y\u00b2",
                        xlabel="x", ylabel="y")
    for level in (0.1, 0.4, 1, 2, 3.5, 5.5):  # level sets of the bowl: ellipses
        paths.ellipse(0.0, 0.0, math.sqrt(20 * level), math.sqrt(level), colour="#b0b0b0")
    costs = [c for item in series for key in (REF, YOURS) for c in ((item.get(key) or {}).get("cost") or [])]
    low, high = linechart.padded(costs)
    cost = chart.panel(left=381.6, top=21.6, width=183.6, height=172.8, xlim=(-0.05 * steps, 1.05 * steps),
                       ylim=(low, high), xticks=(0, steps // 2, steps), yticks=linechart.nice_ticks(low, high),
                       title="logistic cost", xlabel="iteration")
    # the reference: grey and dashed, under; yours: a colour per method, solid, with markers
    for key in (REF, YOURS):
        for i, item in enumerate(series):
            points = item.get(key)
            if not points or not points.get("x"):
                continue
            values = points.get("cost") or []
            if key == REF:
                look: dict[str, Any] = {"colour": GREY, "width": 1.2, "dash": (4.8, 2.4)}
                if i == 0:
                    chart.add_legend("reference (each method)", GREY, dash=(4.8, 2.4))
            else:
                look = {"colour": SERIES[i], "width": 1.6, "marker": MARKERS[i], "marker_size": 4.0}
                chart.add_legend(f"{item['label']} (yours)", SERIES[i], marker=MARKERS[i])
            paths.line(points["x"], points["y"], every=4, **look)
            cost.line(list(range(len(values))), values, every=10, **look)
    paths.point(0.0, 0.0, "*", "#1a1a1a")
    svg = chart.to_svg("Optimizer paths on an elongated bowl and cost over iterations", prefix)
    rows = [[item["label"], _end(item.get(YOURS)), _end(item.get(REF))] for item in series]
    return {
        "title": "Your optimizers on an elongated bowl",
        "svg": svg,
        "caption": (f"Left: {data.get('steps', '')} steps from ({_num(data['start'][0])}, "
                    f"{_num(data['start'][1])}) on f(x, y) = x\u00b2/20 + y\u00b2 (minimum at the "
                    "star). Right: the cost of a small logistic regression trained by the same "
                    "calls. Your functions: coloured solid lines with markers; the reference: grey dashed "
                    "lines (where yours is right, it covers the reference)."),
        "table": {"caption": "Where each optimizer ended: (x, y); final logistic cost",
                  "columns": ["method", "yours", "reference"], "rows": rows},
        "notes": [],
    }


def _init_activations(data: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    networks = list(data["networks"])
    layers = int(data["layers"])
    edges = np.asarray(data["log_edges"], dtype=float)
    image, blocks = _histogram_mosaic(networks, layers, len(edges) - 1)
    with figure(8.0, 3.9) as fig:
        ax = axes(fig, 0.85, 0.3, 6.5, 3.0)
        from matplotlib.colors import PowerNorm

        top = max(float(np.nanmax(image)), 1e-9)
        shown = ax.imshow(image, aspect="auto", cmap=_colormap("Blues"), origin="lower",
                          norm=PowerNorm(0.5, vmin=0, vmax=top))
        bins = len(edges) - 1
        ticks = [(base + b, f"{edges[b]:g}") for base in (0, bins + GAP)
                 for b in range(0, bins + 1, 4)]
        ax.set_yticks([t[0] - 0.5 for t in ticks], [t[1] for t in ticks], fontsize=SMALL)
        ax.set_ylabel("log10 |activation|")
        ax.set_xticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
        for left, label, note in blocks:
            ax.text(left + layers / 2 - 0.5, image.shape[0] - 0.2, label, ha="center",
                    va="bottom", fontsize=SMALL)
            for middle in ((bins - 1) / 2, bins + GAP + (bins - 1) / 2) if note else ():
                ax.text(left + layers / 2 - 0.5, middle, note, ha="center", va="center",
                        fontsize=SMALL, color=VERMILION)
        ax.text(image.shape[1] / 2, bins + GAP / 2 - 0.5,
                "\u25b2 tanh network above      \u25bc ReLU network below", ha="center",
                va="center", fontsize=SMALL)
        ax.text(image.shape[1] / 2, -1.5, "layers 1 \u2192 " + str(layers) + " in each block",
                ha="center", va="top", fontsize=SMALL)
        bar = fig.colorbar(shown, cax=axes(fig, 7.55, 0.3, 0.12, 3.0))
        bar.set_label("share of activations", fontsize=SMALL)
        svg = to_svg(fig, "Histograms of activation magnitudes per layer for each initializer",
                     prefix)
    rows = []
    for net in networks:
        for act in ("relu", "tanh"):
            rows.append([_short_init(net["function"]), act,
                         _std_range(net.get(YOURS), act), _std_range(net.get(REF), act)])
    return {
        "title": "Activations of a deep network built with your initializers",
        "svg": svg,
        "caption": (f"A {layers}-layer network of {data['units']} units per layer on "
                    f"{data['examples']} random inputs, once with ReLU (bottom half) and once "
                    "with tanh (top half). Each block shows layers 1 to "
                    f"{layers} left to right; each column is that layer's histogram of "
                    "log10 |activation| (darker = more activations of that size). Mass moving "
                    "up across layers means exploding activations, moving down means vanishing; "
                    "activations that are exactly 0 are not counted."),
        "table": {"caption": "Standard deviation of the activations, first layer \u2192 last layer",
                  "columns": ["initializer", "activation", "yours", "reference"], "rows": rows},
        "notes": [],
    }


def _histogram_mosaic(networks: Sequence[Mapping[str, Any]], layers: int,
                      bins: int) -> tuple[np.ndarray, list[tuple[int, str, str]]]:
    """One image: ReLU histograms below, tanh above; a block of ``layers`` columns per
    (initializer, yours/reference), blank (NaN) gaps between blocks."""
    width = len(networks) * 2 * (layers + 1) + (len(networks) - 1) * 2 - 1
    image = np.full((2 * bins + GAP, width), np.nan)
    blocks = []
    left = 0
    for net in networks:
        for key in (YOURS, REF):
            stats = net.get(key)
            note = "not available" if not stats else ""
            if stats:
                for row, act in ((0, "relu"), (bins + GAP, "tanh")):
                    hist = np.asarray(stats[act]["hist"], dtype=float)
                    image[row:row + bins, left:left + layers] = hist.T
                if float(np.mean(stats["relu"]["zero"])) > 0.99:
                    note = "all 0"
            blocks.append((left, f"{_short_init(net['function'])}\n{key}", note))
            left += layers + 1
        left += 2
    return image, blocks


def _dropout_scaling(data: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """Drawn as SVG directly (:mod:`.linechart`), as the optimizer picture."""
    probs = list(data["keep_prob"])
    chart = Chart(576.0, 230.4)  # 8 x 3.2 inches: two panels, the legend below
    dotted, dashed = (1.2, 2.4), (4.8, 2.4)
    for left, key, ideal, title, ylabel in (
        (50.4, "kept", probs, "units kept", "share of active units kept"),
        (338.4, "scale", [1.0] * len(probs), "activation scale", "mean activation / without dropout"),
    ):
        shown = [v for source in (REF, YOURS) for v in ((data.get(source) or {}).get(key) or [])]
        low, high = linechart.padded([*ideal, *shown])
        panel = chart.panel(left=left, top=21.6, width=216.0, height=144.0, xlim=(-0.05, 1.05), ylim=(low, high),
                            xticks=(0, 0.5, 1.0), yticks=linechart.nice_ticks(low, high), title=title,
                            xlabel="keep_prob", ylabel=ylabel, ylabel_offset=36.0)
        panel.line(probs, ideal, colour="#1a1a1a", width=1.2, dash=dotted)
        for source, dash, marker, colour in ((REF, dashed, "x", GREY), (YOURS, (), "o", VERMILION)):
            values = (data.get(source) or {}).get(key)
            if values:
                panel.line(probs, values, colour=colour, width=1.4, dash=dash, marker=marker)
    chart.add_legend("ideal", "#1a1a1a", dash=dotted)
    chart.add_legend(REF, GREY, dash=dashed, marker="x")
    if data.get(YOURS):
        chart.add_legend(YOURS, VERMILION, marker="o")
    svg = chart.to_svg("Fraction kept and activation scale against keep_prob", prefix)
    yours = data.get(YOURS) or {}
    ref = data.get(REF) or {}
    rows = [[_num(p), _pick(yours, "kept", i), _pick(ref, "kept", i), _pick(yours, "scale", i),
             _pick(ref, "scale", i)] for i, p in enumerate(probs)]
    return {
        "title": "Your dropout against keep_prob",
        "svg": svg,
        "caption": ("forward_propagation_with_dropout on a fixed 100-unit first layer. Left: the "
                    "share of active units that survive (should be keep_prob). Right: the mean "
                    "activation after dropout divided by the mean without it (inverted dropout "
                    "keeps it at 1)."),
        "table": {"caption": "Kept share and activation scale per keep_prob",
                  "columns": ["keep_prob", "kept (yours)", "kept (reference)", "scale (yours)",
                              "scale (reference)"], "rows": rows},
        "notes": [],
    }


def _gradient_check(data: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    cases = list(data["cases"])
    threshold = float(data["threshold"])
    labels = [f"{c['gradient']}\nx={_num(c['x'])}, \u03b8={_num(c['theta'])}" for c in cases]
    with figure(8.0, 3.1) as fig:
        ax = axes(fig, 0.75, 0.6, 7.0, 2.05)
        pos = np.arange(len(cases))
        ref = [max(float(c[REF]), 1e-17) for c in cases]
        ax.bar(pos + 0.2, ref, width=0.4, color="#d0d0d0", edgecolor=GREY, hatch="///",
               label=REF)
        yours = [(p, max(float(c[YOURS]), 1e-17)) for p, c in zip(pos, cases, strict=True)
                 if c.get(YOURS) is not None]
        if yours:
            ax.bar([p - 0.2 for p, _ in yours], [v for _, v in yours], width=0.4, color=BLUE,
                   label=YOURS)
        ax.axhline(threshold, color=VERMILION, linestyle="--", label=f"threshold {threshold:g}")
        log_axis(ax)
        ax.set_ylim(1e-17, 10)
        ax.set_xticks(pos, labels, fontsize=SMALL)
        ax.set_ylabel("reported difference")
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=3)
        svg = to_svg(fig, "Differences reported by gradient_check against the threshold", prefix)
    rows = [[c["gradient"], f"x = {_num(c['x'])}, \u03b8 = {_num(c['theta'])}",
             "\u2013" if c.get(YOURS) is None else f"{c[YOURS]:.3g}", f"{c[REF]:.3g}",
             _verdict(c.get(YOURS), threshold)] for c in cases]
    return {
        "title": "What your gradient_check reports",
        "svg": svg,
        "caption": (f"J(\u03b8) = \u03b8x with the correct derivative x and a wrong one "
                    f"({_num(data.get('wrong_factor', 1.1))}\u00b7x). A correct check reports a "
                    f"tiny difference for the first and one above the threshold ({threshold:g}) "
                    "for the second. Yours: solid bars; the reference: hatched."),
        "table": {"caption": "Reported differences", "rows": rows,
                  "columns": ["gradient", "point", "yours", "reference", "your verdict"]},
        "notes": [],
    }


# -------------------------------------------------------------------- helpers


def _as_2d(array: np.ndarray) -> np.ndarray:
    if array.ndim == 2:
        return array
    if array.ndim > 2:
        return array.reshape(-1, array.shape[-1])
    width = int(math.ceil(math.sqrt(array.size * 4)))
    padded = np.full(int(math.ceil(array.size / width)) * width, np.nan)
    padded[: array.size] = array.ravel()
    return padded.reshape(-1, width)


def _num(value: Any) -> str:
    return f"{float(value):g}"


def _end(points: Mapping[str, Any] | None) -> str:
    if not points or not points.get("x"):
        return "\u2013"
    cost = points.get("cost") or [float("nan")]
    return f"({points['x'][-1]:.3g}, {points['y'][-1]:.3g}); {cost[-1]:.4g}"


def _std_range(stats: Mapping[str, Any] | None, act: str) -> str:
    if not stats:
        return "\u2013"
    std = stats[act]["std"]
    return f"{std[0]:.3g} \u2192 {std[-1]:.3g}"


def _few(size: int) -> list[int]:
    """At most four tick positions over ``range(size)``."""
    return sorted({0, size // 3, 2 * size // 3, size - 1}) if size > 3 else list(range(size))


def _max_ticks(count: int, integer: bool = False) -> Any:
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(nbins=count, min_n_ticks=2, integer=integer)


def _colormap(name: str) -> Any:
    """A copy of a colormap that draws missing values (NaN) white."""
    import matplotlib

    return matplotlib.colormaps[name].with_extremes(bad="white")


def _pick(values: Mapping[str, Any], key: str, index: int) -> str:
    items = values.get(key)
    return "\u2013" if not items else f"{items[index]:.3f}"


def _verdict(value: float | None, threshold: float) -> str:
    if value is None:
        return "\u2013"
    return "gradient wrong" if value > threshold else "gradient correct"


def _short_init(name: str) -> str:
    return str(name).replace("initialize_parameters_", "")


_DRAWERS: dict[str, Callable[[Mapping[str, Any], str], dict[str, Any]]] = {
    "optimizer_paths": _optimizer_paths,
    "init_activations": _init_activations,
    "dropout_scaling": _dropout_scaling,
    "gradient_check": _gradient_check,
}
