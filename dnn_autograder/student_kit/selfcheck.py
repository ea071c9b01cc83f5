"""Check your graded functions on the public cases before you submit.

In the notebook::

    from selfcheck import check, check_all
    check("update_parameters_with_adam")   # one function, after running the cell that defines it
    check_all()                            # every graded function of this notebook

A check calls *your* function, as it is defined in the running notebook, on a few public cases
and compares what it returns with the expected outputs, the way the final grade does (same
tolerances; updating an argument in place counts like returning it). It prints either that the
public checks passed, or the smallest public case that fails with what was expected, what you
returned and, when your outputs match a known mistake, that mistake's name and explanation.

A random function whose numbers differ from the course's seeding (another draw order,
``np.random.default_rng``, ...) is not wrong for that: the kit then checks the properties any
correct answer has (shapes, zero biases, the spread of the weights, the dropout relation, a
partition of the examples), each a generic check below parameterised by numbers in the data.

Some graded units are a short script of calls rather than one call: an update rule called for
several steps, each fed the state your previous call returned (``next_w, config = adam(w, dw,
config)``), a forward then its backward on your own cache, or a class constructed and then used
(``opt = Adam(lr=0.1)``, ``opt.update(params, grads)``). A check runs the public scripts against
your functions and classes with the same interpreter the grader uses (``selfcheck_script.py``
beside this file), compares what each step must produce, and shows the script with the first step
where your run differs. A backward pass whose gradients are right for your own forward passes
(the grader judges it the same way: a wrong forward costs once).

Passing here is not your grade: the final grade also runs hidden cases. This module holds data
only (``selfcheck_data.json`` beside it: public cases, their expected outputs, and the outputs of
known mistakes on them); it needs the standard library and NumPy, nothing else.
"""

from __future__ import annotations

import copy
import importlib
import importlib.util
import json
import math
import random
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["check", "check_all", "run_check", "Verdict", "load_data", "decode"]

DATA_NAME = "selfcheck_data.json"
#: the script interpreter, shipped beside this file when a unit is a script of calls
SCRIPT_NAME = "selfcheck_script.py"
#: a backward needing more nudged re-runs of the forward than this is not judged by numerical gradients (as the grader)
MAX_NUDGES = 400
FORMAT = 1
#: a known mistake is named only when it explains this many of the smallest failing cases
MAX_REPLAYED = 6
#: how close an argument must be to one the self-check knows an answer for (stand-in calls)
ANSWER_RTOL, ANSWER_ATOL = 1e-10, 1e-13
RESTORED_RTOL = 1e-12


class SelfCheckError(Exception):
    """A call the self-check cannot answer (a helper called with unexpected arguments)."""


# --- data -----------------------------------------------------------------------------------


def decode(value: Any) -> Any:
    """Plain JSON back to Python and NumPy values (arrays, tuples, dicts with their key order)."""
    if isinstance(value, dict):
        if "__ndarray__" in value:
            spec = value["__ndarray__"]
            return np.array(spec["data"], dtype=spec["dtype"]).reshape(spec["shape"])
        if "__scalar__" in value:
            spec = value["__scalar__"]
            return np.dtype(spec["dtype"]).type(spec["value"])
        if "__tuple__" in value:
            return tuple(decode(item) for item in value["__tuple__"])
        if "__dict__" in value:
            return {decode(key): decode(item) for key, item in value["__dict__"]}
        raise ValueError(f"unknown encoded value with keys {sorted(value)}")
    if isinstance(value, list):
        return [decode(item) for item in value]
    return value


@lru_cache(maxsize=4)
def load_data(path: str | None = None) -> Mapping[str, Any]:
    """The decoded ``selfcheck_data.json`` (beside this file unless ``path`` is given)."""
    where = Path(path) if path else Path(__file__).with_name(DATA_NAME)
    raw = json.loads(where.read_text(encoding="utf-8"))
    if raw.get("format") != FORMAT:
        raise ValueError(f"{where}: not a self-check data file of format {FORMAT}")
    return decode(raw["data"])


# --- comparing, as the final grade does ----------------------------------------------------


@dataclass(frozen=True)
class Difference:
    """One difference between your output and the expected one (``where``: ``parameters["W1"]``)."""

    where: str
    kind: str  #: type, shape, value, missing, extra, mutated, error
    summary: str


def compare(expected: Any, got: Any, *, rtol: float, atol: float, where: str = "",
            exact_keys: bool = False) -> list[Difference]:
    """Differences of ``got`` from ``expected``: dicts on the expected keys, sequences item by
    item (a list is fine for a tuple), numbers and arrays within ``atol + rtol * |expected|``."""
    label = where or "result"
    if isinstance(expected, Mapping):
        if not isinstance(got, Mapping):
            return [Difference(label, "type", f"expected a dict, got {_type(got)}")]
        out: list[Difference] = []
        for key, value in expected.items():
            inner = f'{where}["{key}"]' if where else f'["{key}"]'
            if key not in got:
                out.append(Difference(inner, "missing", f"key {key!r} is missing"))
            else:
                out += compare(value, got[key], rtol=rtol, atol=atol, where=inner, exact_keys=exact_keys)
        extra = [key for key in got if key not in expected] if exact_keys else []
        if extra:
            out.append(Difference(label, "extra", f"unexpected keys {extra!r}"))
        return out
    if isinstance(expected, list | tuple):
        if not isinstance(got, list | tuple):
            kind = "a tuple" if isinstance(expected, tuple) else "a list"
            return [Difference(label, "type", f"expected {kind} of {len(expected)}, got {_type(got)}")]
        if len(got) != len(expected):
            return [Difference(label, "shape", f"expected {len(expected)} items, got {len(got)}")]
        out = []
        for index, (e, g) in enumerate(zip(expected, got, strict=True)):
            out += compare(e, g, rtol=rtol, atol=atol, where=f"{where}[{index}]", exact_keys=exact_keys)
        return out
    if expected is None:
        return [] if got is None else [Difference(label, "type", f"expected None, got {_type(got)}")]
    if isinstance(expected, str):
        return [] if got == expected else [Difference(label, "value", f"expected {expected!r}, got {got!r}")]
    return _compare_numeric(expected, got, rtol=rtol, atol=atol, where=label)


def _as_array(value: Any) -> np.ndarray | None:
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, bool | int | float | np.generic):
        return np.asarray(value)
    return None


def _compare_numeric(expected: Any, got: Any, *, rtol: float, atol: float, where: str) -> list[Difference]:
    exp, val = _as_array(expected), _as_array(got)
    if exp is None:
        return [Difference(where, "type", f"cannot compare with {_type(expected)}")]
    if val is None or val.dtype.kind not in "biuf":
        what = "a number" if exp.ndim == 0 else f"an array of shape {exp.shape}"
        return [Difference(where, "type", f"expected {what}, got {_type(got)}")]
    if exp.ndim == 0:
        if val.size != 1:
            return [Difference(where, "shape", f"expected a number, got an array of shape {val.shape}")]
        val = val.reshape(())
    elif val.shape != exp.shape:
        return [Difference(where, "shape", f"expected shape {exp.shape}, got shape {val.shape}")]
    e, g = exp.astype(np.float64), val.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        close = np.isclose(g, e, rtol=rtol, atol=atol) | (np.isnan(e) & np.isnan(g))
    if bool(np.all(close)):
        return []
    if e.ndim == 0:
        return [Difference(where, "value", f"expected {float(e):.6g}, got {float(g):.6g}")]
    bad = ~close
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    return [Difference(where, "value", f"{int(bad.sum())} of {e.size} elements differ; at {list(first)}"
                       f" expected {float(e[first]):.6g}, got {float(g[first]):.6g}")]


def normalise(function: Mapping[str, Any], value: Any, args_after: Mapping[str, Any]
              ) -> tuple[dict[str, Any], Difference | None]:
    """Your return value as ``{output name: value}``; an in-place update of an argument listed
    as such counts as returning it, and a tuple may stop after ``accept_prefix`` outputs."""
    names, in_place = list(function["returns"]), set(function["in_place"])
    if len(names) == 1:
        name = names[0]
        if value is None and name in in_place and name in args_after:
            return {name: args_after[name]}, None
        return {name: value}, None
    if value is None:
        parts: Any = ()
    elif isinstance(value, list | tuple):
        parts = value
    else:
        return {}, Difference("result", "type", f"expected a tuple ({', '.join(names)}), got {_type(value)}")
    outputs = {}
    for index, name in enumerate(names):
        if index < len(parts):
            outputs[name] = parts[index]
        elif name in in_place and name in args_after:
            outputs[name] = args_after[name]
    prefix = function["accept_prefix"]
    if len(parts) > len(names) or len(outputs) < prefix:
        count = f"{len(names)}" if prefix == len(names) else f"{prefix} or {len(names)}"
        return outputs, Difference("result", "shape",
                                   f"expected a tuple of {count} values ({', '.join(names)}), got {len(parts)}")
    return outputs, None


def compare_outputs(expected: Mapping[str, Any], got: Mapping[str, Any], *, rtol: float, atol: float,
                    exact_keys: bool = False) -> list[Difference]:
    """Differences of the named outputs you returned (outputs legitimately left out are skipped)."""
    out: list[Difference] = []
    for name, value in expected.items():
        if name in got:
            out += compare(value, got[name], rtol=rtol, atol=atol, where=name, exact_keys=exact_keys)
    return out


def _identical(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)) or a.shape != b.shape:
            return False
        if a.dtype.kind == "f" and b.dtype.kind == "f" and a.size:
            scale = float(np.max(np.abs(a), initial=0.0, where=np.isfinite(a)))
            return bool(np.allclose(a, b, rtol=0.0, atol=RESTORED_RTOL * max(scale, 1.0), equal_nan=True))
        return bool(np.array_equal(a, b))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_identical(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_identical(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - an exotic __eq__ means "not identical"
        return False


def _close(a: Any, b: Any) -> bool:
    """Loose equality for matching a helper call's arguments with a known one."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return list(a) == list(b) and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    x, y = _as_array(a), _as_array(b)
    if x is None or y is None:
        return _identical(a, b)
    if x.shape != y.shape or x.dtype.kind not in "biuf" or y.dtype.kind not in "biuf":
        return False
    return bool(np.allclose(x, y, rtol=ANSWER_RTOL, atol=ANSWER_ATOL, equal_nan=True))


# --- running your function -----------------------------------------------------------------


@dataclass
class Outcome:
    """What your function did on one public case."""

    index: int
    case: Mapping[str, Any]
    got: dict[str, Any] | None = None
    differences: list[Difference] = field(default_factory=list)
    error: str = ""
    not_implemented: bool = False
    #: a random function whose numbers differ from the course's seeding (allowed; not confirmed here)
    unconfirmed: bool = False
    #: those numbers were then confirmed by the shipped properties of the case
    by_properties: bool = False
    #: a backward pass whose gradients differ from the expected ones but are right for your own forward
    by_gradient: bool = False

    @property
    def passed(self) -> bool:
        return not self.error and not self.differences and not self.unconfirmed


def _answerer(name: str, known: list[tuple[list[Any], Any]]) -> Callable[..., Any]:
    def answer(*args: Any, **kwargs: Any) -> Any:
        given = [*args, *kwargs.values()]
        for known_args, value in known:
            if _close(known_args, given):
                return copy.deepcopy(value)
        raise SelfCheckError(
            f"your function called `{name}` with arguments this self-check has no answer for (it knows "
            f"`{name}` only at the points a correct solution, or a known mistake, uses on the public cases)")
    answer.__name__ = name
    return answer


def _run(function: Mapping[str, Any], func: Callable[..., Any], index: int) -> Outcome:
    case = function["cases"][index]
    outcome = Outcome(index, case)
    args = copy.deepcopy(case["args"])
    before = copy.deepcopy(args)
    namespace = getattr(func, "__globals__", {})
    saved = {name: namespace.get(name, _ABSENT) for name in function["stand_ins"]}
    np_state, py_state = np.random.get_state(), random.getstate()
    try:
        for name in function["stand_ins"]:
            namespace[name] = _answerer(name, function["answers"].get(name, []))
        if case["seed"] is not None:
            np.random.seed(int(case["seed"]))
            random.seed(int(case["seed"]))
        value = func(*args.values())
    except NotImplementedError:
        outcome.error, outcome.not_implemented = "it raises NotImplementedError", True
        return outcome
    except Exception as exc:  # noqa: BLE001 - a crash is reported, never raised into the notebook
        outcome.error = f"it raised {type(exc).__name__}: {exc}"
        return outcome
    finally:
        np.random.set_state(np_state)
        random.setstate(py_state)
        for name, old in saved.items():
            if old is _ABSENT:
                namespace.pop(name, None)
            else:
                namespace[name] = old
    outputs, problem = normalise(function, value, args)
    outcome.got = outputs
    mutated = [Difference(name, "mutated", f"your function modified its argument `{name}`, which it must"
                          " leave unchanged")
               for name in function["immutable"] if name in args and not _identical(before[name], args[name])]
    if problem is not None:
        outcome.differences = [problem, *mutated]
        return outcome
    return _judge(function, outcome, outputs, mutated)


def _judge(function: Mapping[str, Any], outcome: Outcome, outputs: Mapping[str, Any],
           mutated: list[Difference]) -> Outcome:
    """Compare ``outputs`` with the case's expected ones (random functions: the shipped
    properties when the numbers differ); set ``outcome.differences``."""
    case = outcome.case
    found = compare_outputs(case["expected"], outputs, rtol=function["rtol"], atol=function["atol"])
    if found and not mutated and _accepted_variant(function, outcome.index, outputs):
        outcome.differences = []
        return outcome
    properties = case.get("properties") or []
    if found and function["kind"] == "stochastic" and not mutated and properties:
        violated = check_properties(properties, case["args"], outputs)
        if violated:
            outcome.differences = violated
        else:
            outcome.by_properties = True
        return outcome
    if found and function["kind"] == "stochastic" and not mutated and all(d.kind == "value" for d in found):
        outcome.unconfirmed = True
    outcome.differences = [*found, *mutated]
    return outcome


def _accepted_variant(function: Mapping[str, Any], index: int, outputs: Mapping[str, Any]) -> bool:
    """Your outputs are those of an answer the grade accepts besides the expected one (another
    derivative at a kink, say), on this case, within the tolerances."""
    for variant in function.get("variants") or []:
        predicted = variant[index]
        if predicted is not None and all(name in outputs for name in predicted) and not compare_outputs(
                predicted, outputs, rtol=function["rtol"], atol=function["atol"]):
            return True
    return False


# --- running a script of calls -------------------------------------------------------------


@lru_cache(maxsize=1)
def _interpreter() -> Any:
    """The script interpreter: ``selfcheck_script.py`` beside this file (a handout), else the
    grader's own module (this file inside the grader's package)."""
    path = Path(__file__).with_name(SCRIPT_NAME)
    if not path.is_file():
        return importlib.import_module("dnn_autograder.grader.sandbox.child.script")
    spec = importlib.util.spec_from_file_location("selfcheck_script", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _output_name(step: int, name: str) -> str:
    return f"step {step + 1}: {name}"


def _step_of(name: str) -> int:
    """The 0-based step of an output named ``step 2: config`` (-1 for any other name)."""
    head = name.partition(":")[0]
    return int(head[5:]) - 1 if head.startswith("step ") and head[5:].isdigit() else -1


def _lookup(namespace: Mapping[str, Any]) -> Callable[[str], Any]:
    def lookup(name: str) -> Any:
        value = namespace.get(name)
        if not callable(value):
            raise NameError(f"name {name!r} is not defined (run the cell that defines it)")
        return value
    return lookup


def _play(steps: Sequence[Mapping[str, Any]], inputs: Mapping[str, Any], namespace: Mapping[str, Any],
          seed: int | None, *, run: Any = None) -> dict[str, Any]:
    """Run ``steps`` on copies of ``inputs`` with your code (in ``run``, a fresh interpreter's
    ``Script`` unless given: its ``step`` says where an exception came from); the outputs
    ``{output name: value}``. Your code's exceptions propagate."""
    outputs: dict[str, Any] = {}

    def capture(step: int, name: str, value: Any) -> None:
        outputs[_output_name(step, name)] = copy.deepcopy(value)

    run = run if run is not None else _new_run(inputs, namespace)
    np_state, py_state = np.random.get_state(), random.getstate()
    try:
        if seed is not None:
            np.random.seed(int(seed))
            random.seed(int(seed))
        run.run(steps, capture)
    finally:
        np.random.set_state(np_state)
        random.setstate(py_state)
    return outputs


def _new_run(inputs: Mapping[str, Any], namespace: Mapping[str, Any]) -> Any:
    return _interpreter().Script(copy.deepcopy(dict(inputs)), _lookup(namespace))


def _step_text(case: Mapping[str, Any], step: int) -> str:
    lines = case.get("script") or []
    return lines[step][-1] if 0 <= step < len(lines) and lines[step] else f"step {step + 1}"


def _run_script(function: Mapping[str, Any], namespace: Mapping[str, Any], index: int) -> Outcome:
    """Your functions and classes on one public script case, compared step by step."""
    case = function["cases"][index]
    outcome = Outcome(index, case)
    interpreter = _interpreter()
    run = _new_run(case["args"], namespace)
    try:
        outputs = _play(case["steps"], case["args"], namespace, case["seed"], run=run)
    except NotImplementedError:
        outcome.error, outcome.not_implemented = "it raises NotImplementedError", True
        return outcome
    except interpreter.ScriptShapeError as exc:
        outcome.got = {}
        outcome.differences = [Difference("result", "shape", str(exc))]
        return outcome
    except Exception as exc:  # noqa: BLE001 - a crash is reported, never raised into the notebook
        where = int(run.step)
        at = f"at step {where + 1}: `{_step_text(case, where)}`, " if where >= 0 else ""
        outcome.error = f"{at}it raised {type(exc).__name__}: {exc}"
        return outcome
    outcome.got = outputs
    judged = _judge(function, outcome, outputs, [])
    if judged.differences and function.get("numerical_gradient") and _only_gradients_differ(
            function, case, judged.differences) and _gradients_agree(function, case, namespace, outputs):
        judged.differences, judged.unconfirmed, judged.by_gradient = [], False, True
    return judged


def _gradient_outputs(function: Mapping[str, Any], case: Mapping[str, Any]) -> dict[str, str] | None:
    """``{input: the output name of its gradient}`` that the numerical gradient judges (each
    ``wrt`` gradient where a step after the forward compares it), or None without a forward."""
    check, steps = function["numerical_gradient"], case["steps"]
    forward = next((i for i, step in enumerate(steps) if check["output"] in step["returns"]), None)
    if forward is None:
        return None
    found = {}
    for name, grad in check["wrt"].items():
        later = [i for i in range(forward + 1, len(steps)) if grad in steps[i]["compare"]]
        if later:
            found[name] = _output_name(later[0], grad)
    return found


def _only_gradients_differ(function: Mapping[str, Any], case: Mapping[str, Any],
                           differences: list[Difference]) -> bool:
    """Every difference is in a judged gradient: your own forward may excuse a backward, never a
    wrong forward output compared in the same script (as the grader)."""
    judged = set((_gradient_outputs(function, case) or {}).values())
    return bool(judged) and all(d.where.split("[", 1)[0] in judged for d in differences)


def _gradients_agree(function: Mapping[str, Any], case: Mapping[str, Any], namespace: Mapping[str, Any],
                     got: Mapping[str, Any]) -> bool:
    """Do your backward's gradients agree with central differences of your own forward?

    With ``L = sum(output * upstream)``, for each input ``v`` of ``wrt`` and each element ``i``:
    ``dL/dv[i] ~ (L(v + h e_i) - L(v - h e_i)) / 2h``, the forward steps re-run on your code with
    ``v[i]`` nudged; your gradient must be within ``atol + rtol * max|numeric|`` of it.
    """
    check, steps = function["numerical_gradient"], case["steps"]
    args = case["args"]
    forward = next((i for i, step in enumerate(steps) if check["output"] in step["returns"]), None)
    targets = _gradient_outputs(function, case)
    if forward is None or targets is None or check["upstream"] not in args or len(targets) != len(check["wrt"]) \
            or any(name not in args or output not in got for name, output in targets.items()):
        return False
    if sum(2 * np.size(args[name]) for name in targets) > MAX_NUDGES:
        return False
    prefix = [{**step, "compare": [check["output"]] if i == forward else []}
              for i, step in enumerate(steps[: forward + 1])]
    upstream = np.asarray(args[check["upstream"]], dtype=float)
    h = float(check["h"])
    for name, output in targets.items():
        numeric = np.zeros(np.shape(args[name]))
        for index in np.ndindex(numeric.shape):
            for sign in (1.0, -1.0):
                nudged = dict(args)
                nudged[name] = np.array(args[name], dtype=float)
                nudged[name][index] += sign * h
                try:
                    with np.errstate(all="ignore"):
                        outputs = _play(prefix, nudged, namespace, case["seed"])
                    value = np.asarray(outputs[_output_name(forward, check["output"])], dtype=float)
                except Exception:  # noqa: BLE001 - a forward that cannot run nudged judges nothing
                    return False
                numeric[index] += sign * float(np.sum(value * upstream)) / (2 * h)
        try:
            student = np.asarray(got[output], dtype=float)
        except (TypeError, ValueError):
            return False
        scale = float(np.max(np.abs(numeric), initial=0.0))
        if student.shape != numeric.shape or not np.all(np.abs(student - numeric) <= check["atol"] + check["rtol"]
                                                         * scale):
            return False
    return True


# --- properties of random functions (generic kinds; their numbers come from the data) --------


def _float_array(value: Any) -> np.ndarray | None:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return array if array.dtype.kind == "f" else None


def _gaussian_weights(prop: Mapping[str, Any], args: Mapping[str, Any], outputs: Mapping[str, Any]) -> list[str]:
    """Each array: its shape, finite, random (not all equal), and, with bounds, a standard
    deviation (``ddof=1``) within ``[std_low, std_high]`` and a mean within ``mean_bound``."""
    found, arrays = [], outputs.get(prop["output"])
    if not isinstance(arrays, Mapping):
        return [f"{prop['output']} should be a dict, got {_type(arrays)}"]
    for key, want in prop["arrays"].items():
        W = _float_array(arrays.get(key)) if key in arrays else None
        shape = tuple(want["shape"])
        if W is None or W.shape != shape:
            got = "missing" if key not in arrays else f"shape {getattr(W, 'shape', None)}"
            found.append(f"{key} should have shape {shape}, got {got}")
        elif not np.all(np.isfinite(W)):
            found.append(f"{key} contains NaN or infinite values")
        elif W.size > 1 and np.all(W == W.flat[0]):
            found.append(f"{key} has every entry equal to {float(W.flat[0]):.3g}: the weights must be random")
        elif "std_low" in want:
            std = float(np.std(W, ddof=1))
            if not want["std_low"] <= std <= want["std_high"]:
                found.append(f"{key} has standard deviation {std:.3g}, expected about {want['std']:.3g}"
                             f" ({want['rule']}); a correct draw of {W.size} entries lands in"
                             f" [{want['std_low']:.3g}, {want['std_high']:.3g}] except with probability"
                             f" {prop['level']:.0e}")
            elif abs(float(np.mean(W))) > want["mean_bound"]:
                found.append(f"{key} has mean {float(np.mean(W)):.3g}; zero-mean weights with standard deviation"
                             f" {want['std']:.3g} stay within +-{want['mean_bound']:.3g} except with probability"
                             f" {prop['level']:.0e}")
    return found


def _zero_arrays(prop: Mapping[str, Any], args: Mapping[str, Any], outputs: Mapping[str, Any]) -> list[str]:
    found, arrays = [], outputs.get(prop["output"])
    if not isinstance(arrays, Mapping):
        return [f"{prop['output']} should be a dict, got {_type(arrays)}"]
    for key, shape in prop["arrays"].items():
        b = _float_array(arrays.get(key)) if key in arrays else None
        if b is None or b.shape != tuple(shape):
            found.append(f"{key} should be an array of zeros of shape {tuple(shape)}, got"
                         f" {'nothing' if key not in arrays else _type(arrays.get(key))}")
        elif np.any(b != 0):
            found.append(f"{key} should be all zeros, got {np.count_nonzero(b)} nonzero entries")
    return found


def _dropout_masks(prop: Mapping[str, Any], args: Mapping[str, Any], outputs: Mapping[str, Any]) -> list[str]:
    """Each mask ``D`` of the cache: only 0 and 1, ``A == relu(Z) * D / keep_prob`` and a kept
    fraction within the shipped bounds."""
    cache, p = outputs.get(prop["output"]), prop["keep_prob"]
    need = max(max(m["Z"], m["D"], m["A"]) for m in prop["masks"]) + 1
    if not isinstance(cache, list | tuple) or len(cache) < need:
        return [f"{prop['output']} should be a tuple of at least {need} arrays, got {_type(cache)}"]
    found = []
    for mask in prop["masks"]:
        l = mask["name"]
        Z, D, A = (_float_array(cache[mask[k]]) for k in ("Z", "D", "A"))
        if Z is None or D is None or A is None or not Z.shape == D.shape == A.shape:
            found.append(f"Z{l}, D{l} and A{l} of the cache should be arrays of one shape")
            continue
        if not np.all((D == 0) | (D == 1)):
            found.append(f"D{l} should contain only 0 and 1 (keep or drop), found other values")
            continue
        expected = np.maximum(Z, 0.0) * D / p
        if not np.all(np.abs(A - expected) <= prop["rtol"] * np.abs(expected) + prop["atol"]):
            found.append(f"A{l} is not relu(Z{l}) * D{l} / keep_prob (keep_prob = {p}): with the masks you drew,"
                         f" A{l} should be {_show(expected, '      ')}")
            continue
        kept = float(np.count_nonzero(D)) / max(D.size, 1)
        if not mask["kept_low"] <= kept <= mask["kept_high"]:
            found.append(f"D{l} keeps {kept:.3f} of its {D.size} units; with keep_prob = {p} a correct mask keeps"
                         f" between {mask['kept_low']:.3f} and {mask['kept_high']:.3f} except with probability"
                         f" {prop['level']:.0e}")
    return found


def _columns(array: np.ndarray) -> list[tuple[float, ...]]:
    return [tuple(column) for column in np.asarray(array, dtype=np.float64).T.tolist()]


def _partition(prop: Mapping[str, Any], args: Mapping[str, Any], outputs: Mapping[str, Any]) -> list[str]:
    """A list of ``(X part, Y part)`` pairs of the shipped sizes that holds every column of the
    inputs once, each ``Y`` column with its ``X`` column (and shuffled, when required)."""
    X, Y, batches = np.asarray(args[prop["x"]]), np.asarray(args[prop["y"]]), outputs.get(prop["output"])
    if not isinstance(batches, list | tuple) or not all(isinstance(b, list | tuple) and len(b) == 2
                                                         for b in batches):
        return [f"{prop['output']} should be a list of ({prop['x']} part, {prop['y']} part) pairs"]
    parts: list[tuple[np.ndarray, np.ndarray]] = []
    for k, (raw_x, raw_y) in enumerate(batches):
        bx, by = _float_array(raw_x), _float_array(raw_y)
        if bx is None or by is None or bx.ndim != 2 or by.ndim != 2 or bx.shape[0] != X.shape[0] \
                or by.shape[0] != Y.shape[0] or bx.shape[1] != by.shape[1]:
            return [f"mini-batch {k} should be a pair of arrays with {X.shape[0]} and {Y.shape[0]} rows and"
                    " one column per example in both"]
        parts.append((bx, by))
    sizes = [bx.shape[1] for bx, _ in parts]
    if sizes != list(prop["sizes"]):
        return [f"mini-batch sizes: with m = {X.shape[1]} columns, expected sizes {list(prop['sizes'])}"
                f" (full batches, then the remainder if any), got {sizes}"]
    out_x = [c for bx, _ in parts for c in _columns(bx)]
    out_y = [c for _, by in parts for c in _columns(by)]
    in_x, in_y = _columns(X), _columns(Y)
    if sorted(out_x) != sorted(in_x) or sorted(out_y) != sorted(in_y):
        return ["the mini-batches do not hold every column (example) of X and Y exactly once"]
    if sorted(zip(out_x, out_y, strict=True)) != sorted(zip(in_x, in_y, strict=True)):
        return ["labels were separated from their examples: X and Y were not shuffled with the same permutation"]
    if prop["shuffled"] and out_x == in_x:
        return [f"the {len(in_x)} examples were not shuffled: the columns of X keep their original order"]
    return []


#: the property kinds the data may name
PROPERTY_KINDS: dict[str, Callable[[Mapping[str, Any], Mapping[str, Any], Mapping[str, Any]], list[str]]] = {
    "gaussian_weights": _gaussian_weights,
    "zero_arrays": _zero_arrays,
    "dropout_masks": _dropout_masks,
    "partition": _partition,
}


def check_properties(properties: list[Mapping[str, Any]], args: Mapping[str, Any],
                     outputs: Mapping[str, Any]) -> list[Difference]:
    """The shipped properties of one case that your outputs violate, as differences."""
    found = []
    for prop in properties:
        kind = prop["kind"]
        try:
            if kind not in PROPERTY_KINDS:
                raise ValueError(f"unknown property kind {kind!r}: this selfcheck.py is older than its data")
            problems = PROPERTY_KINDS[kind](prop, args, outputs)
        except Exception as exc:  # noqa: BLE001 - an unreadable output violates the property
            problems = [f"your output cannot be read ({type(exc).__name__}: {exc})"]
        found += [Difference(f"property {kind}", "property", problem) for problem in problems]
    return found


_ABSENT = object()


def _size(value: Any) -> int:
    if isinstance(value, np.ndarray):
        return int(value.size)
    if isinstance(value, Mapping):
        return sum(_size(v) for v in value.values())
    if isinstance(value, list | tuple):
        return sum(_size(v) for v in value) + 1
    return 1


def _zeros_like(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _zeros_like(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_zeros_like(v) for v in value)
    if isinstance(value, np.ndarray) and value.dtype.kind in "iuf":
        return np.zeros_like(value)
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
        return value
    return type(value)(0)


def _named_mistakes(function: Mapping[str, Any], failing: list[Outcome]) -> list[Mapping[str, Any]]:
    """Known mistakes whose outputs (computed when the handout was made) equal yours on every
    failing case you returned on (the smallest first), and which say something there: on some
    case the mistake's outputs are not all zeros."""
    returned = sorted((o for o in failing if o.got is not None), key=lambda o: _size(o.case["args"]))
    if not returned:
        return []
    found = []
    for mistake in function["mistakes"]:
        informative, matched = 0, True
        for outcome in returned[:MAX_REPLAYED]:
            assert outcome.got is not None
            predicted = mistake["outputs"][outcome.index]
            if predicted is None or not any(name in outcome.got for name in predicted) or compare_outputs(
                    predicted, outcome.got, rtol=function["rtol"], atol=function["atol"], exact_keys=True):
                matched = False
                break
            informative += bool(compare_outputs(_zeros_like(predicted), predicted, rtol=function["rtol"],
                                                atol=function["atol"], exact_keys=True))
        if matched and informative:
            found.append(mistake)
    return found


# --- the verdict ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """The result of checking one function: ``status`` is ``passed``, ``unconfirmed`` (a random
    function whose numbers differ from the course's seeding), ``failed``, ``not implemented``
    or ``missing``; ``mistakes`` holds the ids of the known mistakes recognised; ``text`` is what
    :func:`check` prints."""

    function: str
    status: str
    text: str
    public_cases: int = 0
    hidden_cases: int = 0
    mistakes: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return self.status == "passed"


def run_check(name: str, namespace: Mapping[str, Any] | None = None, data: Mapping[str, Any] | None = None
              ) -> Verdict:
    """Check the function ``name`` defined in ``namespace`` (default: the notebook's globals)."""
    data = data if data is not None else load_data()
    functions = data["functions"]
    if name not in functions:
        known = ", ".join(functions)
        return Verdict(name, "missing", f"{name}: not a graded function of this notebook (these are: {known}).")
    function = functions[name]
    count, hidden = len(function["cases"]), function["hidden_cases"]
    namespace = namespace if namespace is not None else vars(sys.modules["__main__"])
    func = namespace.get(name)
    if not callable(func):
        return Verdict(name, "missing", f"✘ {name}: not defined yet. Run the cell that defines it, then this"
                       " check again.", count, hidden)
    if function.get("shape") == "script":
        outcomes = [_run_script(function, namespace, index) for index in range(count)]
    else:
        outcomes = [_run(function, func, index) for index in range(count)]
    failing = [o for o in outcomes if not o.passed]
    if not failing:
        confirmed = sum(o.by_properties for o in outcomes)
        how = (f"properties on {confirmed} of {count} cases: your random numbers differ from the course's"
               " seeding, and they have the properties any correct answer has") if confirmed else f"{count} cases"
        if any(o.by_gradient for o in outcomes):
            how += ("; your forward differs from the expected one and these gradients are right for your own"
                    " forward: check the forward's own result")
        return Verdict(name, "passed", f"✔ {name}: public checks passed ({how}) — the final grade also uses"
                       f" {hidden} hidden cases.", count, hidden)
    if all(o.not_implemented for o in failing):
        return Verdict(name, "not implemented", f"✘ {name}: not implemented yet (it raises NotImplementedError)."
                       " Replace `raise NotImplementedError()` with your code.", count, hidden)
    mistakes = _named_mistakes(function, [o for o in failing if not o.error])
    wrong = [o for o in failing if not o.unconfirmed]
    if not wrong and not mistakes:
        return Verdict(name, "unconfirmed", _unconfirmed_text(name, function, outcomes, failing), count, hidden)
    shown = min(failing, key=lambda o: (not o.error, _size(o.case["args"])))
    lines = [f"✘ {name}: wrong on {len(failing)} of {count} public cases."]
    for mistake in mistakes:
        lines.append(f"  Known mistake: {mistake['title']}. {mistake['explanation']}")
    if shown.differences and all(d.kind == "property" for d in shown.differences):
        lines.append("  Your random numbers differ from the course's seeding (allowed), so the self-check checked"
                     " the properties any correct answer has; one fails.")
        lines.append(f"  Smallest failing public case ({shown.case['label']}):")
        lines += ["    inputs:", *_show_named(shown.case["args"]), "    property violated:"]
        lines += [f"      {d.where}: {d.summary}" for d in shown.differences[:6]]
        return Verdict(name, "failed", "\n".join(lines), count, hidden, tuple(m["id"] for m in mistakes))
    lines.append(f"  Smallest failing public case ({shown.case['label']}):")
    lines += _show_case(function, shown)
    text = "\n".join(lines)
    return Verdict(name, "failed", text, count, hidden, tuple(m["id"] for m in mistakes))


def _unconfirmed_text(name: str, function: Mapping[str, Any], outcomes: list[Outcome],
                      failing: list[Outcome]) -> str:
    note = function.get("property_note") or "the properties any correct answer must have"
    return (f"~ {name}: {len(outcomes) - len(failing)} of {len(outcomes)} public cases match the course's"
            f" seeded numbers; on {len(failing)} your random numbers differ (shapes and types are right)."
            " That is allowed, but this self-check cannot confirm it: the final grade then checks"
            f" {note}. Drawing in the course's order (np.random.seed is set before each call) gives the"
            " exact numbers.")


def _show_script(case: Mapping[str, Any], first: int) -> list[str]:
    """The script as code, the first diverging step (0-based; -1: none) marked."""
    lines = ["    the script:"]
    for step, texts in enumerate(case.get("script") or []):
        for text in texts:
            lines.append(f"    {'→' if step == first and text == texts[-1] else ' '} {text}")
    return lines


def _first_step(outcome: Outcome) -> int:
    steps = [_step_of(d.where) for d in outcome.differences if _step_of(d.where) >= 0]
    return min(steps) if steps else -1


def _show_case(function: Mapping[str, Any], outcome: Outcome) -> list[str]:
    lines = ["    inputs:", *_show_named(outcome.case["args"])]
    first = _first_step(outcome)
    if outcome.case.get("steps"):
        lines += _show_script(outcome.case, first)
        if first >= 0:
            lines.append(f"    your run and the expected one first differ at step {first + 1}:"
                         f" `{_step_text(outcome.case, first)}`")
    if outcome.error:
        return [*lines, f"    your function: {outcome.error}"]
    differing = {d.where.split("[", 1)[0] for d in outcome.differences} & set(outcome.case["expected"])
    if first >= 0:  # a script: the outputs of the first diverging step only
        differing = {name for name in differing if _step_of(name) == first}
    differing = differing or set(outcome.case["expected"])  # a wrong form ("result"): show everything
    expected = {k: v for k, v in outcome.case["expected"].items() if k in differing}
    yours = {k: v for k, v in (outcome.got or {}).items() if k in differing}
    same = [k for k in outcome.case["expected"] if k not in differing and k in (outcome.got or {})
            and (first < 0 or _step_of(k) == first)]
    lines += ["    expected:", *_show_named(expected), "    yours:", *_show_named(yours)]
    if same:
        lines.append(f"    (right: {', '.join(same)})")
    lines.append("    what differs:")
    shown = [d for d in outcome.differences if first < 0 or _step_of(d.where) in (first, -1)]
    lines += [f"      {d.where}: {d.summary}" for d in shown[:6]]
    return lines


def _show_named(values: Mapping[str, Any]) -> list[str]:
    """``name = value`` lines; a dict of arrays gets a line per key."""
    lines = []
    for name, value in values.items():
        if isinstance(value, Mapping) and value and all(isinstance(v, np.ndarray) for v in value.values()):
            lines += [f'      {name}["{key}"] = {_show(item, " " * (len(name) + len(str(key)) + 13))}'
                      for key, item in value.items()]
        else:
            lines.append(f"      {name} = {_show(value, ' ' * (len(name) + 9))}")
    return lines


def _show(value: Any, indent: str = "        ") -> str:
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=6, threshold=60, edgeitems=3, max_line_width=100)
        return text.replace("\n", "\n" + indent)
    if isinstance(value, Mapping):
        inner = ", ".join(f"{k!r}: {_show(v, indent)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, list | tuple):
        inner = ", ".join(_show(v, indent) for v in value)
        return ("(" + inner + ("," if len(value) == 1 else "") + ")") if isinstance(value, tuple) else f"[{inner}]"
    return repr(value)


def _type(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    return type(value).__name__


def check(name: str) -> None:
    """Check your ``name`` on the public cases and print the verdict."""
    print(run_check(name, sys._getframe(1).f_globals).text)


def check_all() -> None:
    """Check every graded function of this notebook and print each verdict, then a summary."""
    namespace = sys._getframe(1).f_globals
    verdicts = [run_check(name, namespace) for name in load_data()["functions"]]
    for verdict in verdicts:
        print(verdict.text)
    passed = sum(v.passed for v in verdicts)
    print(f"\n{passed} of {len(verdicts)} functions pass their public checks — the final grade also uses"
          " hidden cases.")
