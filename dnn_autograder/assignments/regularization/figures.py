"""Pictures of the regularization exercise: ``FIGURES`` (:mod:`dnn_autograder.grader.grading.figures`).

``dropout_scaling``: from the student's ``forward_propagation_with_dropout`` on a fixed network,
against ``keep_prob``: the share of active first-layer units kept (ideally ``keep_prob``) and the
mean activation after dropout over the mean without it (inverted dropout keeps it at 1).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import cache
from typing import Any

import numpy as np

from dnn_autograder.grader.assignment.spec import AssignmentSpec
from dnn_autograder.grader.grading.figures import Figure, Omit, Student, prepare_calls, reference_outputs, why
from dnn_autograder.grader.outputs.render import linechart
from dnn_autograder.grader.outputs.render.linechart import Chart
from dnn_autograder.grader.outputs.render.plots import REF, YOURS, num
from dnn_autograder.grader.outputs.render.svg import GREY, VERMILION
from dnn_autograder.grader.sandbox.requests import PreparedCalls

FUNCTION = "forward_propagation_with_dropout"
KEEP_PROBS = (0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 1.0)


def _dropout_problem() -> tuple[np.ndarray, dict[str, np.ndarray]]:
    rng = np.random.default_rng(5)
    X = rng.standard_normal((2, 100))
    params = {"W1": rng.standard_normal((100, 2)), "b1": np.full((100, 1), 0.1),
              "W2": rng.standard_normal((10, 100)) * 0.14, "b2": np.zeros((10, 1)),
              "W3": rng.standard_normal((1, 10)) * 0.4, "b3": np.zeros((1, 1))}
    return X, params


def build(student: Student) -> dict[str, Any] | None:
    """Kept share and activation scale per keep_prob, the student's beside the reference's."""
    if not student.has(FUNCTION):
        return None
    X, params = _dropout_problem()
    before = np.maximum(params["W1"] @ X + params["b1"], 0.0)
    ref = _reference_dropout(student.spec)
    yours: list[tuple[float, float]] | None = None
    note = ""
    try:
        calls = student.call_each(FUNCTION, _calls())  # one request
        try:
            yours = [_dropout_stats(out.get("cache"), before) for out in calls]
        finally:
            calls.close()
    except Omit as exc:
        note = f"{why(FUNCTION, exc)}, so only the reference is drawn"
    return {
        "keep_prob": list(KEEP_PROBS),
        "reference": {"kept": [r[0] for r in ref], "scale": [r[1] for r in ref]},
        "yours": None if yours is None else {"kept": [y[0] for y in yours],
                                             "scale": [y[1] for y in yours]},
        "notes": [note] if note else [],
    }


@cache
def _calls() -> PreparedCalls:
    """The calls on the fixed network, one per keep_prob (seed 0): the same for every student, so
    encoded for the sandbox once per process."""
    X, params = _dropout_problem()
    return prepare_calls([(X, params, p) for p in KEEP_PROBS])


@cache
def _reference_dropout(assignment: AssignmentSpec) -> tuple[tuple[float, float], ...]:
    spec = assignment.function(FUNCTION)
    X, params = _dropout_problem()
    before = np.maximum(params["W1"] @ X + params["b1"], 0.0)
    return tuple(_dropout_stats(reference_outputs(spec, (X, params, p))["cache"], before)
                 for p in KEEP_PROBS)


def _dropout_stats(cache: Any, before: np.ndarray) -> tuple[float, float]:
    """(fraction of active first-layer units kept, mean activation / mean without dropout)."""
    if not isinstance(cache, list | tuple) or len(cache) < 3:
        raise Omit("returned a cache that is not the course's 14-entry tuple")
    A1 = np.asarray(cache[2])
    if A1.shape != before.shape or A1.dtype.kind not in "biuf":
        raise Omit(f"returned cache[2] (A1) of shape {A1.shape}, expected {before.shape}")
    active = before > 0
    with np.errstate(all="ignore"):
        kept = float(np.mean(A1[active] != 0))
        scale = float(np.sum(A1) / np.sum(before))
    if not (math.isfinite(kept) and math.isfinite(scale)):
        raise Omit("returned a non-finite A1")
    return round(kept, 6), round(scale, 6)


def draw(data: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """Two line panels (:mod:`dnn_autograder.grader.outputs.render.linechart`) and the numbers as a table."""
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
    rows = [[num(p), _pick(yours, "kept", i), _pick(ref, "kept", i), _pick(yours, "scale", i),
             _pick(ref, "scale", i)] for i, p in enumerate(probs)]
    return {
        "title": "Your dropout against keep_prob",
        "svg": svg,
        "caption": (f"{FUNCTION} on a fixed 100-unit first layer. Left: the "
                    "share of active units that survive (should be keep_prob). Right: the mean "
                    "activation after dropout divided by the mean without it (inverted dropout "
                    "keeps it at 1)."),
        "table": {"caption": "Kept share and activation scale per keep_prob",
                  "columns": ["keep_prob", "kept (yours)", "kept (reference)", "scale (yours)",
                              "scale (reference)"], "rows": rows},
        "notes": [],
    }


def _pick(values: Mapping[str, Any], key: str, index: int) -> str:
    items = values.get(key)
    return "\u2013" if not items else f"{items[index]:.3f}"


FIGURES = (Figure("dropout_scaling", build, draw),)
