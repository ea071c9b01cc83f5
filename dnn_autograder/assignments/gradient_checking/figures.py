r"""Pictures of the gradient-checking exercise: ``FIGURES`` (:mod:`dnn_autograder.grader.grading.figures`).

``gradient_check``: the difference the student's ``gradient_check`` reports for
:math:`J = \theta x` with the correct derivative :math:`x` and with a wrong one (``WRONG_FACTOR``
times :math:`x`), against the course's threshold, beside the reference's.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from dnn_autograder.grader.grading.figures import Figure, Omit, Student, reference_outputs, why
from dnn_autograder.grader.outputs.render.plots import REF, YOURS, num
from dnn_autograder.grader.outputs.render.svg import BLUE, GREY, SMALL, VERMILION, axes, figure, log_axis, to_svg

FUNCTION = "gradient_check"
FORWARD, BACKWARD = "forward_propagation", "backward_propagation"
#: (x, theta) points of the picture, and the wrong derivative's factor
CHECK_POINTS = ((2.0, 4.0), (-3.5, 0.7), (0.25, -6.0))
WRONG_FACTOR = 1.1


def _answer(wrong: bool) -> Callable[[str, tuple, dict], Any]:
    """Stand-ins for J = theta * x and dJ/dtheta = x (or a wrong derivative)."""

    def answer(name: str, args: tuple, kwargs: dict) -> Any:
        values = dict(zip(("x", "theta"), args, strict=False)) | dict(kwargs)
        x, theta = values["x"], values["theta"]
        if name == FORWARD:
            return theta * x
        return WRONG_FACTOR * x if wrong else x

    return answer


def build(student: Student) -> dict[str, Any] | None:
    """The reported differences on the correct and the wrong derivative, yours and the reference's."""
    if not student.has(FUNCTION):
        return None
    from dnn_autograder.reference import GRADIENT_CHECK_THRESHOLD

    spec = student.spec.function(FUNCTION)
    cases: list[dict[str, Any]] = []
    reasons: Counter[str] = Counter()
    for wrong in (False, True):
        for x, theta in CHECK_POINTS:
            answer = _answer(wrong)
            hooks = {FORWARD: lambda x_, t_, a=answer: a(FORWARD, (x_, t_), {}),
                     BACKWARD: lambda x_, t_, a=answer: a(BACKWARD, (x_, t_), {})}
            ref = reference_outputs(spec, (x, theta), **hooks)["difference"]
            yours = None
            try:
                yours = _difference(student.call(FUNCTION, (x, theta), on_stand_in=answer))
            except Omit as exc:
                reasons[why(FUNCTION, exc)] += 1
            cases.append({"x": x, "theta": theta, "gradient": "wrong" if wrong else "correct",
                          "yours": yours, "reference": float(ref)})
    total = len(cases)
    notes = [f"{reason} (in {count} of {total} checks), so those bars are missing"
             for reason, count in reasons.items()]
    return {"threshold": float(GRADIENT_CHECK_THRESHOLD), "wrong_factor": WRONG_FACTOR,
            "cases": cases, "notes": notes}


def _difference(outputs: Mapping[str, Any]) -> float:
    value = np.asarray(outputs.get("difference"))
    if value.size != 1 or value.dtype.kind not in "biuf":
        raise Omit("returned something other than one number as the difference")
    number = float(value.reshape(()))
    if not math.isfinite(number):
        raise Omit(f"returned {number} as the difference")
    return number


def draw(data: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """Bars of the reported differences on a log axis, with the threshold."""
    cases = list(data["cases"])
    threshold = float(data["threshold"])
    labels = [f"{c['gradient']}\nx={num(c['x'])}, \u03b8={num(c['theta'])}" for c in cases]
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
        svg = to_svg(fig, f"Differences reported by {FUNCTION} against the threshold", prefix)
    rows = [[c["gradient"], f"x = {num(c['x'])}, \u03b8 = {num(c['theta'])}",
             "\u2013" if c.get(YOURS) is None else f"{c[YOURS]:.3g}", f"{c[REF]:.3g}",
             _verdict(c.get(YOURS), threshold)] for c in cases]
    return {
        "title": f"What your {FUNCTION} reports",
        "svg": svg,
        "caption": (f"J(\u03b8) = \u03b8x with the correct derivative x and a wrong one "
                    f"({num(data.get('wrong_factor', 1.1))}\u00b7x). A correct check reports a "
                    f"tiny difference for the first and one above the threshold ({threshold:g}) "
                    "for the second. Yours: solid bars; the reference: hatched."),
        "table": {"caption": "Reported differences", "rows": rows,
                  "columns": ["gradient", "point", "yours", "reference", "your verdict"]},
        "notes": [],
    }


def _verdict(value: float | None, threshold: float) -> str:
    if value is None:
        return "\u2013"
    return "gradient wrong" if value > threshold else "gradient correct"


FIGURES = (Figure(FUNCTION, build, draw),)
