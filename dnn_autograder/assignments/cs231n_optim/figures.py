r"""Pictures of CS231n's update rules: ``FIGURES`` (:mod:`dnn_autograder.grader.grading.figures`).

``training_loss``: the loss of a small fixed problem trained by each of the student's update rules
beside the reference's, as the course's notebook plots the loss history of each rule. The problem is
a softmax classifier :math:`s = X W` on 90 points of 3 classes in 2-D (with a bias column), loss
:math:`L = -\frac1N \sum_i \log \mathrm{softmax}(s_i)_{y_i}`, gradient
:math:`dW = X^\top (\mathrm{softmax}(s) - Y) / N`, from :math:`W = 0` for :data:`STEPS` steps; each
step is one call ``next_w, config = rule(w, dw, config)`` of the student's own code, fed the
``config`` it returned the step before.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import numpy as np

from dnn_autograder.grader.assignment.spec import AssignmentSpec, resolve
from dnn_autograder.grader.grading.figures import Figure, Omit, Student, why
from dnn_autograder.grader.model import Step, Var, script_output
from dnn_autograder.grader.outputs.render import linechart
from dnn_autograder.grader.outputs.render.linechart import Chart
from dnn_autograder.grader.outputs.render.plots import REF, YOURS, num
from dnn_autograder.grader.outputs.render.svg import GREY, MARKERS, SERIES

STEPS = 40
#: (unit, label, starting config): the notebook's learning rates, scaled to this small problem
RULES = (
    ("sgd_momentum", "SGD + momentum", {"learning_rate": 5e-2}),
    ("rmsprop", "RMSProp", {"learning_rate": 2e-2}),
    ("adam", "Adam", {"learning_rate": 5e-2}),
)


def _problem() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(231)
    centres = np.array([[0.0, 2.0], [-2.0, -1.0], [2.0, -1.0]])
    labels = np.repeat(np.arange(3), 30)
    points = centres[labels] + 1.2 * rng.standard_normal((90, 2))
    return np.hstack([points, np.ones((90, 1))]), labels


_X, _Y = _problem()


def loss_and_gradient(w: np.ndarray) -> tuple[float, np.ndarray]:
    """Softmax loss of ``w`` (3 x 3) on the fixed problem, and its gradient."""
    scores = _X @ w
    scores = scores - scores.max(axis=1, keepdims=True)
    probs = np.exp(scores)
    probs /= probs.sum(axis=1, keepdims=True)
    n = len(_Y)
    loss = float(-np.log(probs[np.arange(n), _Y]).mean())
    probs[np.arange(n), _Y] -= 1.0
    return loss, _X.T @ probs / n


def _train(step: Callable[[np.ndarray, np.ndarray, Any], tuple[Any, Any]], config: Mapping[str, Any]
           ) -> tuple[list[float], str]:
    """The loss before each step and after the last; a note when the run stopped early."""
    w = np.zeros((3, 3))
    config_now: Any = dict(config)
    losses = []
    for t in range(1, STEPS + 1):
        loss, dw = loss_and_gradient(w)
        losses.append(loss)
        next_w, config_now = step(w, dw, config_now)
        next_w = np.asarray(next_w, dtype=float) if isinstance(next_w, np.ndarray) else None
        if next_w is None or next_w.shape != w.shape:
            raise Omit(f"returned no array of w's shape {w.shape} at step {t}")
        if not np.all(np.isfinite(next_w)) or np.abs(next_w).max() > 1e6:
            return losses, f"the weights diverged at step {t}"
        w = next_w
    losses.append(loss_and_gradient(w)[0])
    return losses, ""


@cache
def _reference_losses(spec: AssignmentSpec, unit: str) -> tuple[float, ...]:
    rule = resolve(spec.function(unit).reference)
    config = next(c for u, _, c in RULES if u == unit)
    return tuple(_train(lambda w, dw, cfg: rule(w, dw, cfg), config)[0])


def build(student: Student) -> dict[str, Any] | None:
    """Each rule's loss curve, the student's (where defined) beside the reference's."""
    series, notes = [], []
    for index, (unit, label, config) in enumerate(RULES):
        entry: dict[str, Any] = {"unit": unit, "label": label, REF: list(_reference_losses(student.spec, unit)),
                                 YOURS: None}
        if student.has(unit):
            steps = (Step(unit, args=(Var("w"), Var("dw"), Var("config")), returns=("next_w", "config"),
                          compare=("next_w", "config")),)

            def step(w, dw, cfg, unit=unit, steps=steps):
                out = student.run_script(unit, {"w": w, "dw": dw, "config": cfg}, steps)
                return out.get(script_output(0, "next_w")), out.get(script_output(0, "config"))

            overall = student.share(len(RULES) - index)
            try:
                entry[YOURS], note = _train(step, config)
                if note:
                    notes.append(f"{label}: {note}")
            except Omit as exc:
                notes.append(f"{label}: {why(unit, exc)}, so its curve is not drawn")
            finally:
                student.restore(overall)
        series.append(entry)
    if not any(s[YOURS] for s in series) and not notes:
        return None
    return {"steps": STEPS, "series": series, "notes": notes}


def draw(data: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """One panel: loss against iteration, the reference grey and dashed under the student's colours."""
    series = list(data["series"])
    steps = int(data.get("steps", STEPS))
    values = [v for item in series for key in (REF, YOURS) for v in (item.get(key) or []) if math.isfinite(v)]
    low, high = linechart.padded(values or [0.0, 1.0])
    chart = Chart(576.0, 266.4)
    panel = chart.panel(left=50.4, top=21.6, width=504.0, height=190.0, xlim=(-0.5, steps + 0.5),
                        ylim=(low, high), xticks=(0, steps // 2, steps), yticks=linechart.nice_ticks(low, high),
                        title="training loss of a small softmax classifier", xlabel="iteration", ylabel="loss")
    for key in (REF, YOURS):
        for i, item in enumerate(series):
            losses = item.get(key)
            if not losses:
                continue
            if key == REF:
                look: dict[str, Any] = {"colour": GREY, "width": 1.2, "dash": (4.8, 2.4)}
                if i == 0:
                    chart.add_legend("reference (each rule)", GREY, dash=(4.8, 2.4))
            else:
                look = {"colour": SERIES[i], "width": 1.6, "marker": MARKERS[i], "marker_size": 4.0}
                chart.add_legend(f"{item['label']} (yours)", SERIES[i], marker=MARKERS[i])
            panel.line(list(range(len(losses))), list(losses), every=5, **look)
    rows = [[item["label"], num((item.get(YOURS) or [math.nan])[-1]) if item.get(YOURS) else "\u2013",
             num(item[REF][-1])] for item in series]
    return {
        "title": "Your update rules training a small classifier",
        "svg": chart.to_svg("Training loss under each update rule", prefix),
        "caption": (f"{steps} steps of each rule from zero weights on a fixed 3-class problem, each step fed the "
                    "config your rule returned the step before. Yours: coloured solid lines with markers; the "
                    "reference: grey dashed lines (where yours is right, it covers the reference)."),
        "table": {"caption": "Loss after the last step", "columns": ["rule", "yours", "reference"], "rows": rows},
        "notes": [],  # the data's own notes are added by the engine (render/plots.py)
    }


FIGURES = (Figure("training_loss", build, draw),)
