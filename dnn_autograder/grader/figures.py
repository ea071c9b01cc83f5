r"""Pictures computed from the student's own functions, beside the reference's (plain data only).

:func:`compute_figures` runs a few of the student's graded functions in their sandbox session on
fixed, small problems, runs the reference on the same problems in this trusted process, and
returns ``{figure name: plain data}`` for :attr:`dnn_autograder.grader.model.AssignmentResult.figures`.
:mod:`dnn_autograder.grader.render.plots` draws it. Every student call is guarded: a function that is missing,
raises, times out or returns something unusable loses its series, and a note says why.

Figures (one key each):

- ``optimizer_paths`` (optimization): paths of gradient descent, momentum and Adam on the
  elongated bowl :math:`f(x, y) = x^2/20 + y^2` from :math:`(-7, 2)`, and the cost of a small
  logistic regression trained by the same calls (it rides along as the second layer).
- ``init_activations`` (initialization): per-layer standard deviation and histogram of
  :math:`\log_{10}|a|` for a 10-layer, 100-unit ReLU and tanh network built from each initializer.
- ``dropout_scaling`` (regularization): fraction of units kept and the mean activation relative
  to no dropout, against ``keep_prob``, from ``forward_propagation_with_dropout``.
- ``gradient_check`` (gradient_checking): the difference ``gradient_check`` reports for a correct
  and a deliberately wrong derivative of :math:`J = \theta x`, against the course threshold.
"""

from __future__ import annotations

import copy
import logging
import math
import time
from collections import Counter
from collections.abc import Callable, Mapping
from functools import cache, partial
from typing import Any

import numpy as np

from dnn_autograder import reference
from dnn_autograder.grader.evaluate import SessionLike
from dnn_autograder.grader.normalise import normalise
from dnn_autograder.grader.spec import FunctionSpec, load_assignment

log = logging.getLogger(__name__)

#: wall-clock budget for all the student calls of one assignment's figures; when a slow student
#: function exhausts it, the rest of its series is left out (with a note)
BUDGET_S = 5.0  # a safety net only: normal figures take ~0.1 s, so they never depend on load
#: deadline of one student call (a hung function then costs at most this much)
CALL_TIMEOUT_S = 2.0

BOWL_START = (-7.0, 2.0)
BOWL_STEPS = 50
#: (function, label, hyperparameters); the learning rates show each method's typical path
OPTIMIZERS = (
    ("update_parameters_with_gd", "gradient descent", {"learning_rate": 0.9}),
    ("update_parameters_with_momentum", "momentum", {"beta": 0.9, "learning_rate": 0.9}),
    ("update_parameters_with_adam", "Adam",
     {"learning_rate": 0.3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}),
)
INITIALIZERS = ("initialize_parameters_zeros", "initialize_parameters_random",
                "initialize_parameters_he")
INIT_LAYERS, INIT_UNITS, INIT_EXAMPLES = 10, 100, 200
#: histogram bins of log10|activation|
LOG_EDGES = tuple(float(e) for e in range(-16, 25, 2))
KEEP_PROBS = (0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 1.0)
#: (x, theta) points of the gradient-check picture, and the wrong derivative's factor
CHECK_POINTS = ((2.0, 4.0), (-3.5, 0.7), (0.25, -6.0))
WRONG_FACTOR = 1.1


class _Omit(Exception):
    """The student's series is left out; the message says why (shown to the student)."""


class _Budget:
    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds

    def left(self) -> float:
        return self.deadline - time.monotonic()


def compute_figures(session: SessionLike, assignment_name: str, defined: Callable[[str], bool],
                    *, budget_s: float = BUDGET_S) -> dict[str, Any]:
    """``{figure name: plain data}`` for one assignment; ``{}`` when it has no pictures.

    Never raises for anything the student's code does; a bug here is logged and yields ``{}``.
    """
    builder = _BUILDERS.get(assignment_name)
    if builder is None:
        return {}
    try:
        student = _Student(session, assignment_name, defined, _Budget(budget_s))
        with _kept_global_rng():
            return builder(student)
    except Exception:  # noqa: BLE001 - pictures must never break grading
        log.exception("figures for %s could not be computed", assignment_name)
        return {}


class _Student:
    """Guarded calls of the student's functions, normalised to the spec's named outputs."""

    def __init__(self, session: SessionLike, assignment: str, defined: Callable[[str], bool],
                 budget: _Budget) -> None:
        self.session = session
        self.spec = load_assignment(assignment)
        self.defined = defined
        self.budget = budget

    def share(self, parts: int) -> _Budget:
        """Swap in a budget of ``1/parts`` of what is left (so a slow first series cannot starve
        the later ones); returns the previous budget for :meth:`restore`."""
        previous = self.budget
        self.budget = _Budget(max(previous.left(), 0.0) / max(parts, 1))
        return previous

    def restore(self, previous: _Budget) -> None:
        self.budget = previous

    def has(self, name: str) -> bool:
        try:
            return name in self.spec.function_names and bool(self.defined(name))
        except Exception:  # noqa: BLE001
            return False

    def call(self, name: str, args: tuple, *, on_stand_in: Callable | None = None,
             seed: int | None = 0) -> Mapping[str, Any]:
        """Named outputs of one call; raises :class:`_Omit` on anything unusable."""
        left = self.budget.left()
        if left <= 0:
            raise _Omit("not drawn: the time allowed for pictures ran out")
        spec = self.spec.function(name)
        try:
            record = self.session.call(
                name, args, inject=spec.helpers, stand_ins=spec.stand_ins,
                on_stand_in=on_stand_in, seed=seed,
                timeout_s=min(CALL_TIMEOUT_S, max(left, 0.05)),
            )
        except Exception as exc:  # noqa: BLE001 - e.g. a returned value that cannot be sent back
            raise _Omit(f"your `{name}` could not be called again: {_short(exc)}") from None
        if record.outcome != "returned":
            what = getattr(record, "message", "") or record.outcome
            raise _Omit(f"your `{name}` {_short(what)}")
        after = dict(zip(spec.params, getattr(record, "args_after", ()) or (), strict=False))
        result = normalise(spec, record.value, after)
        if result.problem is not None:
            why = _short(result.problem.summary)
            raise _Omit(f"your `{name}` returned an unexpected value: {why}")
        return result.outputs


def reference_outputs(spec: FunctionSpec, args: tuple, **hooks: Any) -> Mapping[str, Any]:
    """The reference's named outputs for ``args`` (trusted, in this process)."""
    value = getattr(reference, spec.name)(*args, **hooks)
    return normalise(spec, value, dict(zip(spec.params, args, strict=False))).outputs


# ---------------------------------------------------------------- optimization


def _optimization(student: _Student) -> dict[str, Any]:
    series, notes = [], []
    for index, (name, label, hyper) in enumerate(OPTIMIZERS):
        entry: dict[str, Any] = {"function": name, "label": label, "hyper": dict(hyper),
                                 "reference": copy.deepcopy(_reference_trajectory(name)),
                                 "yours": None}
        if student.has(name):
            overall = student.share(len(OPTIMIZERS) - index)
            try:
                yours, note = _trajectory(name, hyper, partial(student.call, name))
            finally:
                student.restore(overall)
            entry["yours"] = yours
            if note:
                notes.append(f"{label}: {note}")
        series.append(entry)
    if not any(s["yours"] for s in series) and not notes:
        return {}
    return {"optimizer_paths": {
        "bowl": "x^2/20 + y^2", "start": list(BOWL_START), "steps": BOWL_STEPS,
        "series": series, "notes": notes,
    }}


@cache
def _reference_trajectory(name: str) -> dict[str, Any] | None:
    """The reference's path: the same for every student, computed once per process."""
    spec = load_assignment("optimization").function(name)
    hyper = next(h for n, _, h in OPTIMIZERS if n == name)
    return _trajectory(name, hyper, lambda args: reference_outputs(spec, args))[0]


def _logistic_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    X = rng.standard_normal((2, 64))
    Y = (X[0] - 0.5 * X[1] + 0.3 * rng.standard_normal(64) > 0).astype(float).reshape(1, -1)
    return X, Y


_LOGISTIC = _logistic_data()


def _gradients(params: Mapping[str, np.ndarray]) -> tuple[dict[str, np.ndarray], float]:
    """Gradients of the bowl (layer 1) and of the logistic cost (layer 2), and that cost."""
    x, y = params["W1"][0]
    X, Y = _LOGISTIC
    A = 1.0 / (1.0 + np.exp(-(params["W2"] @ X + params["b2"])))
    m = X.shape[1]
    eps = 1e-12
    cost = float(-np.mean(Y * np.log(A + eps) + (1 - Y) * np.log(1 - A + eps)))
    grads = {"dW1": np.array([[x / 10.0, 2.0 * y]]), "db1": np.zeros((1, 1)),
             "dW2": (A - Y) @ X.T / m, "db2": np.sum(A - Y, axis=1, keepdims=True) / m}
    return grads, cost


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
        grads, cost = _gradients(params)
        costs.append(cost)
        args = _optimizer_args(name, params, grads, v, s, t, hyper)
        try:
            out = step(args)
            params = _checked_params(out.get("parameters"), params)
            v = out.get("v", v) if isinstance(out.get("v", v), Mapping) else v
            s = out.get("s", s) if isinstance(out.get("s", s), Mapping) else s
        except _Omit as exc:
            if t == 1 or "time allowed" not in str(exc):
                return None, f"{_why(name, exc)} (at step {t}), so its path is not drawn"
            note = f"stopped after {t - 1} steps: the time allowed for pictures ran out"
            break
        x, y = params["W1"][0]
        if not (math.isfinite(x) and math.isfinite(y)) or max(abs(x), abs(y)) > 1e6:
            note = f"the path left the picture (diverged) at step {t}"
            break
        xs.append(float(x))
        ys.append(float(y))
    else:
        costs.append(_gradients(params)[1])
    return {"x": xs, "y": ys, "cost": costs}, note


def _optimizer_args(name: str, params: dict, grads: dict, v: Mapping, s: Mapping, t: int,
                    hyper: Mapping[str, float]) -> tuple:
    if name == "update_parameters_with_gd":
        return (params, grads, hyper["learning_rate"])
    if name == "update_parameters_with_momentum":
        return (params, grads, v, hyper["beta"], hyper["learning_rate"])
    return (params, grads, v, s, t, hyper["learning_rate"], hyper["beta1"], hyper["beta2"],
            hyper["epsilon"])


def _checked_params(value: Any, before: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    if not isinstance(value, Mapping):
        raise _Omit(f"returned {type(value).__name__} instead of the parameters dictionary")
    out = {}
    for key, old in before.items():
        new = np.asarray(value.get(key)) if key in value else None
        if new is None or new.shape != old.shape or new.dtype.kind not in "biuf":
            shape = "nothing" if new is None else f"an array of shape {new.shape}"
            raise _Omit(f'returned {shape} for parameters["{key}"], expected shape {old.shape}')
        out[key] = new.astype(float)
    return out


# -------------------------------------------------------------- initialization


def _initialization(student: _Student) -> dict[str, Any]:
    dims = [INIT_UNITS] * (INIT_LAYERS + 1)
    yours: dict[str, dict[str, np.ndarray]] = {}
    notes = []
    for name in INITIALIZERS:  # the student's calls first, so the budget is spent on them
        if student.has(name):
            try:
                out = student.call(name, (list(dims),))
                yours[name] = _checked_layers(out.get("parameters"), dims)
            except _Omit as exc:
                notes.append(f"{_why(name, exc)}, so its activations are not drawn")
    if not yours and not notes:
        return {}
    networks = [{"function": name, "reference": _reference_activations(name),
                 "yours": _activation_stats(yours[name]) if name in yours else None}
                for name in INITIALIZERS]
    return {"init_activations": {
        "layers": INIT_LAYERS, "units": INIT_UNITS, "examples": INIT_EXAMPLES,
        "log_edges": list(LOG_EDGES), "networks": networks, "notes": notes,
    }}


@cache
def _reference_stats(name: str) -> dict[str, Any]:
    spec = load_assignment("initialization").function(name)
    dims = [INIT_UNITS] * (INIT_LAYERS + 1)
    return _activation_stats(reference_outputs(spec, (dims,))["parameters"])


def _reference_activations(name: str) -> dict[str, Any]:
    """The reference's statistics: the same for every student, computed once per process."""
    return copy.deepcopy(_reference_stats(name))


def _checked_layers(value: Any, dims: list[int]) -> dict[str, np.ndarray]:
    if not isinstance(value, Mapping):
        raise _Omit(f"returned {type(value).__name__} instead of the parameters dictionary")
    out = {}
    for l in range(1, len(dims)):
        for key, shape in ((f"W{l}", (dims[l], dims[l - 1])), (f"b{l}", (dims[l], 1))):
            arr = np.asarray(value[key]) if key in value else None
            if arr is None or arr.dtype.kind not in "biuf" or arr.size != math.prod(shape):
                raise _Omit(f"returned no {shape} array for parameters[\"{key}\"]")
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


# --------------------------------------------------------------- regularization


def _dropout_problem() -> tuple[np.ndarray, dict[str, np.ndarray]]:
    rng = np.random.default_rng(5)
    X = rng.standard_normal((2, 100))
    params = {"W1": rng.standard_normal((100, 2)), "b1": np.full((100, 1), 0.1),
              "W2": rng.standard_normal((10, 100)) * 0.14, "b2": np.zeros((10, 1)),
              "W3": rng.standard_normal((1, 10)) * 0.4, "b3": np.zeros((1, 1))}
    return X, params


def _regularization(student: _Student) -> dict[str, Any]:
    name = "forward_propagation_with_dropout"
    if not student.has(name):
        return {}
    X, params = _dropout_problem()
    before = np.maximum(params["W1"] @ X + params["b1"], 0.0)
    ref = _reference_dropout()
    yours: list[tuple[float, float]] | None = None
    note = ""
    try:
        yours = [_dropout_stats(student.call(name, (X, params, p)).get("cache"), before)
                 for p in KEEP_PROBS]
    except _Omit as exc:
        note = f"{_why(name, exc)}, so only the reference is drawn"
    return {"dropout_scaling": {
        "keep_prob": list(KEEP_PROBS),
        "reference": {"kept": [r[0] for r in ref], "scale": [r[1] for r in ref]},
        "yours": None if yours is None else {"kept": [y[0] for y in yours],
                                             "scale": [y[1] for y in yours]},
        "notes": [note] if note else [],
    }}


@cache
def _reference_dropout() -> tuple[tuple[float, float], ...]:
    spec = load_assignment("regularization").function("forward_propagation_with_dropout")
    X, params = _dropout_problem()
    before = np.maximum(params["W1"] @ X + params["b1"], 0.0)
    return tuple(_dropout_stats(reference_outputs(spec, (X, params, p))["cache"], before)
                 for p in KEEP_PROBS)


def _dropout_stats(cache: Any, before: np.ndarray) -> tuple[float, float]:
    """(fraction of active first-layer units kept, mean activation / mean without dropout)."""
    if not isinstance(cache, list | tuple) or len(cache) < 3:
        raise _Omit("returned a cache that is not the course's 14-entry tuple")
    A1 = np.asarray(cache[2])
    if A1.shape != before.shape or A1.dtype.kind not in "biuf":
        raise _Omit(f"returned cache[2] (A1) of shape {A1.shape}, expected {before.shape}")
    active = before > 0
    with np.errstate(all="ignore"):
        kept = float(np.mean(A1[active] != 0))
        scale = float(np.sum(A1) / np.sum(before))
    if not (math.isfinite(kept) and math.isfinite(scale)):
        raise _Omit("returned a non-finite A1")
    return round(kept, 6), round(scale, 6)


# ------------------------------------------------------------ gradient checking


def _answer(wrong: bool) -> Callable[[str, tuple, dict], Any]:
    """Stand-ins for J = theta * x and dJ/dtheta = x (or a wrong derivative)."""

    def answer(name: str, args: tuple, kwargs: dict) -> Any:
        values = dict(zip(("x", "theta"), args, strict=False)) | dict(kwargs)
        x, theta = values["x"], values["theta"]
        if name == "forward_propagation":
            return theta * x
        return WRONG_FACTOR * x if wrong else x

    return answer


def _gradient_checking(student: _Student) -> dict[str, Any]:
    name = "gradient_check"
    if not student.has(name):
        return {}
    spec = student.spec.function(name)
    cases: list[dict[str, Any]] = []
    reasons: Counter[str] = Counter()
    for wrong in (False, True):
        for x, theta in CHECK_POINTS:
            answer = _answer(wrong)
            ref = reference_outputs(
                spec, (x, theta),
                forward_propagation=lambda x_, t_, a=answer: a("forward_propagation", (x_, t_), {}),
                backward_propagation=lambda x_, t_, a=answer: a(
                    "backward_propagation", (x_, t_), {}),
            )["difference"]
            yours = None
            try:
                yours = _difference(student.call(name, (x, theta), on_stand_in=answer))
            except _Omit as exc:
                reasons[_why(name, exc)] += 1
            cases.append({"x": x, "theta": theta, "gradient": "wrong" if wrong else "correct",
                          "yours": yours, "reference": float(ref)})
    total = len(cases)
    notes = [f"{why} (in {count} of {total} checks), so those bars are missing"
             for why, count in reasons.items()]
    return {"gradient_check": {
        "threshold": float(reference.GRADIENT_CHECK_THRESHOLD), "wrong_factor": WRONG_FACTOR,
        "cases": cases, "notes": notes,
    }}


def _difference(outputs: Mapping[str, Any]) -> float:
    value = np.asarray(outputs.get("difference"))
    if value.size != 1 or value.dtype.kind not in "biuf":
        raise _Omit("returned something other than one number as the difference")
    number = float(value.reshape(()))
    if not math.isfinite(number):
        raise _Omit(f"returned {number} as the difference")
    return number


# ----------------------------------------------------------------------- shared


class _kept_global_rng:
    """Restore numpy's global generator: the reference initializers and dropout reseed it."""

    def __enter__(self) -> None:
        self.state = np.random.get_state()

    def __exit__(self, *exc: object) -> None:
        np.random.set_state(self.state)


def _why(name: str, exc: _Omit) -> str:
    """The omission reason as a sentence about the student's function."""
    text = str(exc)
    return text if text.startswith(("your ", "not drawn")) else f"your `{name}` {text}"


def _short(text: Any, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


_BUILDERS: dict[str, Callable[[_Student], dict[str, Any]]] = {
    "optimization": _optimization,
    "initialization": _initialization,
    "regularization": _regularization,
    "gradient_checking": _gradient_checking,
}
