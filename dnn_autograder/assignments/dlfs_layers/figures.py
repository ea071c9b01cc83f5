r"""Pictures of the *Deep Learning from Scratch* layers: ``FIGURES`` (:mod:`dnn_autograder.grader.grading.figures`).

``dlfs_activation_histograms``: the book's figures 6-10 to 6-14
(``ch06/weight_init_activation_histogram.py``): a batch of 200 standard-normal inputs of 100
features goes through 5 layers of 100 units, :math:`a_l = g(a_{l-1} W_l)`, for each weight
initialization: standard deviation 1 and 0.01 and Xavier's :math:`\sqrt{1/n}` with the
sigmoid, He's :math:`\sqrt{2/n}` with ReLU. Each panel is the histogram (20 bins on [0, 1]) of
one layer's activations, the learner's ``Sigmoid``/``Relu`` forward beside the reference's.
The products :math:`a_{l-1} W_l` are computed here (trusted) from the learner's own activations;
only the activation runs in the sandbox, as a script ``layer = Sigmoid(); out = layer.forward(z)``.

All five layers of one initialization are one script: between the learner's layers, the trusted
``figure_helpers.activation_next`` computes the histogram and the next product in the child, so
the batches stay there. When that script does not complete, each layer is one script again (the
products computed here), so that the note says what went wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import numpy as np

from dnn_autograder.course_helpers.figure_helpers import activation_problem, histogram
from dnn_autograder.grader.grading.figures import Figure, Omit, Student, prepare_script, why
from dnn_autograder.grader.model import Step, Var, script_output
from dnn_autograder.grader.outputs.render.linechart import Chart
from dnn_autograder.grader.outputs.render.plots import REF, YOURS
from dnn_autograder.grader.outputs.render.svg import GREY, SERIES
from dnn_autograder.grader.sandbox.requests import PreparedScript
from dnn_autograder.reference.dlfs_layers import Relu, Sigmoid

EXAMPLES, NODES, LAYERS = 200, 100, 5
BINS = 20
#: (label, activation class, weight standard deviation for fan-in NODES)
INITS = (
    ("std 1, sigmoid", "Sigmoid", 1.0),
    ("std 0.01, sigmoid", "Sigmoid", 0.01),
    ("Xavier sqrt(1/n), sigmoid", "Sigmoid", float(np.sqrt(1.0 / NODES))),
    ("He sqrt(2/n), ReLU", "Relu", float(np.sqrt(2.0 / NODES))),
)
_REFERENCE = {"Sigmoid": Sigmoid, "Relu": Relu}


#: the trusted step of the student's script, bound in the student's namespace for it
HELPERS = {"_figure_activation_next": "figure_helpers.activation_next"}


def _data(seed: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """The input batch and the 5 standard-normal weight matrices (scaled per initialization)."""
    return activation_problem(seed)


def _histogram(values: np.ndarray) -> list[int]:
    return histogram(values)


def _forward_all(activate: Callable[[np.ndarray], np.ndarray], std: float, seed: int = 0) -> list[list[int]]:
    x, weights = _data(seed)
    a, counts = x, []
    for W in weights:
        a = np.asarray(activate(a @ (W * std)), dtype=float)
        if a.shape != (EXAMPLES, NODES):
            raise Omit(f"returned an array of shape {a.shape} for a batch of shape {(EXAMPLES, NODES)}")
        counts.append(_histogram(a))
    return counts


def _reference_activation(name: str) -> Callable[[np.ndarray], np.ndarray]:
    layer_class: Any = _REFERENCE[name]
    return lambda z: layer_class().forward(z)


@cache
def _reference_histograms(name: str, std: float) -> tuple[tuple[int, ...], ...]:
    """The reference's histograms: the same for every student, computed once per process."""
    return tuple(map(tuple, _forward_all(_reference_activation(name), std)))


def _student_activation(student: Student, name: str) -> Callable[[np.ndarray], np.ndarray]:
    steps = [Step(name, returns=("layer",)),
             Step("layer.forward", args=(Var("z"),), returns=("out",), compare=("out",))]

    def activate(z: np.ndarray) -> np.ndarray:
        value = student.run_script(name, {"z": z}, steps).get(script_output(1, "out"))
        try:
            return np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise Omit("forward returned something that is not an array of numbers") from None

    return activate


@cache
def _script(name: str, std: float) -> PreparedScript:
    """``z, counts = activation_next(None, 0, std)``, then per layer ``l``: ``layer = name()``
    (seed 0, as a script of its own), ``out = layer.forward(z)`` and ``z, counts =
    activation_next(out, l + 1, std)``, comparing ``counts``; the same for every student, so
    encoded for the sandbox once per process."""
    steps = [Step("_figure_activation_next", args=(None, 0, std), returns=("z", "counts"))]
    for layer in range(1, LAYERS + 1):
        steps += [Step(name, returns=("layer",), seed=0),
                  Step("layer.forward", args=(Var("z"),), returns=("out",)),
                  Step("_figure_activation_next", args=(Var("out"), layer, std), returns=("z", "counts"),
                       compare=("counts",))]
    return prepare_script({}, steps)


def _student_histograms(student: Student, name: str, std: float) -> list[list[int]]:
    """The histograms of the learner's layers: one script, or where it does not complete, one
    script per layer in a fresh child (:func:`_forward_all`)."""
    def read(values: Mapping[str, Any]) -> list[list[int]] | None:
        counts: list[Any] = [values.get(script_output(3 * layer, "counts")) for layer in range(1, LAYERS + 1)]
        if all(isinstance(c, list) and len(c) == BINS and all(type(n) is int for n in c) for c in counts):
            return counts
        return None

    return student.script_or_stepwise(name, _script(name, std), helpers=HELPERS, read=read,
                                      stepwise=lambda: _forward_all(_student_activation(student, name), std))


def build(student: Student) -> dict[str, Any] | None:
    """Per initialization, per layer: the histogram of the learner's activations and the reference's."""
    rows, notes = [], []
    for index, (label, name, std) in enumerate(INITS):
        entry: dict[str, Any] = {"label": label, "activation": name, "std": std,
                                 REF: [list(counts) for counts in _reference_histograms(name, std)], YOURS: None}
        if student.has(name):
            overall = student.share(len(INITS) - index)
            try:
                entry[YOURS] = _student_histograms(student, name, std)
            except Omit as exc:
                notes.append(f"{label}: {why(name, exc)}, so its histograms are not drawn")
            finally:
                student.restore(overall)
        rows.append(entry)
    if not any(row[YOURS] for row in rows) and not notes:
        return None
    return {"examples": EXAMPLES, "nodes": NODES, "bins": BINS, "rows": rows, "notes": notes}


def draw(data: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """A grid: one row per initialization, one panel per layer; each histogram as a step line."""
    rows = list(data["rows"])
    bins = int(data.get("bins", BINS))
    edges = np.linspace(0.0, 1.0, bins + 1)
    xs = [float(v) for pair in zip(edges[:-1], edges[1:], strict=True) for v in pair]
    chart = Chart(576.0, 40.0 + 118.0 * len(rows))
    table = []
    for r, row in enumerate(rows):
        series: list[tuple[Any, dict[str, Any]]] = [(row.get(REF), {"colour": GREY, "width": 1.2, "dash": (4.8, 2.4)}),
                  (row.get(YOURS), {"colour": SERIES[0], "width": 1.4})]
        # ReLU's zeros fill the first bin: scale to the others, as the book does (the first is cut)
        first = 1 if row.get("activation") == "Relu" else 0
        peak = max((max(c[first:]) for counts, _ in series if counts for c in counts), default=1) or 1
        for layer in range(LAYERS):
            panel = chart.panel(left=36.0 + layer * 108.0, top=21.6 + r * 118.0, width=90.0, height=72.0,
                                xlim=(0.0, 1.0), ylim=(0.0, peak * 1.05), xticks=(0, 1), yticks=(),
                                title=f"{row['label']}: layer {layer + 1}" if layer == 0 else f"layer {layer + 1}",
                                xlabel="", ylabel="")
            for counts, look in series:
                if counts:
                    panel.line(xs, [float(c) for c in counts[layer] for _ in range(2)], **look)
        yours = row.get(YOURS)
        table.append([row["label"], _spread(yours), _spread(row.get(REF))])
    chart.add_legend("reference", GREY, dash=(4.8, 2.4))
    chart.add_legend("yours", SERIES[0])
    return {
        "title": "Activations of a 5-layer network for each weight initialization (figures 6-10 to 6-14)",
        "svg": chart.to_svg("Histograms of the activations of each layer", prefix),
        "caption": (f"{data.get('examples', EXAMPLES)} inputs, 5 layers of {data.get('nodes', NODES)} units; "
                    "each panel is the histogram of one layer's activations on [0, 1]. With std 1 the sigmoid "
                    "saturates at 0 and 1, with 0.01 every unit outputs about 0.5, Xavier (sigmoid) and He "
                    "(ReLU) keep the spread across layers. Your activation classes: blue; the reference: grey "
                    "dashed."),
        "table": {"caption": "Share of activations in the middle bins (0.25 to 0.75) at layer 5",
                  "columns": ["initialization", "yours", "reference"], "rows": table},
        "notes": [],  # the data's own notes are added by the engine (render/plots.py)
    }


def _spread(counts: list[list[int]] | None) -> str:
    if not counts:
        return "\u2013"
    last = counts[-1]
    total = sum(last) or 1
    middle = sum(last[len(last) // 4: 3 * len(last) // 4])
    return f"{middle / total:.0%}"


FIGURES = (Figure("dlfs_activation_histograms", build, draw),)
