r"""Pictures of the *Deep Learning from Scratch* optimizers: ``FIGURES`` (:mod:`dnn_autograder.grader.grading.figures`).

``dlfs_optimizer_paths``: the book's figure 6-8 (``ch06/optimizer_compare_naive.py``): each
optimizer's 30 steps on :math:`f(x, y) = x^2/20 + y^2` from :math:`(-7, 2)`, the gradient
:math:`(x/10, 2y)` computed at each point of the path, with the book's learning rates (SGD 0.95,
Momentum 0.1, AdaGrad 1.5, Adam 0.3; the book does not draw Nesterov and RMSprop: 0.1 each here),
the learner's class beside the reference.

The learner's class runs only in the sandbox, as scripts (``opt = Adam(lr=0.3)``, then
``opt.update(params, grads_k)``, ...). A script's gradients are fixed in advance, and the
gradient at step k depends on where the class went, so the path is found in two moves: one
script with the reference path's gradients, whose prefix that agrees with the reference path is
the learner's path too (same points, same gradients); from the first point where the learner's
class goes elsewhere, one more script: it replays the gradients of the learner's own points up to
there (the class is deterministic, so the replay retraces the path) and goes on with the gradient
at each point reached, computed in the child by the trusted ``figure_helpers.point_gradient``.
When that script does not complete, one script per further step, as the gradients are found
here, says what went wrong and where.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from functools import cache
from typing import Any

import numpy as np

from dnn_autograder.grader.assignment.spec import resolve
from dnn_autograder.grader.grading.figures import Figure, Omit, Student, TimedOut, prepare_script, why
from dnn_autograder.grader.model import Step, Var, script_output
from dnn_autograder.grader.outputs.render.linechart import Chart
from dnn_autograder.grader.outputs.render.plots import REF, YOURS
from dnn_autograder.grader.outputs.render.svg import GREY, SERIES
from dnn_autograder.grader.sandbox.requests import PreparedScript

START = (-7.0, 2.0)
STEPS = 30
#: (class, learning rate): the book's figure 6-8, plus Nesterov and RMSprop
OPTIMIZERS = (("SGD", 0.95), ("Momentum", 0.1), ("Nesterov", 0.1), ("AdaGrad", 1.5), ("RMSprop", 0.1),
              ("Adam", 0.3))
#: a path further than this from the minimum has diverged and is cut there
FAR = 1e6
#: the trusted step of the replay script, bound in the student's namespace for it
HELPERS = {"_figure_point_gradient": "figure_helpers.point_gradient"}


def gradient(point: Sequence[float]) -> dict[str, float]:
    """The bowl's gradient ``{"x": x / 10, "y": 2 y}`` (the book's ``df``)."""
    return {"x": point[0] / 10.0, "y": 2.0 * point[1]}


def script_steps(name: str, lr: float, count: int) -> list[Step]:
    """``opt = name(lr=lr)`` then ``count`` updates with ``grads1``, ``grads2``, ... comparing
    ``params`` after each."""
    steps = [Step(name, kwargs={"lr": lr}, returns=("opt",))]
    steps += [Step("opt.update", args=(Var("params"), Var(f"grads{k}")), compare=("params",))
              for k in range(1, count + 1)]
    return steps


def _inputs(grads: Sequence[Mapping[str, float]]) -> dict[str, Any]:
    inputs: dict[str, Any] = {"params": {"x": START[0], "y": START[1]}}
    inputs.update({f"grads{k}": dict(g) for k, g in enumerate(grads, start=1)})
    return inputs


def _point(value: Any) -> tuple[float, float]:
    """``(x, y)`` of a compared ``params`` dict; raises :class:`Omit` when it is not one."""
    try:
        x, y = float(np.asarray(value["x"]).reshape(-1)[0]), float(np.asarray(value["y"]).reshape(-1)[0])
    except (TypeError, KeyError, IndexError, ValueError):
        raise Omit("left params without numbers at keys 'x' and 'y'") from None
    return x, y


@cache
def reference_path(name: str, lr: float) -> tuple[tuple[float, float], ...]:
    """The reference's 31 points (start included), in this trusted process."""
    optimizer = resolve(f"dnn_autograder.reference.dlfs_optimizers:{name}")(lr=lr)
    params = {"x": np.array(START[0]), "y": np.array(START[1])}
    points = [START]
    for _ in range(STEPS):
        grads = {key: np.array(value) for key, value in gradient(points[-1]).items()}
        optimizer.update(params, grads)
        points.append((float(params["x"]), float(params["y"])))
    return tuple(points)


def student_path(student: Student, name: str, lr: float) -> tuple[list[tuple[float, float]], str]:
    """The learner's points (start included) and a note ("" when all 30 steps were drawn)."""
    reference = reference_path(name, lr)
    values = student.run_script(name, _reference_script(name, lr))
    points = [START]
    for k in range(1, STEPS + 1):
        point = _point(values.get(script_output(k, "params")))
        points.append(point)
        if not all(math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) for a, b in zip(point, reference[k], strict=True)):
            break
    if len(points) <= STEPS and not _diverged(points[-1]):  # off the reference path: one replay
        try:
            return _replayed(student, name, lr, points)
        except TimedOut:
            raise
        except Omit:
            pass
    with student.afresh(name) if len(points) <= STEPS else nullcontext():  # as the first attempt found it
        return _step_by_step(student, name, lr, points)


@cache
def _reference_script(name: str, lr: float) -> PreparedScript:
    """The :data:`STEPS` updates with the reference path's gradients: the same for every student,
    so encoded for the sandbox once per process."""
    grads = [gradient(point) for point in reference_path(name, lr)[:-1]]
    return prepare_script(_inputs(grads), script_steps(name, lr, STEPS))


def _diverged(point: tuple[float, float]) -> bool:
    return max(abs(point[0]), abs(point[1])) > FAR or not all(map(math.isfinite, point))


def replay_steps(name: str, lr: float, known: int) -> list[Step]:
    """``opt = name(lr=lr)``, ``known`` updates with ``grads1`` ... ``grads<known>``, then
    ``grads = point_gradient(params)`` and ``opt.update(params, grads)`` up to :data:`STEPS`
    updates, comparing ``params`` after each."""
    steps = script_steps(name, lr, known)
    for _ in range(known, STEPS):
        steps += [Step("_figure_point_gradient", args=(Var("params"),), returns=("grads",)),
                  Step("opt.update", args=(Var("params"), Var("grads")), compare=("params",))]
    return steps


def _replayed(student: Student, name: str, lr: float,
              points: list[tuple[float, float]]) -> tuple[list[tuple[float, float]], str]:
    """The path from ``points`` (start to the first point off the reference path) on, in one
    script; raises :class:`Omit` when the script does not complete."""
    known = len(points) - 1
    values = student.run_script(name, _inputs([gradient(point) for point in points[:-1]]),
                                replay_steps(name, lr, known), helpers=HELPERS)
    points = list(points)
    for k in range(known + 1, STEPS + 1):
        if _diverged(points[-1]):
            return points[:-1], f"the path left the picture (diverged) at step {len(points) - 1}"
        points.append(_point(values.get(script_output(known + 2 * (k - known), "params"))))
    return points, ""


def _step_by_step(student: Student, name: str, lr: float,
                  points: list[tuple[float, float]]) -> tuple[list[tuple[float, float]], str]:
    """The path from ``points`` on, one script per further step (each replays the gradients of
    the learner's own points: the class is deterministic, so the replay retraces the path)."""
    while len(points) <= STEPS:
        if _diverged(points[-1]):
            return points[:-1], f"the path left the picture (diverged) at step {len(points) - 1}"
        grads = [gradient(point) for point in points]
        values = student.run_script(name, _inputs(grads), script_steps(name, lr, len(grads)))
        points.append(_point(values.get(script_output(len(grads), "params"))))
    return points, ""


def build(student: Student) -> dict[str, Any] | None:
    """Each optimizer's path, the learner's (where the class is defined) beside the reference's."""
    series, notes = [], []
    for index, (name, lr) in enumerate(OPTIMIZERS):
        entry: dict[str, Any] = {"name": name, "lr": lr, REF: _xy(reference_path(name, lr)), YOURS: None}
        if student.has(name):
            overall = student.share(len(OPTIMIZERS) - index)
            try:
                points, note = student_path(student, name, lr)
                entry[YOURS] = _xy(points)
                if note:
                    notes.append(f"{name}: {note}")
            except Omit as exc:
                notes.append(f"{name}: {why(name, exc)}, so its path is not drawn")
            finally:
                student.restore(overall)
        series.append(entry)
    if not any(item[YOURS] for item in series) and not notes:
        return None
    return {"start": list(START), "steps": STEPS, "series": series, "notes": notes}


def _xy(points: Sequence[tuple[float, float]]) -> dict[str, list[float]]:
    return {"x": [p[0] for p in points], "y": [p[1] for p in points]}


def draw(data: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """Six panels (3 x 2), one per optimizer: the bowl's level sets, the reference path (grey,
    dashed) and the learner's (coloured, with markers)."""
    chart = Chart(576.0, 540.0)
    rows = []
    for i, item in enumerate(data["series"]):
        column, row = i % 2, i // 2
        panel = chart.panel(left=39.6 + column * 288.0, top=21.6 + row * 172.8, width=230.4, height=122.4,
                            xlim=(-10.0, 10.0), ylim=(-5.0, 5.0), xticks=(-10, -5, 0, 5, 10), yticks=(-5, 0, 5),
                            title=f"{item['name']} (lr = {item['lr']})", xlabel="x", ylabel="y")
        for level in (0.5, 1.5, 3.0, 5.0):
            panel.ellipse(0.0, 0.0, math.sqrt(20 * level), math.sqrt(level), colour="#b0b0b0")
        reference, yours = item.get(REF) or {}, item.get(YOURS) or {}
        if reference.get("x"):
            panel.line(reference["x"], reference["y"], colour=GREY, width=1.2, dash=(4.8, 2.4))
        if yours.get("x"):
            panel.line(yours["x"], yours["y"], colour=SERIES[0], width=1.6, marker="o", marker_size=3.5)
        panel.point(0.0, 0.0, "*", "#1a1a1a")
        rows.append([item["name"], _end(yours), _end(reference)])
    chart.add_legend("reference", GREY, dash=(4.8, 2.4))
    chart.add_legend("yours", SERIES[0], marker="o")
    svg = chart.to_svg("Optimizer paths on f(x, y) = x\u00b2/20 + y\u00b2", prefix)
    return {
        "title": "Your optimizers on the book's bowl (figure 6-8)",
        "svg": svg,
        "caption": (f"{data.get('steps', STEPS)} updates from ({data['start'][0]:g}, {data['start'][1]:g}) on "
                    "f(x, y) = x\u00b2/20 + y\u00b2 (minimum at the star), each with the gradient at the point "
                    "reached, with the book's learning rates. Your classes: blue with markers; the reference: "
                    "grey dashed (where yours is right, it covers the reference)."),
        "table": {"caption": "Where each optimizer ended after the last step",
                  "columns": ["optimizer", "yours", "reference"], "rows": rows},
        "notes": [],  # the data's own notes are added by the engine (render/plots.py)
    }


def _end(points: Mapping[str, Any]) -> str:
    if not points or not points.get("x"):
        return "\u2013"
    return f"({points['x'][-1]:.3g}, {points['y'][-1]:.3g})"


FIGURES = (Figure("dlfs_optimizer_paths", build, draw),)
