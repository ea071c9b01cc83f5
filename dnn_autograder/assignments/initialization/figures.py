r"""Pictures of the initialization exercise: ``FIGURES`` (:mod:`dnn_autograder.grader.grading.figures`).

``init_activations``: for a 10-layer, 100-unit network built from each of the student's
initializers, once with ReLU and once with tanh, the per-layer standard deviation of the
activations and the histogram of :math:`\log_{10}|a|`, beside the reference's.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import numpy as np

from dnn_autograder.grader.assignment.spec import AssignmentSpec
from dnn_autograder.grader.grading.figures import Figure, Omit, Student, reference_outputs, why
from dnn_autograder.grader.outputs.render.plots import REF, YOURS, colormap
from dnn_autograder.grader.outputs.render.svg import SMALL, VERMILION, axes, figure, to_svg

INITIALIZERS = ("initialize_parameters_zeros", "initialize_parameters_random",
                "initialize_parameters_he")
INIT_LAYERS, INIT_UNITS, INIT_EXAMPLES = 10, 100, 200
#: histogram bins of log10|activation|
LOG_EDGES = tuple(float(e) for e in range(-16, 25, 2))
#: blank rows between the ReLU and the tanh halves of the histogram mosaic
GAP = 5


def build(student: Student) -> dict[str, Any] | None:
    """Activation statistics of each initializer's network, the student's beside the reference's."""
    dims = [INIT_UNITS] * (INIT_LAYERS + 1)
    yours: dict[str, dict[str, np.ndarray]] = {}
    notes = []
    for name in INITIALIZERS:  # the student's calls first, so the budget is spent on them
        if student.has(name):
            try:
                out = student.call(name, (list(dims),))
                yours[name] = _checked_layers(out.get("parameters"), dims)
            except Omit as exc:
                notes.append(f"{why(name, exc)}, so its activations are not drawn")
    if not yours and not notes:
        return None
    networks = [{"function": name, "reference": copy.deepcopy(_reference_stats(student.spec, name)),
                 "yours": _activation_stats(yours[name]) if name in yours else None}
                for name in INITIALIZERS]
    return {"layers": INIT_LAYERS, "units": INIT_UNITS, "examples": INIT_EXAMPLES,
            "log_edges": list(LOG_EDGES), "networks": networks, "notes": notes}


@cache
def _reference_stats(assignment: AssignmentSpec, name: str) -> dict[str, Any]:
    """The reference's statistics: the same for every student, computed once per process."""
    dims = [INIT_UNITS] * (INIT_LAYERS + 1)
    return _activation_stats(reference_outputs(assignment.function(name), (dims,))["parameters"])


def _checked_layers(value: Any, dims: list[int]) -> dict[str, np.ndarray]:
    if not isinstance(value, Mapping):
        raise Omit(f"returned {type(value).__name__} instead of the parameters dictionary")
    out = {}
    for l in range(1, len(dims)):
        for key, shape in ((f"W{l}", (dims[l], dims[l - 1])), (f"b{l}", (dims[l], 1))):
            arr = np.asarray(value[key]) if key in value else None
            if arr is None or arr.dtype.kind not in "biuf" or arr.size != math.prod(shape):
                raise Omit(f"returned no {shape} array for parameters[\"{key}\"]")
            out[key] = arr.reshape(shape).astype(float)
    return out


@cache
def _init_inputs() -> np.ndarray:
    return np.random.default_rng(3).standard_normal((INIT_UNITS, INIT_EXAMPLES))


def _activation_stats(params: Mapping[str, np.ndarray]) -> dict[str, Any]:
    """Per layer, for ReLU and tanh: std of the activations and the log10|a| histogram
    (as shares of all activations; exact zeros are counted apart in ``zero``)."""
    out: dict[str, Any] = {}
    low, width, bins = LOG_EDGES[0], LOG_EDGES[1] - LOG_EDGES[0], len(LOG_EDGES) - 1
    for act_name, act in (("relu", lambda z: np.maximum(z, 0.0)), ("tanh", np.tanh)):
        A, stds, hists, zeros = _init_inputs(), [], [], []
        with np.errstate(all="ignore"):
            for l in range(1, INIT_LAYERS + 1):
                # einsum, not @: a multithreaded BLAS thrashes on a busy grading machine
                A = act(np.einsum("ij,jk->ik", params[f"W{l}"], A) + params[f"b{l}"])
                A = np.nan_to_num(A, nan=0.0, posinf=1e300, neginf=-1e300)
                std = float(np.std(A))
                stds.append(std if math.isfinite(std) else 1e300)
                magnitude = np.abs(A[A != 0])
                index = np.clip(((np.log10(magnitude) - low) // width).astype(int), 0, bins - 1)
                counts = np.bincount(index, minlength=bins)
                hists.append([round(float(c) / A.size, 5) for c in counts])
                zeros.append(round(1.0 - magnitude.size / A.size, 5))
        out[act_name] = {"std": stds, "hist": hists, "zero": zeros}
    return out


def draw(data: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """A mosaic of per-layer histograms (ReLU below, tanh above) and a table of the std range."""
    networks = list(data["networks"])
    layers = int(data["layers"])
    edges = np.asarray(data["log_edges"], dtype=float)
    image, blocks = _histogram_mosaic(networks, layers, len(edges) - 1)
    with figure(8.0, 3.9) as fig:
        ax = axes(fig, 0.85, 0.3, 6.5, 3.0)
        from matplotlib.colors import PowerNorm

        top = max(float(np.nanmax(image)), 1e-9)
        shown = ax.imshow(image, aspect="auto", cmap=colormap("Blues"), origin="lower",
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


def _std_range(stats: Mapping[str, Any] | None, act: str) -> str:
    if not stats:
        return "\u2013"
    std = stats[act]["std"]
    return f"{std[0]:.3g} \u2192 {std[-1]:.3g}"


def _short_init(name: str) -> str:
    return str(name).replace("initialize_parameters_", "")


FIGURES = (Figure("init_activations", build, draw),)
