"""Plain-data helpers shared by the stages: deep copies, sizes, JSON-ready forms, display strings."""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

#: arrays with more elements than this are summarised, not listed, in JSON and reports
MAX_LISTED_ELEMENTS = 400
#: a value the student sent that is larger than this (estimated bytes) is kept as a Summary
#: once it has been judged (see :func:`bounded`)
MAX_KEPT_BYTES = 1 << 20


@dataclass(frozen=True)
class Summary:
    """Stands for a large value the student sent, kept only as what a report shows of it:
    its type, shape and dtype, statistics of its numbers and its first few elements."""

    type_name: str  #: "ndarray", "list", "tuple", "str", "dict"
    shape: tuple[int, ...]
    dtype: str
    stats: Mapping[str, float]  #: min, max, mean, std (numeric arrays and lists only)
    head: tuple[Any, ...]
    nbytes: int  #: estimated bytes of the original

    def __repr__(self) -> str:
        return f"<{self.type_name} of shape {self.shape}, {self.nbytes} bytes: not kept>"


#: estimated bytes a scalar, an array (besides its data) and a str or bytes (besides its
#: characters) hold, for :func:`retained_bytes`
_SCALAR_BYTES, _ARRAY_BYTES, _TEXT_BYTES = 32, 112, 50
_SCALAR_TYPES = frozenset({int, float, bool, complex, type(None), np.float64, np.float32, np.int64, np.int32,
                           np.bool_, np.complex128})


def retained_bytes(value: Any, limit: int | None = None) -> int:
    """An estimate of the memory ``value`` holds (arrays by their data, containers by their
    items), for budgets of what the grader keeps; with ``limit``, counting stops soon after the
    total passes it (the answer is then only known to be larger)."""
    kind = type(value)
    if kind in _SCALAR_TYPES:
        return _SCALAR_BYTES
    if kind is np.ndarray:
        return int(value.nbytes) + _ARRAY_BYTES
    if kind is str or kind is bytes:
        return _TEXT_BYTES + len(value)
    if kind is Summary:
        return 512
    if kind is list or kind is tuple:
        total = 56 + 8 * len(value)
        for item in value:
            total += _SCALAR_BYTES if type(item) in _SCALAR_TYPES else retained_bytes(item, limit)
            if limit is not None and total > limit:
                break
        return total
    if kind is dict or isinstance(value, Mapping):
        total = 64
        for key, item in value.items():  # str keys and array values (the usual) counted in place
            total += _TEXT_BYTES + len(key) if type(key) is str else retained_bytes(key, limit)
            total += int(item.nbytes) + _ARRAY_BYTES if type(item) is np.ndarray else retained_bytes(item, limit)
            if limit is not None and total > limit:
                break
        return total
    if isinstance(value, np.ndarray):
        return int(value.nbytes) + _ARRAY_BYTES
    if isinstance(value, list | tuple):
        return retained_bytes(list(value), limit)
    return _SCALAR_BYTES


def summarise(value: Any) -> Summary:
    """The Summary of an array, a list, a tuple, a str or a dict."""
    nbytes = retained_bytes(value)
    if isinstance(value, str):
        return Summary("str", (len(value),), "str", {}, (value[:60],), nbytes)
    if isinstance(value, Mapping):
        return Summary(type(value).__name__, (len(value),), "", {}, tuple(str(k)[:60] for k in list(value)[:8]),
                       nbytes)
    kind = "ndarray" if isinstance(value, np.ndarray) else type(value).__name__
    array = value if isinstance(value, np.ndarray) else None
    if array is None:
        try:
            array = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            return Summary(kind, (len(value),), "", {}, tuple(short_repr(v) for v in value[:8]), nbytes)
    stats: dict[str, float] = {}
    if array.dtype.kind in "biuf" and array.size:
        flat = array.ravel()
        stats = {"min": float(np.min(flat)), "max": float(np.max(flat)), "mean": float(np.mean(flat, dtype=np.float64)),
                 "std": float(np.std(flat, dtype=np.float64))}
    return Summary(kind, tuple(array.shape), str(array.dtype), stats, tuple(array.ravel()[:8].tolist()), nbytes)


def bounded(value: Any, max_bytes: int = MAX_KEPT_BYTES) -> Any:
    """``value`` within about ``max_bytes``: a part too large is replaced by its :class:`Summary`
    (a container over the limit is looked into first, each of its parts getting an equal share,
    so a dict of a small and a huge array keeps the small one); what the grader keeps of a
    student's value once it has been judged."""
    if retained_bytes(value, max_bytes) <= max_bytes:
        return value
    share = max(max_bytes // max(len(value), 1), 1024) if isinstance(value, Mapping | list | tuple) else 0
    if isinstance(value, Mapping):
        return {k: bounded(v, share) for k, v in value.items()} if len(value) <= 256 else summarise(value)
    if isinstance(value, list | tuple) and len(value) <= 256:
        parts = [bounded(v, share) for v in value]
        return parts if isinstance(value, list) else tuple(parts)
    if isinstance(value, np.ndarray | list | tuple | str):
        return summarise(value)
    return value


def numeric_leaves(value: Any) -> Iterator[Any]:
    """The arrays and numbers (booleans aside) inside nested mappings, lists and tuples."""
    if isinstance(value, Mapping):
        for item in value.values():
            yield from numeric_leaves(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from numeric_leaves(item)
    elif isinstance(value, np.ndarray) or isinstance(value, int | float | np.number) and not isinstance(value, bool):
        yield value


def deep_copy(value: Any) -> Any:
    """A copy that shares no mutable state with ``value`` (arrays included)."""
    return copy.deepcopy(value)


def size_of(value: Any) -> int:
    """Total number of scalar elements in a nested value (how "big" a case is)."""
    if isinstance(value, np.ndarray):
        return int(value.size)
    if isinstance(value, Mapping):
        return sum(size_of(v) for v in value.values())
    if isinstance(value, list | tuple):
        return sum(size_of(v) for v in value) + 1
    return 1


def identical(a: Any, b: Any, *, rtol: float = 0.0) -> bool:
    """Structural equality with arrays equal element by element (NaN equal to NaN); with
    ``rtol`` > 0, float arrays may differ by ``rtol * max(1, largest magnitude)`` (the rounding
    left by code that perturbs an argument in place and then restores it)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)) or a.shape != b.shape:
            return False
        if type(a) is type(b) is np.ndarray and a.dtype == b.dtype and a.dtype.kind in "biuf" \
                and a.tobytes() == b.tobytes():
            return True  # the same numbers bit for bit (NaN where NaN): what every check below accepts
        if a.dtype.kind in "biuf" and b.dtype.kind in "biuf" and bool(np.equal(a, b).all()):
            return True  # equal element by element: what both checks below accept (the usual answer)
        if rtol and a.dtype.kind == "f" and b.dtype.kind == "f" and a.size:
            scale = float(np.max(np.abs(a), initial=0.0, where=np.isfinite(a)))
            return bool(np.allclose(a, b, rtol=0.0, atol=rtol * max(scale, 1.0), equal_nan=True))
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        if a.keys() != b.keys():
            return False
        for key in a:
            if not identical(a[key], b[key], rtol=rtol):
                return False
        return True
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(identical(x, y, rtol=rtol) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - exotic __eq__ means "not identical"
        return False


def to_jsonable(value: Any) -> Any:
    """JSON-ready form: arrays become nested lists (or a summary when large), with shapes kept.

    Small arrays: ``{"shape": [2, 3], "dtype": "float64", "data": [[...], [...]]}``;
    large ones: the same keys but ``"summary"`` (min, max, mean, std) and ``"head"`` instead of
    ``"data"``. Non-finite floats become the strings ``"nan"``, ``"inf"``, ``"-inf"``.
    """
    kind = type(value)
    if kind is float or kind is int or kind is str or kind is bool or value is None:  # the commonest, first
        return _finite(value)
    if kind is list and _finite_floats(value):  # a series of numbers (figures)
        return list(value)
    if isinstance(value, np.ndarray):
        out: dict[str, Any] = {"shape": list(value.shape), "dtype": str(value.dtype)}
        if value.dtype.kind not in "biuf":
            out["data"] = repr(value)[:200]
        elif value.size <= MAX_LISTED_ELEMENTS:
            out["data"] = _finite(value.tolist())
        else:
            flat = value.astype(np.float64).ravel()
            out["summary"] = _finite(
                {"min": float(np.min(flat)), "max": float(np.max(flat)),
                 "mean": float(np.mean(flat)), "std": float(np.std(flat))}
            )
            out["head"] = _finite(flat[:8].tolist())
        return out
    if isinstance(value, np.generic):
        return _finite(value.item())
    if isinstance(value, Summary):
        out = {"shape": list(value.shape), "dtype": value.dtype or value.type_name, "head": _finite(list(value.head))}
        if value.stats:
            out["summary"] = _finite(dict(value.stats))
        return out
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return _finite(value)


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    if isinstance(value, list):
        return list(value) if _finite_floats(value) else [_finite(v) for v in value]
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, str | int | bool) or value is None:
        return value
    return repr(value)[:200]


def _finite_floats(items: list) -> bool:
    """Every item is a finite ``float`` (exactly that type): the list is its own JSON-ready form."""
    return set(map(type, items)) == {float} and all(map(math.isfinite, items))


def short_repr(value: Any, limit: int = 60) -> str:
    """A one-line display string for a scalar or small value."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        text = f"{value:.8g}"
    elif isinstance(value, np.ndarray):
        text = np.array2string(value, precision=6, threshold=20, max_line_width=10_000)
        text = " ".join(text.split())
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def type_name(value: Any) -> str:
    """A readable type name: ``ndarray float64 (3, 2)``, ``dict``, ``float``."""
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape}"
    return type(value).__name__


def fingerprint(value: Any) -> str:
    """A content hash of a nested value (arrays by dtype, shape and bytes)."""
    import hashlib

    digest = hashlib.sha1()

    def feed(v: Any) -> None:
        if isinstance(v, np.ndarray):
            digest.update(f"a{v.dtype.str}{v.shape}".encode())
            digest.update(np.ascontiguousarray(v).tobytes())
        elif isinstance(v, Mapping):
            digest.update(b"{")
            for k in v:
                digest.update(repr(k).encode())
                feed(v[k])
            digest.update(b"}")
        elif isinstance(v, list | tuple):
            digest.update(b"[" if isinstance(v, list) else b"(")
            for item in v:
                feed(item)
            digest.update(b"]")
        else:
            digest.update(repr(v).encode())

    feed(value)
    return digest.hexdigest()
