"""Plain-dict views of counterexample values for the templates.

A nested value (dicts of arrays, tuples such as a cache, scalars) is flattened to *leaves*
labelled by their path (``parameters["W1"]``, ``cache[2]``). A small array becomes a grid of
cells; the student's and the expected value are paired leaf by leaf, and differing cells are
flagged. A large numeric array whose shape matches keeps ``|yours - expected|`` for a heatmap.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from dnn_autograder.grader.outputs.render.text import clean

#: arrays with at most this many elements are shown cell by cell
SMALL_ARRAY = 60
#: leaves shown per value (inputs, or expected/yours pairs)
MAX_LEAVES = 24
RTOL, ATOL = 1e-6, 1e-9
#: marks a value that one side does not have
MISSING: Any = object()


def leaves(value: Any, path: str, out: list[tuple[str, Any]] | None = None,
           depth: int = 0, cap: int = MAX_LEAVES + 1) -> list[tuple[str, Any]]:
    """``[(path, leaf)]`` of a nested value, depth-first, at most ``cap``."""
    out = [] if out is None else out
    if len(out) >= cap:
        return out
    if isinstance(value, Mapping) and depth < 4:
        for key, item in value.items():
            leaves(item, f"{path}[{_key(key)}]", out, depth + 1, cap)
    elif isinstance(value, list | tuple) and depth < 4 and _as_array(value) is None:
        for index, item in enumerate(value):
            leaves(item, f"{path}[{index}]", out, depth + 1, cap)
    else:
        out.append((path, value))
    return out


def input_views(inputs: Mapping[str, Any]) -> tuple[list[dict[str, Any]], int]:
    """Views of the case's inputs and how many leaves were left out."""
    found: list[tuple[str, Any]] = []
    for name, value in inputs.items():
        leaves(value, str(name), found, cap=1000)
    # scalars first and always (t, learning_rate, epsilon are short and often the point), then
    # as many arrays as fit
    scalars = [(p, v) for p, v in found if _as_array(v) is None or np.ndim(v) == 0]
    arrays = [(p, v) for p, v in found if not (_as_array(v) is None or np.ndim(v) == 0)]
    shown = scalars[:MAX_LEAVES] + arrays[:max(0, MAX_LEAVES - len(scalars))]
    views = [{"where": clean(p), "view": view(v, clean(p))} for p, v in shown]
    return views, len(found) - len(shown)


def view(value: Any, where: str, role: str = "",
         differs: np.ndarray | None = None) -> dict[str, Any]:
    """One leaf: ``{"kind": "grid"|"text", ...}``; ``differs`` flags cells of a grid; ``role``
    says whose value it is ("expected", "yours") in a grid's caption."""
    array = _as_array(value)
    if array is not None and array.ndim >= 1 and 0 < array.size <= SMALL_ARRAY:
        return _grid(array, where, role, differs)
    if array is not None and array.ndim >= 1:
        return {"kind": "text", "text": _summary(array)}
    return {"kind": "text", "text": _scalar(value)}


def pair_views(expected: Any, got: Any, path: str) -> list[dict[str, Any]]:
    """Leaf-by-leaf comparison of the expected and the student's value at ``path``."""
    exp = {} if expected is MISSING else dict(leaves(expected, path))
    yours = {} if got is MISSING else dict(leaves(got, path))
    order = list(exp) + [p for p in yours if p not in exp]
    return [_pair(p, exp.get(p, MISSING), yours.get(p, MISSING)) for p in order[:MAX_LEAVES]]




def _pair(path: str, expected: Any, got: Any) -> dict[str, Any]:
    where = clean(path)
    base: dict[str, Any] = {"where": where, "heat": None, "note": ""}
    if expected is MISSING or got is MISSING:
        note = "you returned no value here" if got is MISSING else "not expected in the result"
        present = expected if got is MISSING else got
        side = view(present, where, "expected" if got is MISSING else "yours")
        return {**base, "state": "missing", "note": note,
                "expected": side if got is MISSING else None,
                "yours": side if expected is MISSING else None}
    a, b = _as_array(expected), _as_array(got)
    if a is not None and b is not None and a.shape == b.shape and a.ndim >= 1:
        differs = _differs(a, b)
        state = "differs" if differs.any() else "matches"
        heat = None
        if a.size > SMALL_ARRAY and differs.any():
            with np.errstate(all="ignore"):
                heat = np.abs(b.astype(float) - a.astype(float))
        note = f"{int(differs.sum())} of {a.size} elements differ" if differs.any() else ""
        return {**base, "state": state, "heat": heat, "note": note,
                "expected": view(a, where, "expected", differs),
                "yours": view(b, where, "yours", differs)}
    same = _same_scalar(expected, got) if a is None and b is None else False
    note = ""
    if a is not None and b is not None:
        note = f"shapes differ: expected {a.shape}, yours {b.shape}"
    elif (a is None) != (b is None) or (not same and not _both_numbers(expected, got)
                                        and type(expected) is not type(got)):
        note = f"types differ: expected {_type(expected)}, yours {_type(got)}"
    return {**base, "state": "matches" if same else "differs", "note": note,
            "expected": view(expected, where, "expected"), "yours": view(got, where, "yours")}


def _grid(array: np.ndarray, where: str, role: str, differs: np.ndarray | None) -> dict[str, Any]:
    flat = array.reshape(1, -1) if array.ndim == 1 else array.reshape(-1, array.shape[-1])
    marks = None if differs is None else differs.reshape(flat.shape)
    lead = [idx for idx in np.ndindex(*array.shape[:-1])] if array.ndim > 1 else [()]
    rows = []
    for r, index in enumerate(lead):
        cells = [{"text": _number(flat[r, c]), "diff": bool(marks is not None and marks[r, c])}
                 for c in range(flat.shape[1])]
        rows.append({"header": ", ".join(str(i) for i in index) if index else "0", "cells": cells})
    return {"kind": "grid", "where": where, "role": role, "shape": str(tuple(array.shape)),
            "columns": [str(c) for c in range(flat.shape[1])], "rows": rows,
            "any_diff": bool(marks is not None and marks.any())}


def _differs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.dtype.kind not in "biuf" or b.dtype.kind not in "biuf":
        return np.asarray(a != b).reshape(a.shape)
    x, y = a.astype(float), b.astype(float)
    with np.errstate(all="ignore"):
        close = np.isclose(y, x, rtol=RTOL, atol=ATOL, equal_nan=True)
    return ~close


def _same_scalar(a: Any, b: Any) -> bool:
    try:
        if isinstance(a, int | float | np.number) and isinstance(b, int | float | np.number):
            return bool(np.isclose(float(b), float(a), rtol=RTOL, atol=ATOL, equal_nan=True))
        return bool(a == b)
    except Exception:  # noqa: BLE001 - odd __eq__: treat as different
        return False


def _both_numbers(a: Any, b: Any) -> bool:
    numbers = int | float | np.number
    return isinstance(a, numbers) and isinstance(b, numbers)


def _as_array(value: Any) -> np.ndarray | None:
    """A numeric array for arrays and (nested) lists of numbers; None otherwise."""
    if isinstance(value, np.ndarray):
        return value if value.dtype.kind in "biufcUS" else None
    if isinstance(value, list | tuple) and value and all(
        isinstance(v, int | float | np.number | list | tuple) for v in value
    ):
        try:
            array = np.asarray(value)
        except (ValueError, TypeError):
            return None
        return array if array.dtype.kind in "biuf" else None
    return None


def _number(value: Any) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return f"{value:.6g}"
    return clean(repr(value), limit=40)


def _scalar(value: Any) -> str:
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return _number(value[()])
        return f"array of shape {value.shape}, dtype {value.dtype}"
    if isinstance(value, int | float | np.generic) and not isinstance(value, bool):
        return _number(value)
    return clean(repr(value), limit=300)


def _summary(array: np.ndarray) -> str:
    head = f"array of shape {tuple(array.shape)}"
    if array.dtype.kind not in "biuf":
        return f"{head}, dtype {array.dtype}"
    flat = array.astype(float).ravel()
    with np.errstate(all="ignore"):
        finite = flat[np.isfinite(flat)]
    stats = (f"min {finite.min():.4g}, max {finite.max():.4g}, mean {finite.mean():.4g}"
             if finite.size else "no finite values")
    first = ", ".join(_number(v) for v in flat[:6])
    return f"{head}: {stats}; first values {first}, \u2026"


def _key(key: Any) -> str:
    return f'"{key}"' if isinstance(key, str) else repr(key)


def _type(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape}"
    return type(value).__name__
