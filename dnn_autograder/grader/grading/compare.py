"""Compare a student's output with the expected one, part by part, the way ``pytest.approx`` does.

Type and shape first, then values within ``atol + rtol * |expected|``; NaN never equals a number.
Every difference is a :class:`~dnn_autograder.grader.model.Mismatch` labelled by where it is
(``parameters["W2"]``, ``cache[3]``), with "k of n elements differ" and a small table.
Values that agree (the usual answer) are recognised in one pass over all their numbers
(:func:`agrees`); only values that may differ go through the part-by-part comparison.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
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
    if agrees(expected, got, rtol=rtol, atol=atol, exact_keys=exact_keys):
        return ()
    return _compare(expected, got, rtol=rtol, atol=atol, where=where, exact_keys=exact_keys)


def _compare(
    expected: Any, got: Any, *, rtol: float, atol: float, where: str = "", exact_keys: bool = False
) -> tuple[Mismatch, ...]:
    """:func:`compare` part by part, every mismatch with its label and message."""
    if isinstance(expected, Mapping):
        return _compare_mapping(expected, got, rtol=rtol, atol=atol, where=where, exact_keys=exact_keys)
    if isinstance(expected, list | tuple):
        return _compare_sequence(expected, got, rtol=rtol, atol=atol, where=where, exact_keys=exact_keys)
    if expected is None:
        if got is None:
            return ()
        return (Mismatch(where or "result", "type", f"expected None, got {type_name(got)}"),)
    if isinstance(expected, str):
        if isinstance(got, str) and got == expected:  # an array == a str has no single truth value
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
        out.extend(_compare(value, got[key], rtol=rtol, atol=atol, where=label, exact_keys=exact_keys))
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
        out.extend(_compare(e, g, rtol=rtol, atol=atol, where=f"{where}[{index}]", exact_keys=exact_keys))
    return tuple(out)


def agrees(expected: Any, got: Any, *, rtol: float, atol: float, exact_keys: bool) -> bool:
    """True when :func:`compare` finds nothing, decided in one pass: the structure is walked by
    the same rules as :func:`_compare` (any part that would be a mismatch, or that is not plain,
    answers False) and the numbers of all parts are checked together by :func:`_all_close`.
    False only means "not decided here": the full comparison then runs."""
    expected_parts: list[np.ndarray] = []
    got_parts: list[np.ndarray] = []
    if not _same_structure(expected, got, exact_keys, expected_parts, got_parts, 0):
        return False
    if not expected_parts:
        return True
    if len(expected_parts) == 1:
        return _all_close(expected_parts[0], got_parts[0], rtol, atol)
    exp = np.concatenate([part.reshape(-1) for part in expected_parts], dtype=np.float64)
    val = np.concatenate([part.reshape(-1) for part in got_parts], dtype=np.float64)
    return _all_close(exp, val, rtol, atol)


#: containers nested deeper than this are left to the full comparison
_MAX_QUICK_DEPTH = 64


def _same_structure(expected: Any, got: Any, exact_keys: bool, expected_parts: list[np.ndarray],
                    got_parts: list[np.ndarray], depth: int) -> bool:
    """True when ``got`` has ``expected``'s structure by :func:`_compare`'s rules (dict keys,
    sequence lengths, None, equal strings, numeric types and shapes); the numeric parts are
    appended, as arrays of one shape, to ``expected_parts`` and ``got_parts``."""
    if depth > _MAX_QUICK_DEPTH:
        return False
    kind = type(expected)
    if kind is np.ndarray and type(got) is np.ndarray and expected.ndim:  # the commonest part, first
        if expected.dtype.kind not in "biuf" or got.dtype.kind not in "biuf" or got.shape != expected.shape:
            return False
        expected_parts.append(expected)
        got_parts.append(got)
        return True
    if kind is dict or isinstance(expected, Mapping):
        if not isinstance(got, Mapping):
            return False
        for key in expected:
            if key not in got:
                return False
        if exact_keys and any(key not in expected for key in got):
            return False
        for key, value in expected.items():
            if not _same_structure(value, got[key], exact_keys, expected_parts, got_parts, depth + 1):
                return False
        return True
    if isinstance(expected, list | tuple):
        if not isinstance(got, list | tuple) or len(got) != len(expected):
            return False
        for e, g in zip(expected, got, strict=True):
            if not _same_structure(e, g, exact_keys, expected_parts, got_parts, depth + 1):
                return False
        return True
    if expected is None:
        return got is None
    if isinstance(expected, str):
        return isinstance(got, str) and got == expected
    exp = _as_array(expected)
    val = _as_array(got)
    if exp is None or val is None or exp.dtype.kind not in "biuf" or val.dtype.kind not in "biuf":
        return False
    if exp.ndim == 0:
        if val.size != 1:
            return False
        val = val.reshape(())
    elif val.shape != exp.shape:
        return False
    expected_parts.append(exp)
    got_parts.append(val)
    return True


class Agreement:
    """``expected`` prepared once for :func:`agrees` against many values (the reference's outputs
    of a case, judged for every student): ``Agreement(expected).agrees(got, ...)`` is
    ``agrees(expected, got, ...)``, with the expected side's walk, its numbers gathered into one
    float64 vector, and their tolerances done once. ``expected`` must not change afterwards.
    """

    def __init__(self, expected: Any, *, exact_keys: bool = False) -> None:
        parts: list[np.ndarray] = []
        self._plan = _plan(expected, exact_keys, parts, 0)
        self._count = len(parts)
        numbers = np.concatenate([part.reshape(-1) for part in parts], dtype=np.float64) if parts \
            else np.zeros(0)
        #: a non-finite expected number never agrees (see :func:`_all_close`)
        self._finite = bool(np.isfinite(numbers).all())
        self._expected = numbers
        #: each part's dtype and bytes: a student's part with the same is the same numbers
        self._exact = [(part.dtype, part.tobytes()) for part in parts]
        self._tolerances: dict[tuple[float, float], tuple[np.ndarray, bool]] = {}

    def agrees(self, got: Any, *, rtol: float, atol: float) -> bool:
        """:func:`agrees` ``(expected, got, rtol=rtol, atol=atol, exact_keys=...)``."""
        parts: list[np.ndarray] = []
        if not _collect(self._plan, got, parts):
            return False
        if not parts:
            return True
        if not self._finite:
            return False
        known = self._tolerances.get((rtol, atol))
        if known is None:
            tolerance = atol + rtol * np.abs(self._expected)
            known = self._tolerances[(rtol, atol)] = (tolerance, bool((tolerance >= 0).all()))
        tolerance, never_negative = known
        if never_negative:  # the same numbers bit for bit differ by 0, within any such tolerance
            for part, (dtype, data) in zip(parts, self._exact, strict=True):
                if part.dtype != dtype or part.tobytes() != data:
                    break
            else:
                return True
        values = np.concatenate([part.reshape(-1) for part in parts], dtype=np.float64) if len(parts) > 1 \
            else np.asarray(parts[0], dtype=np.float64).reshape(-1)
        with np.errstate(invalid="ignore", over="ignore"):
            return bool(np.less_equal(np.abs(values - self._expected), tolerance).all())


# the kinds of node of an Agreement's plan: what ``got`` must be at that place
_NEVER, _ARRAY, _NUMBER, _MAPPING, _SEQUENCE, _NONE, _TEXT = range(7)


def _plan(expected: Any, exact_keys: bool, parts: list[np.ndarray], depth: int) -> tuple:
    """The plan of :func:`_same_structure` for this ``expected`` (its numeric parts appended to
    ``parts`` in the order :func:`_collect` finds the student's)."""
    if depth > _MAX_QUICK_DEPTH:
        return (_NEVER,)
    if isinstance(expected, Mapping):
        items = list(expected.items())
        return (_MAPPING, tuple(key for key, _ in items),
                tuple(_plan(value, exact_keys, parts, depth + 1) for _, value in items), exact_keys, expected)
    if isinstance(expected, list | tuple):
        return (_SEQUENCE, len(expected), tuple(_plan(item, exact_keys, parts, depth + 1) for item in expected))
    if expected is None:
        return (_NONE,)
    if isinstance(expected, str):
        return (_TEXT, expected)
    exp = _as_array(expected)
    if exp is None or exp.dtype.kind not in "biuf":
        return (_NEVER,)
    parts.append(exp)
    return (_NUMBER,) if exp.ndim == 0 else (_ARRAY, exp.shape)


def _collect(plan: tuple, got: Any, parts: list[np.ndarray]) -> bool:
    """:func:`_same_structure` of the plan's ``expected`` and ``got``: the student's numeric
    parts are appended to ``parts``."""
    kind = plan[0]
    if kind == _ARRAY:  # an array of at least one dimension: only an array of its shape
        if not isinstance(got, np.ndarray) or got.dtype.kind not in "biuf" or got.shape != plan[1]:
            return False
        parts.append(got)
        return True
    if kind == _MAPPING:
        keys = plan[1]
        if type(got) is dict:  # the usual: a missing key is a KeyError, as ``in`` would say
            try:
                values = [got[key] for key in keys]
            except KeyError:
                return False
        elif isinstance(got, Mapping):
            for key in keys:
                if key not in got:
                    return False
            values = [got[key] for key in keys]
        else:
            return False
        if plan[3] and any(key not in plan[4] for key in got):
            return False
        return _collect_items(plan[2], values, parts)
    if kind == _SEQUENCE:
        if not isinstance(got, list | tuple) or len(got) != plan[1]:
            return False
        return _collect_items(plan[2], got, parts)
    if kind == _NUMBER:
        val = _as_array(got)
        if val is None or val.dtype.kind not in "biuf" or val.size != 1:
            return False
        parts.append(val.reshape(()))
        return True
    if kind == _NONE:
        return got is None
    if kind == _TEXT:
        return isinstance(got, str) and got == plan[1]
    return False



def _collect_items(plans: Sequence[Any], values: Sequence[Any], parts: list[Any]) -> bool:
    """:func:`_collect` for the items of a mapping or a sequence, in the plan's order."""
    for inner, value in zip(plans, values, strict=True):
        if inner[0] == _ARRAY and type(value) is np.ndarray:  # the commonest part, inline
            if value.dtype.kind not in "biuf" or value.shape != inner[1]:
                return False
            parts.append(value)
        elif not _collect(inner, value, parts):
            return False
    return True

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
    if exp.dtype.kind in "biuf" and _all_close(exp, val, rtol, atol):
        return ()  # the usual part of a value that differs elsewhere
    e = exp.astype(np.float64)
    g = val.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        close = _isclose(g, e, rtol, atol)
        close |= np.isnan(e) & np.isnan(g)
    if close.all():
        return ()
    return (_value_mismatch(where, e, g, close[()]),)


def _isclose(g: np.ndarray, e: np.ndarray, rtol: float, atol: float) -> np.ndarray:
    """``np.isclose(g, e, rtol=rtol, atol=atol)`` of two float64 arrays of one shape (a NumPy bool
    for 0-d arrays, as NumPy gives): ``|g - e| <= atol + rtol * |e|`` where ``e`` is finite, or ``g == e``,
    the same ufuncs in the same order as NumPy's, without its argument handling (finite
    tolerances; others go to NumPy, for its warning). Call within ``np.errstate(invalid="ignore")``."""
    if not (math.isfinite(rtol) and math.isfinite(atol)):
        return np.isclose(g, e, rtol=rtol, atol=atol, equal_nan=False)
    close = np.less_equal(np.abs(g - e), atol + rtol * np.abs(e))
    close &= np.isfinite(e)
    close |= g == e
    return close


def _all_close(exp: np.ndarray, val: np.ndarray, rtol: float, atol: float) -> bool:
    """True when every element of ``val`` is within ``atol + rtol * |exp|`` of a finite ``exp``
    (arrays of one shape): the common verdict, decided with a few plain ufuncs. It is the first
    clause of ``np.isclose(val, exp)``, computed the same way in float64, so True here means the
    full comparison finds nothing; False (a difference, a NaN or an infinity anywhere) leaves the
    verdict and its message to the full comparison."""
    e = np.asarray(exp, dtype=np.float64)
    g = np.asarray(val, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        close = np.less_equal(np.abs(g - e), atol + rtol * np.abs(e))
        close &= np.isfinite(e)
    return bool(close.all())


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
