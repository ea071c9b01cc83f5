r"""Pictures of CS231n's update rules: ``FIGURES`` (:mod:`dnn_autograder.grader.grading.figures`).

``training_loss``: the loss of a small fixed problem trained by each of the student's update rules
beside the reference's, as the course's notebook plots the loss history of each rule. The problem is
a softmax classifier :math:`s = X W` on 90 points of 3 classes in 2-D (with a bias column), loss
:math:`L = -\frac1N \sum_i \log \mathrm{softmax}(s_i)_{y_i}`, gradient
:math:`dW = X^\top (\mathrm{softmax}(s) - Y) / N`, from :math:`W = 0` for :data:`STEPS` steps; each
step is one call ``next_w, config = rule(w, dw, config)`` of the student's own code, fed the
``config`` it returned the step before.

A rule's 40 steps are one script in the sandbox: the trusted ``figure_helpers`` steps compute the
loss and gradient at the weights reached between the rule's steps, and check what it returned.
When that script does not complete, the curve is made again one script per step (the gradients
computed here), so that the note says what went wrong and where.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import numpy as np

from dnn_autograder.course_helpers.figure_helpers import softmax_loss
from dnn_autograder.grader.assignment.spec import AssignmentSpec, resolve
from dnn_autograder.grader.grading.figures import Figure, Omit, Student, TimedOut, prepare_script, why
from dnn_autograder.grader.model import Step, Var, script_output
from dnn_autograder.grader.outputs.render import linechart
from dnn_autograder.grader.outputs.render.linechart import Chart
from dnn_autograder.grader.outputs.render.plots import REF, YOURS, num
from dnn_autograder.grader.outputs.render.svg import GREY, MARKERS, SERIES
from dnn_autograder.grader.sandbox.requests import PreparedScript

STEPS = 40
#: (unit, label, starting config): the notebook's learning rates, scaled to this small problem
RULES = (
    ("sgd_momentum", "SGD + momentum", {"learning_rate": 5e-2}),
    ("rmsprop", "RMSProp", {"learning_rate": 2e-2}),
    ("adam", "Adam", {"learning_rate": 5e-2}),
)


#: weights further than this from zero have diverged
FAR = 1e6
#: the trusted steps of the student's script, bound in the student's namespace for it
HELPERS = {"_figure_softmax_loss": "figure_helpers.softmax_loss", "_figure_softmax_next": "figure_helpers.softmax_next"}


def loss_and_gradient(w: np.ndarray) -> tuple[float, np.ndarray]:
    """Softmax loss of ``w`` (3 x 3) on the fixed problem, and its gradient (``figure_helpers.softmax_loss``)."""
    return softmax_loss(w)


@cache
def _script(unit: str) -> PreparedScript:
    """From ``w = 0`` and the rule's starting config: ``loss, dw = softmax_loss(w)``, then :data:`STEPS`
    times ``next_w, config = unit(w, dw, config)`` (seed 0, as a script of its own) and ``w, config, dw,
    loss, size = softmax_next(next_w, config)``; the same for every student, so encoded for the sandbox
    once per process."""
    config = next(c for u, _, c in RULES if u == unit)
    steps = [Step("_figure_softmax_loss", args=(Var("w"),), returns=("loss", "dw"), compare=("loss",))]
    for _ in range(STEPS):
        steps.append(Step(unit, args=(Var("w"), Var("dw"), Var("config")), returns=("next_w", "config"), seed=0))
        steps.append(Step("_figure_softmax_next", args=(Var("next_w"), Var("config")),
                          returns=("w", "config", "dw", "loss", "size"), compare=("loss", "size")))
    return prepare_script({"w": np.zeros((3, 3)), "config": dict(config)}, steps)


def _student_losses(student: Student, unit: str, config: Mapping[str, Any]) -> tuple[list[float] | None, str]:
    """The student's losses and a note: one script, or where it does not complete, one script
    per step in a fresh child (:func:`_train`)."""
    steps = (Step(unit, args=(Var("w"), Var("dw"), Var("config")), returns=("next_w", "config"),
                  compare=("next_w", "config")),)

    def step(w: np.ndarray, dw: np.ndarray, cfg: Any) -> tuple[Any, Any]:
        out = student.run_script(unit, {"w": w, "dw": dw, "config": cfg}, steps)
        return out.get(script_output(0, "next_w")), out.get(script_output(0, "config"))

    try:
        return student.script_or_stepwise(unit, _script(unit), helpers=HELPERS, read=_script_losses,
                                          stepwise=lambda: _train(step, config))
    except TimedOut as exc:
        raise Omit(str(exc)) from None


def _script_losses(values: Mapping[str, Any]) -> tuple[list[float], str] | None:
    """The losses from a completed script (None when a value is missing or not a number), cut
    where the weights diverge, as :func:`_train` does."""
    numbers: list[Any] = [values.get(script_output(0, "loss"))]
    numbers += [values.get(script_output(2 * t, key)) for t in range(1, STEPS + 1) for key in ("loss", "size")]
    if not all(type(n) in (float, int) for n in numbers):
        return None
    losses = [float(numbers[0])]
    for t in range(1, STEPS + 1):
        loss, size = float(numbers[2 * t - 1]), float(numbers[2 * t])
        if not math.isfinite(size) or size > FAR:
            return losses, f"the weights diverged at step {t}"
        losses.append(loss)
    return losses, ""


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
        if not np.all(np.isfinite(next_w)) or np.abs(next_w).max() > FAR:
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
            overall = student.share(len(RULES) - index)
            try:
                entry[YOURS], note = _student_losses(student, unit, config)
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
