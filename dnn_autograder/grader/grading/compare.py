"""Compare a student's output with the expected one, part by part, the way ``pytest.approx`` does.

Type and shape first, then values within ``atol + rtol * |expected|``; NaN never equals a number.
Every difference is a :class:`~dnn_autograder.grader.model.Mismatch` labelled by where it is
(``parameters["W2"]``, ``cache[3]``), with "k of n elements differ" and a small table.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from dnn_autograder.grader.model import Mismatch
from dnn_autograder.grader.values import short_repr, type_name

MAX_ROWS = 6


def compare(
    expected: Any, got: Any, *, rtol: float, atol: float, where: str = "", exact_keys: bool = False
) -> tuple[Mismatch, ...]:
    """All mismatches between ``got`` and ``expected`` (empty when they agree).

    Dicts are compared on the expected keys (extra keys are allowed, unless ``exact_keys``: then
    an extra key is a mismatch too, as when matching a student against a mutant); lists and
    tuples must have the expected length (a list is accepted for a tuple and vice versa); arrays
    must have the expected shape (a size-1 array or a scalar is accepted for a scalar).
    """
    if isinstance(expected, Mapping):
        return _compare_mapping(expected, got, rtol=rtol, atol=atol, where=where, exact_keys=exact_keys)
    if isinstance(expected, list | tuple):
        return _compare_sequence(expected, got, rtol=rtol, atol=atol, where=where, exact_keys=exact_keys)
    if expected is None:
        if got is None:
            return ()
        return (Mismatch(where or "result", "type", f"expected None, got {type_name(got)}"),)
    if isinstance(expected, str):
        if got == expected:
            return ()
        return (Mismatch(where or "result", "value", f"expected {expected!r}, got {short_repr(got)}"),)
    return _compare_numeric(expected, got, rtol=rtol, atol=atol, where=where or "result")


def _compare_mapping(
    expected: Mapping, got: Any, *, rtol: float, atol: float, where: str, exact_keys: bool
) -> tuple[Mismatch, ...]:
    if not isinstance(got, Mapping):
        return (Mismatch(where or "result", "type", f"expected a dict, got {type_name(got)}"),)
    out: list[Mismatch] = []
    for key, value in expected.items():
        label = f'{where}["{key}"]' if where else f'["{key}"]'
        if key not in got:
            out.append(Mismatch(label, "missing", f"key {key!r} is missing"))
            continue
        out.extend(compare(value, got[key], rtol=rtol, atol=atol, where=label, exact_keys=exact_keys))
    if exact_keys:
        extra = [key for key in got if key not in expected]
        if extra:
            out.append(Mismatch(where or "result", "extra", f"unexpected keys {extra!r}"))
    return tuple(out)


def _compare_sequence(
    expected: list | tuple, got: Any, *, rtol: float, atol: float, where: str, exact_keys: bool
) -> tuple[Mismatch, ...]:
    label = where or "result"
    if not isinstance(got, list | tuple):
        kind = "a tuple" if isinstance(expected, tuple) else "a list"
        return (Mismatch(label, "type", f"expected {kind} of {len(expected)}, got {type_name(got)}"),)
    if len(got) != len(expected):
        return (Mismatch(label, "shape", f"expected {len(expected)} items, got {len(got)}"),)
    out: list[Mismatch] = []
    for index, (e, g) in enumerate(zip(expected, got, strict=True)):
        out.extend(compare(e, g, rtol=rtol, atol=atol, where=f"{where}[{index}]", exact_keys=exact_keys))
    return tuple(out)


def _as_array(value: Any) -> np.ndarray | None:
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, bool | numbers.Number | np.generic):
        return np.asarray(value)
    return None


def _compare_numeric(expected: Any, got: Any, *, rtol: float, atol: float, where: str) -> tuple[Mismatch, ...]:
    exp = _as_array(expected)
    val = _as_array(got)
    if exp is None:
        return (Mismatch(where, "type", f"cannot compare with {type_name(expected)}"),)
    if val is None or val.dtype.kind not in "biuf":
        return (Mismatch(where, "type", f"expected {_kind(exp)}, got {type_name(got)}"),)
    if exp.ndim == 0:
        if val.size != 1:
            return (Mismatch(where, "shape", f"expected a number, got an array of shape {val.shape}"),)
        val = val.reshape(())
    elif val.shape != exp.shape:
        return (Mismatch(where, "shape", f"expected shape {exp.shape}, got shape {val.shape}"),)
    e = exp.astype(np.float64)
    g = val.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        both_nan = np.isnan(e) & np.isnan(g)
        close = np.isclose(g, e, rtol=rtol, atol=atol, equal_nan=False) | both_nan
    if bool(np.all(close)):
        return ()
    return (_value_mismatch(where, e, g, close),)


def _kind(array: np.ndarray) -> str:
    return "a number" if array.ndim == 0 else f"an array of shape {array.shape}"


def _value_mismatch(where: str, e: np.ndarray, g: np.ndarray, close: np.ndarray) -> Mismatch:
    bad = ~close
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        abs_diff = np.abs(g - e)
        rel_diff = abs_diff / np.abs(e)
    finite_abs = abs_diff[bad & np.isfinite(abs_diff)]
    finite_rel = rel_diff[bad & np.isfinite(rel_diff)]
    if e.ndim == 0:
        summary = f"expected {short_repr(float(e))}, got {short_repr(float(g))}"
    else:
        summary = f"{int(bad.sum())} of {e.size} elements differ"
    if finite_abs.size:
        summary += f"; max abs diff {float(finite_abs.max()):.3g}"
    if finite_rel.size:
        summary += f", max rel diff {float(finite_rel.max()):.3g}"
    if np.isnan(g[bad]).any():
        summary += "; yours has NaN where a number is expected"
    rows = tuple(
        (_index(idx, e.ndim), short_repr(float(g[idx]), 24), short_repr(float(e[idx]), 24))
        for idx in list(zip(*np.nonzero(bad), strict=True))[:MAX_ROWS]
    ) if e.ndim else ()
    return Mismatch(where, "value", summary, rows)


def _index(idx: tuple, ndim: int) -> str:
    return "[" + ", ".join(str(int(i)) for i in idx) + "]" if ndim else ""
