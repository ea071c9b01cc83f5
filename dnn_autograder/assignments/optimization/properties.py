r"""Defining properties of ``random_mini_batches``, for answers that shuffle differently.

A student whose mini-batches differ from the reference's under the course's seeding (other
calls to the generator, ``np.random.shuffle``, ``default_rng``, no seeding) is still right when
the output is a correct *random* partition: :func:`check_mini_batches` states what that means.

Statistical bound: the only property a correct function can fail by chance is "the columns were
shuffled", which fails when the drawn permutation is the identity. It is only tested when
``m >= MIN_SHUFFLED_COLUMNS = 12`` and every column of ``X`` is distinct, so a correct, uniformly
shuffling function fails it with probability :math:`1/m! \le 1/12! \approx 2.1 \times 10^{-9}`
per case, below :math:`10^{-6}` per grade for up to ~480 cases. Every other property holds for
every correct function, whatever its random draws.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["MIN_SHUFFLED_COLUMNS", "BatchLayout", "expected_sizes", "read_batches",
           "check_mini_batches"]

#: Fewest examples for which "not shuffled" is reported (see the module docstring).
MIN_SHUFFLED_COLUMNS = 12
#: Default ``mini_batch_size`` of the graded signature.
DEFAULT_MINI_BATCH_SIZE = 64


@dataclass(frozen=True)
class BatchLayout:
    """What a list of mini-batches holds, relative to the inputs ``X`` and ``Y``.

    Attributes:
        problems: the output's form is wrong (not a list of pairs, wrong rows, X and Y batches
            of different widths); when nonempty the other fields are left empty/False.
        sizes: the number of columns of each mini-batch, in order.
        x_exact, y_exact: the batches' X (Y) columns are exactly the columns of X (Y), each
            as often as in the input.
        x_subset: every X column of the batches is a column of X, none used more often than X
            holds it.
        pairs_exact: the (X column, Y column) pairs are exactly the input's pairs.
        order: for each column of the batches, in order, the index of the column of X it is
            (only when X's columns are all distinct and ``x_subset``), else None.
    """

    problems: tuple[str, ...] = ()
    sizes: tuple[int, ...] = ()
    x_exact: bool = False
    y_exact: bool = False
    x_subset: bool = False
    pairs_exact: bool = False
    order: tuple[int, ...] | None = None


def expected_sizes(m: int, size: int) -> tuple[int, ...]:
    """``floor(m / size)`` batches of ``size``, then ``m % size`` if that is nonzero."""
    return (size,) * (m // size) + ((m % size,) if m % size else ())


def _columns(array: np.ndarray) -> list[tuple[float, ...]]:
    return [tuple(column) for column in np.asarray(array, dtype=float).T.tolist()]


def _as_matrix(value: Any, rows: int, what: str, k: int) -> tuple[np.ndarray | None, str]:
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None, f"mini-batch {k}: {what} is not a numeric array"
    if array.ndim != 2 or array.shape[0] != rows:
        return None, (f"mini-batch {k}: {what} has shape {array.shape}, expected {rows} rows "
                      f"(one column per example)")
    return array, ""


def read_batches(inputs: Mapping[str, Any], output: Mapping[str, Any]) -> BatchLayout:
    """Read the student's ``{"mini_batches": [...]}`` against the case's ``X`` and ``Y``."""
    X, Y = np.asarray(inputs["X"]), np.asarray(inputs["Y"])
    batches = output.get("mini_batches")
    if not isinstance(batches, list | tuple):
        kind = type(batches).__name__
        return BatchLayout(problems=(f"mini_batches must be a list of (mini_batch_X, "
                                     f"mini_batch_Y) pairs, got {kind}",))
    xs, ys, problems = [], [], []
    for k, batch in enumerate(batches):
        if not isinstance(batch, list | tuple) or len(batch) != 2:
            problems.append(f"mini-batch {k} is not a pair (mini_batch_X, mini_batch_Y)")
            continue
        bx, px = _as_matrix(batch[0], X.shape[0], "mini_batch_X", k)
        by, py = _as_matrix(batch[1], Y.shape[0], "mini_batch_Y", k)
        problems.extend(p for p in (px, py) if p)
        if bx is not None and by is not None:
            if bx.shape[1] != by.shape[1]:
                problems.append(f"mini-batch {k}: mini_batch_X has {bx.shape[1]} columns but "
                                f"mini_batch_Y has {by.shape[1]}")
            xs.append(bx)
            ys.append(by)
    if problems:
        return BatchLayout(problems=tuple(problems))
    out_x = [c for b in xs for c in _columns(b)]
    out_y = [c for b in ys for c in _columns(b)]
    in_x, in_y = _columns(X), _columns(Y)
    available = Counter(in_x)
    x_subset = not (Counter(out_x) - available)
    order = None
    if x_subset and len(available) == len(in_x):
        index = {column: j for j, column in enumerate(in_x)}
        order = tuple(index[c] for c in out_x)
    return BatchLayout(
        sizes=tuple(b.shape[1] for b in xs),
        x_exact=Counter(out_x) == available,
        y_exact=Counter(out_y) == Counter(in_y),
        x_subset=x_subset,
        pairs_exact=Counter(zip(out_x, out_y, strict=True))
        == Counter(zip(in_x, in_y, strict=True)),
        order=order,
    )


def _describe(sizes: tuple[int, ...]) -> str:
    if not sizes:
        return "no mini-batches"
    parts, start = [], 0
    while start < len(sizes):
        end = start
        while end < len(sizes) and sizes[end] == sizes[start]:
            end += 1
        count = end - start
        parts.append(f"{count} of {sizes[start]}")
        start = end
    return f"{len(sizes)} mini-batch{'es' if len(sizes) != 1 else ''} ({', then '.join(parts)})"


def check_mini_batches(inputs: Mapping[str, Any], output: Mapping[str, Any]) -> tuple[str, ...]:
    """The defining properties of ``random_mini_batches`` that ``output`` violates.

    1. a list (or tuple) of ``(mini_batch_X, mini_batch_Y)`` pairs with ``X``'s and ``Y``'s
       numbers of rows, the two of each pair equally wide;
    2. sizes: ``floor(m / size)`` batches of ``mini_batch_size``, then one of ``m % size``
       columns if that is nonzero (and no empty batch);
    3. the batches hold every column of ``X`` exactly once, and of ``Y``;
    4. each column of ``Y`` stays with its column of ``X``;
    5. the columns were shuffled: not in their original order (tested when ``m >= 12`` and the
       columns of ``X`` are distinct; see the module docstring for the bound).

    Values are compared exactly, as floats, so int and float dtypes both pass.
    """
    layout = read_batches(inputs, output)
    if layout.problems:
        return layout.problems
    m = int(np.shape(inputs["X"])[1])
    size = int(inputs.get("mini_batch_size", DEFAULT_MINI_BATCH_SIZE))
    violations = []
    want = expected_sizes(m, size)
    if layout.sizes != want:
        violations.append(f"with m = {m} and mini_batch_size = {size}, expected "
                          f"{_describe(want)}; got {_describe(layout.sizes)}")
    if not layout.x_exact:
        violations.append("the mini-batches do not hold every column (example) of X exactly once")
    if not layout.y_exact:
        violations.append("the mini-batches do not hold every column (label) of Y exactly once")
    if layout.x_exact and layout.y_exact and not layout.pairs_exact:
        violations.append("labels were separated from their examples: X and Y were not shuffled "
                          "with the same permutation")
    if (layout.x_exact and layout.order is not None and m >= MIN_SHUFFLED_COLUMNS
            and layout.order == tuple(range(m))):
        violations.append(f"the {m} examples were not shuffled: the mini-batches keep the "
                          f"columns of X in their original order")
    return tuple(violations)


# --- the student kit's data -------------------------------------------------------------------


def kit_partition(inputs: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The kit's ``partition`` property of one case: the batch sizes and whether the columns
    must come out shuffled (``m >= MIN_SHUFFLED_COLUMNS`` and distinct columns)."""
    X = np.asarray(inputs["X"])
    m = int(X.shape[1])
    size = int(inputs.get("mini_batch_size", DEFAULT_MINI_BATCH_SIZE))
    distinct = len(set(_columns(X))) == m
    return [{"kind": "partition", "output": "mini_batches", "x": "X", "y": "Y",
             "sizes": list(expected_sizes(m, size)), "shuffled": m >= MIN_SHUFFLED_COLUMNS and distinct}]


#: ``{property check: inputs -> the kit's properties}`` (read by ``grader/handouts/handout_data.py``)
KIT_PROPERTIES = {"check_mini_batches": kit_partition}
