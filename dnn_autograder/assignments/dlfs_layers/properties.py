r"""Property check of the book's ``Dropout`` layer, graded by what any right mask satisfies.

A learner's ``Dropout`` that draws its mask differently from ``np.random.rand(*x.shape) >
ratio`` (``np.random.uniform``, ``np.random.binomial``, ``rand < 1 - ratio``) is right and cannot
match the reference's mask. Its run (training forward, backward, test forward) is judged by:

1. ``out`` has ``x``'s shape and every entry is ``0`` or the entry of ``x`` (the book's dropout
   is *not* inverted: no rescaling at training time);
2. ``dx = dout`` where the unit was kept (``out == x``) and ``0`` where it was dropped, i.e. the
   backward uses the training forward's own mask;
3. the number of kept units is plausible for keep probability ``1 - ratio``: with ``n`` units,
   ``|kept - n (1 - ratio)| <= Z * sqrt(n ratio (1 - ratio)) + 1`` with ``Z = 5.3``; by the
   normal approximation to the binomial (n = 300, both tails) a right layer fails with
   probability about 1.2e-7 (below the 1e-6 per grade the bank promises);
4. ``out_test = x * (1 - ratio)`` (the expected training output; not ``x``, not ``None``).

Values are compared within ``ATOL + RTOL * |expected|``. Entries of ``x`` are never 0 in the
bank, so a kept unit and a dropped one are always told apart.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from dnn_autograder.grader.model import script_output

__all__ = ["RTOL", "ATOL", "Z_BOUND", "check_dropout"]

#: the spec's tolerances for Dropout
RTOL, ATOL = 1e-6, 1e-9
#: standard deviations allowed between the kept count and its expectation
Z_BOUND = 5.3
#: the book's default ratio
DEFAULT_RATIO = 0.5


def _array(value: Any, shape: tuple[int, ...]) -> np.ndarray | None:
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    return array if array.shape == shape else None


def _close(got: np.ndarray, expected: np.ndarray) -> np.ndarray:
    return np.abs(got - expected) <= ATOL + RTOL * np.abs(expected)


def check_dropout(inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> tuple[str, ...]:
    """The four properties of the module doc, on one script run; messages of those violated."""
    x = np.asarray(inputs["x"], dtype=float)
    dout = np.asarray(inputs["dout"], dtype=float)
    ratio = float(inputs.get("dropout_ratio", DEFAULT_RATIO))
    out = _array(outputs.get(script_output(1, "out")), x.shape)
    if out is None:
        return (f"the training forward must return an array of x's shape {x.shape}",)
    kept, dropped = _close(out, x), np.abs(out) <= ATOL
    problems = []
    if not np.all(kept | dropped):
        problems.append("at training time every output must be 0 or the input itself: the book's dropout "
                        "multiplies by the mask only (no division by 1 - dropout_ratio)")
    dx = _array(outputs.get(script_output(2, "dx")), x.shape)
    if dx is None:
        problems.append(f"backward must return an array of dout's shape {x.shape}")
    elif not (np.all(_close(dx[kept], dout[kept])) and np.all(np.abs(dx[~kept]) <= ATOL)):
        problems.append("backward must pass dout where the forward kept the unit and 0 where it dropped it")
    n = x.size
    expected = n * (1 - ratio)
    bound = Z_BOUND * math.sqrt(n * ratio * (1 - ratio)) + 1
    if abs(int(kept.sum()) - expected) > bound:
        problems.append(f"kept {int(kept.sum())} of {n} units; with dropout_ratio = {ratio} about "
                        f"{expected:.0f} should be kept (each with probability 1 - dropout_ratio)")
    out_test = _array(outputs.get(script_output(3, "out_test")), x.shape)
    if out_test is None or not np.all(_close(out_test, x * (1 - ratio))):
        problems.append("at test time (train_flg=False) the output must be x * (1 - dropout_ratio), "
                        "the expected value of the training output")
    return tuple(problems)
