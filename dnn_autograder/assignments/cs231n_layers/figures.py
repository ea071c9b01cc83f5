r"""Pictures of CS231n's layers: ``FIGURES`` (:mod:`dnn_autograder.grader.grading.figures`).

``batchnorm_activations``: batch normalization's effect on the distribution of a layer's
activations, from the student's own ``batchnorm_forward``. A fixed batch of 200 pre-activations
:math:`h = X W` with 6 features of very different means and spreads goes through
``batchnorm_forward(h, gamma=1, beta=0, {"mode": "train"})``; the picture shows the distribution of
every feature before and after (the student's and the reference's), and the table each feature's
mean and standard deviation (after batch norm: 0 and 1, up to ``eps``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import cache
from typing import Any

import numpy as np

from dnn_autograder.grader.assignment.spec import AssignmentSpec, resolve
from dnn_autograder.grader.grading.figures import Figure, Omit, Student, prepare_script, why
from dnn_autograder.grader.model import Step, Var, script_output
from dnn_autograder.grader.outputs.render import linechart
from dnn_autograder.grader.outputs.render.linechart import Chart
from dnn_autograder.grader.outputs.render.plots import REF, YOURS, num
from dnn_autograder.grader.outputs.render.svg import GREY, MARKERS, SERIES
from dnn_autograder.grader.sandbox.requests import PreparedScript

UNIT = "batchnorm_forward"
BINS = np.linspace(-8.0, 12.0, 41)
_STEPS = (Step(UNIT, args=(Var("x"), Var("gamma"), Var("beta"), Var("bn_param")), returns=("out", "cache"),
               compare=("out",)),)


def _batch() -> np.ndarray:
    rng = np.random.default_rng(2015)
    X = rng.standard_normal((200, 4))
    W = rng.standard_normal((4, 6)) * np.array([0.3, 0.8, 1.5, 2.5, 0.5, 1.0])
    return X @ W + np.array([4.0, -2.0, 1.0, 6.0, -5.0, 0.0])


_H = _batch()


@cache
def _script() -> PreparedScript:
    """The script on :data:`_H`: the same for every student, so encoded for the sandbox once per process."""
    return prepare_script({"x": _H, "gamma": np.ones(6), "beta": np.zeros(6), "bn_param": {"mode": "train"}}, _STEPS)


def _summary(values: np.ndarray) -> dict[str, Any]:
    """Pooled density on :data:`BINS` and per-feature mean and standard deviation."""
    density, _ = np.histogram(np.clip(values, BINS[0], BINS[-1]), bins=BINS, density=True)
    return {"density": density.tolist(), "mean": values.mean(axis=0).tolist(), "std": values.std(axis=0).tolist()}


@cache
def _reference(spec: AssignmentSpec) -> dict[str, Any]:
    forward = resolve(spec.function(UNIT).reference)
    out, _ = forward(_H.copy(), np.ones(6), np.zeros(6), {"mode": "train"})
    return _summary(out)


def build(student: Student) -> dict[str, Any] | None:
    if not student.has(UNIT):
        return None
    data: dict[str, Any] = {"bins": BINS.tolist(), "before": _summary(_H), REF: _reference(student.spec),
                            YOURS: None, "notes": []}
    try:
        out = student.run_script(UNIT, _script()).get(script_output(0, "out"))
        if not isinstance(out, np.ndarray) or out.shape != _H.shape or not np.all(np.isfinite(out)):
            raise Omit(f"returned no finite array of shape {_H.shape} for out")
        data[YOURS] = _summary(np.asarray(out, dtype=float))
    except Omit as exc:
        data["notes"].append(f"{why(UNIT, exc)}, so its distribution is not drawn")
    return data


def draw(data: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """Pooled densities before and after; a table of per-feature means and spreads."""
    bins = list(data["bins"])
    centres = [(a + b) / 2 for a, b in zip(bins, bins[1:], strict=False)]
    curves: list[tuple[str, Any, dict[str, Any]]] = [
              ("before batch norm", data["before"], {"colour": GREY, "width": 1.2, "dash": (2.0, 2.0)}),
              ("after: reference", data.get(REF), {"colour": GREY, "width": 1.2, "dash": (4.8, 2.4)}),
              ("after: yours", data.get(YOURS), {"colour": SERIES[0], "width": 1.6, "marker": MARKERS[0],
                                                 "marker_size": 4.0})]
    tops = [v for _, summary, _ in curves if summary for v in summary["density"] if math.isfinite(v)]
    low, high = linechart.padded([0.0, *tops])
    chart = Chart(576.0, 266.4)
    panel = chart.panel(left=50.4, top=21.6, width=504.0, height=190.0, xlim=(bins[0], bins[-1]), ylim=(0.0, high),
                        xticks=(-8, -4, 0, 4, 8, 12), yticks=linechart.nice_ticks(0.0, high),
                        title="distribution of a layer's activations (all 6 features pooled)", xlabel="activation",
                        ylabel="density")
    for label, summary, look in curves:
        if summary:
            panel.line(centres, list(summary["density"]), every=3, **look)
            chart.add_legend(label, look["colour"], dash=look.get("dash", ()), marker=look.get("marker", ""))

    def cell(summary: Mapping[str, Any] | None, index: int) -> str:
        if not summary:
            return "\u2013"
        return f"{num(summary['mean'][index])} \u00b1 {num(summary['std'][index])}"

    rows = [[f"feature {i + 1}", cell(data["before"], i), cell(data.get(YOURS), i), cell(data.get(REF), i)]
            for i in range(len(data["before"]["mean"]))]
    return {
        "title": "Batch normalization and the activations' distribution",
        "svg": chart.to_svg("Activations before and after batch normalization", prefix),
        "caption": ("200 examples of 6 features with very different means and spreads, before batch normalization "
                    "(dotted) and after your batchnorm_forward in training mode with gamma = 1 and beta = 0 (solid), "
                    "beside the reference's (dashed): each feature is centred at 0 with spread 1."),
        "table": {"caption": "Each feature's mean \u00b1 standard deviation",
                  "columns": ["feature", "before", "after (yours)", "after (reference)"], "rows": rows},
        "notes": [],  # the data's own notes are added by the engine (render/plots.py)
    }


FIGURES = (Figure("batchnorm_activations", build, draw),)
