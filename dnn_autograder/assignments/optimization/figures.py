r"""Pictures of the optimization exercise: ``FIGURES`` (:mod:`dnn_autograder.grader.grading.figures`).

``optimizer_paths``: the paths of gradient descent, momentum and Adam on the elongated bowl
:math:`f(x, y) = x^2/20 + y^2` from :math:`(-7, 2)`, and the cost of a small logistic regression
trained by the same calls (it rides along as the second layer of the parameters), for the
student's functions and the reference's.

The student's path is one script in the sandbox (:meth:`Student.run_script`): the bowl's
gradient at each point reached is computed there by the trusted ``figure_helpers`` steps, which
also check each step's return value. When the script does not run to its end (the function
raised, returned something unusable, printed too much ...), the path is made again one guarded
call per step, the gradients computed here, so the note says what went wrong and where.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping
from functools import cache, partial
from typing import Any

import numpy as np

from dnn_autograder.course_helpers.figure_helpers import bowl_gradients
from dnn_autograder.grader.assignment.spec import AssignmentSpec, FunctionSpec
from dnn_autograder.grader.grading.figures import (
    Figure,
    Omit,
    Student,
    TimedOut,
    prepare_script,
    reference_outputs,
    why,
)
from dnn_autograder.grader.model import Step, Var, script_output
from dnn_autograder.grader.outputs.render import linechart
from dnn_autograder.grader.outputs.render.linechart import Chart
from dnn_autograder.grader.outputs.render.plots import REF, YOURS, num
from dnn_autograder.grader.outputs.render.svg import GREY, MARKERS, SERIES
from dnn_autograder.grader.sandbox.requests import PreparedScript

BOWL_START = (-7.0, 2.0)
BOWL_STEPS = 50
#: (function, label, hyperparameters); the learning rates show each method's typical path
OPTIMIZERS = (
    ("update_parameters_with_gd", "gradient descent", {"learning_rate": 0.9}),
    ("update_parameters_with_momentum", "momentum", {"beta": 0.9, "learning_rate": 0.9}),
    ("update_parameters_with_adam", "Adam",
     {"learning_rate": 0.3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}),
)


def build(student: Student) -> dict[str, Any] | None:
    """Each optimizer's path and cost, the student's (where defined) beside the reference's."""
    series, notes = [], []
    for index, (name, label, hyper) in enumerate(OPTIMIZERS):
        entry: dict[str, Any] = {"function": name, "label": label, "hyper": dict(hyper),
                                 "reference": _copied(_reference_trajectory(student.spec, name)),
                                 "yours": None}
        if student.has(name):
            overall = student.share(len(OPTIMIZERS) - index)
            try:
                yours, note = _student_trajectory(student, name, hyper)
            finally:
                student.restore(overall)
            entry["yours"] = yours
            if note:
                notes.append(f"{label}: {note}")
        series.append(entry)
    if not any(s["yours"] for s in series) and not notes:
        return None
    return {"bowl": "x^2/20 + y^2", "start": list(BOWL_START), "steps": BOWL_STEPS,
            "series": series, "notes": notes}


def _copied(path: dict[str, Any] | None) -> dict[str, Any] | None:
    """``copy.deepcopy(path)``: for a path of :func:`_trajectory` (a dict of distinct lists of
    floats, which are immutable and shared as deepcopy shares them) a new dict of new lists,
    made without deepcopy's walk of every number; anything else goes to deepcopy."""
    if type(path) is dict and all(type(v) is list for v in path.values()) \
            and len({id(v) for v in path.values()}) == len(path) \
            and all(type(n) is float for v in path.values() for n in v):
        return {key: list(v) for key, v in path.items()}
    return copy.deepcopy(path)


@cache
def _reference_trajectory(assignment: AssignmentSpec, name: str) -> dict[str, Any] | None:
    """The reference's path: the same for every student, computed once per process."""
    spec = assignment.function(name)
    hyper = next(h for n, _, h in OPTIMIZERS if n == name)
    return _trajectory(name, hyper, lambda args: reference_outputs(spec, args))[0]


#: the trusted steps of the student's script, bound in the student's namespace for it
HELPERS = {"_figure_bowl_gradients": "figure_helpers.bowl_gradients",
           "_figure_bowl_next": "figure_helpers.bowl_next"}
#: a path further than this from the minimum has diverged and is cut there
FAR = 1e6


def _start() -> dict[str, Any]:
    """The script's inputs: the starting parameters and zero ``v`` and ``s``."""
    params = {"W1": np.array([BOWL_START]), "b1": np.zeros((1, 1)),
              "W2": np.zeros((1, 2)), "b2": np.zeros((1, 1))}
    zeros = {"d" + k: np.zeros_like(v) for k, v in params.items()}
    return {"params": params, "v": dict(zeros), "s": dict(zeros)}


def _script(spec: FunctionSpec, hyper: Mapping[str, float]) -> PreparedScript:
    """From :func:`_start`: ``grads, cost = bowl_gradients(params)``, then :data:`BOWL_STEPS` times:
    ``out = <optimizer>(params, grads, ...)`` (seed 0, as a single call) and ``params, v, s, grads,
    cost, x, y = bowl_next(out, params, grads, v, s, ...)`` (which reads ``out`` as the spec says
    the function returns), comparing ``x``, ``y`` and ``cost``: the same for every student, so
    encoded for the sandbox once per process."""
    return _prepared(spec.name, tuple(hyper.items()), tuple(spec.returns), spec.accept_prefix,
                     tuple(sorted(spec.in_place)))


@cache
def _prepared(name: str, hyper: tuple[tuple[str, float], ...], returns: tuple[str, ...], accept_prefix: int,
              in_place: tuple[str, ...]) -> PreparedScript:
    return prepare_script(_start(), _steps(name, hyper, returns, accept_prefix, in_place))


def _steps(name: str, hyper: tuple[tuple[str, float], ...], returns: tuple[str, ...], accept_prefix: int,
           in_place: tuple[str, ...]) -> tuple[Step, ...]:
    var = {key: Var(key) for key in ("params", "grads", "v", "s")}
    form = (list(returns), accept_prefix, list(in_place))
    steps = [Step("_figure_bowl_gradients", args=(var["params"],), returns=("grads", "cost"), compare=("cost",))]
    for t in range(1, BOWL_STEPS + 1):
        args = _optimizer_args(name, var["params"], var["grads"], var["v"], var["s"], t, dict(hyper))
        steps.append(Step(name, args=args, returns=("out",), seed=0))
        steps.append(Step("_figure_bowl_next", args=(Var("out"), *var.values(), *form),
                          returns=("params", "v", "s", "grads", "cost", "x", "y"), compare=("x", "y", "cost")))
    return tuple(steps)


def _student_trajectory(student: Student, name: str,
                        hyper: Mapping[str, float]) -> tuple[dict[str, Any] | None, str]:
    """The student's path ``({"x", "y", "cost"}, note)``: one script; where it does not complete
    (or returns something odd), one guarded call per step (:func:`_trajectory`)."""
    spec = student.spec.function(name)
    try:
        return student.script_or_stepwise(name, _script(spec, hyper), helpers=HELPERS, read=_script_path,
                                          stepwise=lambda: _trajectory(name, hyper, partial(student.call, name)))
    except TimedOut as exc:
        return None, f"{why(name, exc)}, so its path is not drawn"


#: the names of the values :func:`_script_path` reads, in order: the first cost, then each step's x, y and cost
_PATH_NAMES = (script_output(0, "cost"),
               *(script_output(2 * t, key) for t in range(1, BOWL_STEPS + 1) for key in ("x", "y", "cost")))


def _script_path(values: Mapping[str, Any]) -> tuple[dict[str, Any], str] | None:
    """The path from a completed script's values (None when a value is missing or not a number);
    cut where it diverges, as :func:`_trajectory` does."""
    numbers: list[Any] = [values.get(name) for name in _PATH_NAMES]
    if not all(type(n) in (float, int) for n in numbers):
        return None
    xs, ys, costs = [BOWL_START[0]], [BOWL_START[1]], [float(numbers[0])]
    for t in range(1, BOWL_STEPS + 1):
        x, y, cost = (float(n) for n in numbers[3 * t - 2: 3 * t + 1])
        if not (math.isfinite(x) and math.isfinite(y)) or max(abs(x), abs(y)) > FAR:
            return {"x": xs, "y": ys, "cost": costs}, f"the path left the picture (diverged) at step {t}"
        xs.append(x)
        ys.append(y)
        costs.append(cost)
    return {"x": xs, "y": ys, "cost": costs}, ""


def _trajectory(name: str, hyper: Mapping[str, float],
                step: Callable[[tuple], Mapping[str, Any]]) -> tuple[dict[str, Any] | None, str]:
    """Run one optimizer for :data:`BOWL_STEPS` steps: ``({"x", "y", "cost"}, note)``."""
    params = {"W1": np.array([BOWL_START]), "b1": np.zeros((1, 1)),
              "W2": np.zeros((1, 2)), "b2": np.zeros((1, 1))}
    zeros = {"d" + k: np.zeros_like(v) for k, v in params.items()}
    v, s = dict(zeros), dict(zeros)
    xs, ys, costs = [BOWL_START[0]], [BOWL_START[1]], []
    note = ""
    for t in range(1, BOWL_STEPS + 1):
        grads, cost = bowl_gradients(params)
        costs.append(cost)
        args = _optimizer_args(name, params, grads, v, s, t, hyper)
        try:
            out = step(args)
            params = _checked_params(out.get("parameters"), params)
            v = out.get("v", v) if isinstance(out.get("v", v), Mapping) else v
            s = out.get("s", s) if isinstance(out.get("s", s), Mapping) else s
        except Omit as exc:
            if t == 1 or "time allowed" not in str(exc):
                return None, f"{why(name, exc)} (at step {t}), so its path is not drawn"
            note = f"stopped after {t - 1} steps: the time allowed for pictures ran out"
            break
        x, y = params["W1"][0]
        if not (math.isfinite(x) and math.isfinite(y)) or max(abs(x), abs(y)) > FAR:
            note = f"the path left the picture (diverged) at step {t}"
            break
        xs.append(float(x))
        ys.append(float(y))
    else:
        costs.append(bowl_gradients(params)[1])
    return {"x": xs, "y": ys, "cost": costs}, note


def _optimizer_args(name: str, params: Any, grads: Any, v: Any, s: Any, t: int,
                    hyper: Mapping[str, float]) -> tuple:
    if name == OPTIMIZERS[0][0]:
        return (params, grads, hyper["learning_rate"])
    if name == OPTIMIZERS[1][0]:
        return (params, grads, v, hyper["beta"], hyper["learning_rate"])
    return (params, grads, v, s, t, hyper["learning_rate"], hyper["beta1"], hyper["beta2"],
            hyper["epsilon"])


def _checked_params(value: Any, before: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    if not isinstance(value, Mapping):
        raise Omit(f"returned {type(value).__name__} instead of the parameters dictionary")
    out = {}
    for key, old in before.items():
        new = np.asarray(value.get(key)) if key in value else None
        if new is None or new.shape != old.shape or new.dtype.kind not in "biuf":
            shape = "nothing" if new is None else f"an array of shape {new.shape}"
            raise Omit(f'returned {shape} for parameters["{key}"], expected shape {old.shape}')
        out[key] = new.astype(float)
    return out


def draw(data: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """Drawn as SVG directly (:mod:`dnn_autograder.grader.outputs.render.linechart`): the same picture as
    matplotlib would draw, in a few milliseconds, without importing matplotlib in the worker."""
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
        "caption": (f"Left: {data.get('steps', '')} steps from ({num(data['start'][0])}, "
                    f"{num(data['start'][1])}) on f(x, y) = x\u00b2/20 + y\u00b2 (minimum at the "
                    "star). Right: the cost of a small logistic regression trained by the same "
                    "calls. Your functions: coloured solid lines with markers; the reference: grey dashed "
                    "lines (where yours is right, it covers the reference)."),
        "table": {"caption": "Where each optimizer ended: (x, y); final logistic cost",
                  "columns": ["method", "yours", "reference"], "rows": rows},
        "notes": [],
    }


def _end(points: Mapping[str, Any] | None) -> str:
    if not points or not points.get("x"):
        return "\u2013"
    cost = points.get("cost") or [float("nan")]
    return f"({points['x'][-1]:.3g}, {points['y'][-1]:.3g}); {cost[-1]:.4g}"


FIGURES = (Figure("optimizer_paths", build, draw),)
