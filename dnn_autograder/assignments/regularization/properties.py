r"""Defining properties of ``forward_propagation_with_dropout`` (``check_dropout_forward``).

A student whose masks differ from the course's (no ``np.random.seed(1)``, another generator,
``np.random.binomial``, masks kept as booleans) is still right when the returned values obey the
forward pass *given their own masks*, and the masks look like independent ``Bernoulli(p)`` draws,
``p = keep_prob``:

* the cache is the 14-tuple ``(Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)`` with
  the course's shapes, and its ``W``/``b`` are the parameters passed in;
* ``D1`` and ``D2`` hold only 0 and 1 (bool, int or float);
* ``Z1 = W1 X + b1``, ``A1 = relu(Z1) * D1 / p``, ``Z2 = W2 A1 + b2``,
  ``A2 = relu(Z2) * D2 / p``, ``Z3 = W3 A2 + b3``, ``A3 = sigmoid(Z3)`` (the returned ``A3`` and
  the cached one), each within a relative ``1e-5`` of the magnitude of its terms (room for
  float32 arithmetic; a wrong rescale is at least 1% off with keep probabilities on a 0.01 grid);
* with ``p = 1`` every unit is kept (exact);
* the kept fraction of each mask with at least ``MIN_MASK_ENTRIES`` entries is consistent with
  ``p``: for ``n`` entries and kept fraction ``q``, the check fails when
  ``n * KL(q || p) > ln(2 / alpha)``, ``KL`` the Bernoulli relative entropy. By the Chernoff
  bound ``P(q >= p + t) <= exp(-n KL(p + t || p))`` and its mirror for the lower tail, a correct
  mask fails with probability at most ``alpha = TEST_LEVEL = 1e-8`` (exact, non-asymptotic).
  For 10,000 entries at ``p = 0.7`` the accepted fractions are about ``[0.672, 0.728]``;
* the two masks are not the same draws: independent masks agree on an entry with probability
  ``q = p^2 + (1 - p)^2``, so agreeing on the first ``ceil(ln(alpha) / ln(q))`` entries has
  probability at most ``alpha`` (``masks_repeat``; a generator re-seeded before ``D2`` does it).

Budget: one grade evaluates the check at most once per case, and only the explicit large cases
have masks big enough to test (six masks in the bank), plus the repeat test on every case whose
masks are long enough (three in the bank). ``MAX_TESTS_PER_GRADE = 100`` is the
bound the bank must keep (counted in ``tests/assignments/test_regularization_specific.py``), so a
correct function fails a grade with probability at most ``100 * 1e-8 = 1e-6``. The relations
above are deterministic and never fail a correct function.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "FALSE_FAILURE_BUDGET",
    "MAX_TESTS_PER_GRADE",
    "MIN_MASK_ENTRIES",
    "TEST_LEVEL",
    "DropoutPass",
    "check_dropout_forward",
    "close",
    "kept_fraction_fits",
    "read_dropout_pass",
]

#: Probability that a correct function fails one grade, at most.
FALSE_FAILURE_BUDGET = 1e-6
#: Largest number of statistical tests one grade may run (the bank is tested against it).
MAX_TESTS_PER_GRADE = 100
#: Level of each statistical test (Bonferroni split of the budget).
TEST_LEVEL = FALSE_FAILURE_BUDGET / MAX_TESTS_PER_GRADE
#: A mask needs this many entries before its kept fraction is tested.
MIN_MASK_ENTRIES = 1000
#: Relative tolerance of the forward-pass relations, on the magnitude of the terms.
RELATION_RTOL = 1e-5
RELATION_ATOL = 1e-12

CACHE_NAMES = ("Z1", "D1", "A1", "W1", "b1", "Z2", "D2", "A2", "W2", "b2", "Z3", "A3", "W3", "b3")


# --- statistics -------------------------------------------------------------------------------


def _bernoulli_kl(q: float, p: float) -> float:
    """``KL(Bernoulli(q) || Bernoulli(p))`` for ``0 < p < 1``."""
    out = 0.0
    if q > 0:
        out += q * math.log(q / p)
    if q < 1:
        out += (1 - q) * math.log((1 - q) / (1 - p))
    return out


def kept_fraction_fits(mask: np.ndarray, p: float, alpha: float = TEST_LEVEL) -> bool | None:
    """Is the share of ones in a 0/1 ``mask`` consistent with ``Bernoulli(p)`` entries?

    True or False; None when the mask is too small to tell (``0 < p < 1`` and fewer than
    ``MIN_MASK_ENTRIES`` entries). For ``p`` of 0 or 1 the answer is exact at any size.
    """
    n = int(mask.size)
    kept = int(np.count_nonzero(mask))
    if p >= 1.0:
        return kept == n
    if p <= 0.0:
        return kept == 0
    if n < MIN_MASK_ENTRIES:
        return None
    return n * _bernoulli_kl(kept / n, p) <= math.log(2.0 / alpha)


# --- reading the output -----------------------------------------------------------------------


@dataclass(frozen=True)
class DropoutPass:
    """The inputs and the student's outputs of one call, as float64 arrays."""

    X: np.ndarray
    parameters: dict[str, np.ndarray]
    keep_prob: float
    A3: np.ndarray  #: the returned A3
    cache: dict[str, np.ndarray]  #: the cache by the course's names


def _shapes(X: np.ndarray, parameters: Mapping[str, np.ndarray]) -> dict[str, tuple[int, ...]]:
    m = X.shape[1]
    n1, n2 = parameters["W1"].shape[0], parameters["W2"].shape[0]
    hidden = {"Z1": (n1, m), "D1": (n1, m), "A1": (n1, m), "Z2": (n2, m), "D2": (n2, m),
              "A2": (n2, m), "Z3": (1, m), "A3": (1, m)}
    return {**hidden, **{k: np.shape(v) for k, v in parameters.items()}}


def read_dropout_pass(
    inputs: Mapping[str, Any], output: Mapping[str, Any]
) -> tuple[DropoutPass | None, tuple[str, ...]]:
    """The call as float arrays, or None with the reasons the output cannot be read."""
    X = np.asarray(inputs["X"], dtype=np.float64)
    parameters = {k: np.asarray(v, dtype=np.float64) for k, v in inputs["parameters"].items()}
    keep_prob = float(inputs.get("keep_prob", 0.5))
    cache = output.get("cache")
    if not isinstance(cache, list | tuple) or len(cache) != len(CACHE_NAMES):
        size = len(cache) if isinstance(cache, list | tuple) else type(cache).__name__
        return None, (f"cache should be the 14-tuple ({', '.join(CACHE_NAMES)}), got {size}",)
    arrays, problems = {}, []
    shapes = _shapes(X, parameters)
    for name, value in [("returned A3", output.get("A3")), *zip(CACHE_NAMES, cache, strict=True)]:
        try:
            array = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            problems.append(f"{name} is not an array of numbers")
            continue
        expected = shapes["A3" if name == "returned A3" else name]
        if array.shape != expected:
            problems.append(f"{name} has shape {array.shape}, expected {expected}")
        arrays[name] = array
    if problems:
        return None, tuple(problems)
    A3 = arrays.pop("returned A3")
    return DropoutPass(X, parameters, keep_prob, A3, arrays), ()


# --- relations --------------------------------------------------------------------------------


def close(got: np.ndarray, expected: np.ndarray, scale: np.ndarray) -> bool:
    """``|got - expected| <= RELATION_RTOL * scale + RELATION_ATOL`` everywhere (NaN fails)."""
    with np.errstate(invalid="ignore"):
        return bool(np.all(np.abs(got - expected) <= RELATION_RTOL * scale + RELATION_ATOL))


def _linear(W: np.ndarray, A: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``W A + b`` and the magnitude of its terms ``|W| |A| + |b|``."""
    return W @ A + b, np.abs(W) @ np.abs(A) + np.abs(b)


def feeds_forward(p: DropoutPass) -> bool:
    """The cached activations are what the next layers were computed from:
    ``Z2 == W2 A1 + b2`` and ``Z3 == W3 A2 + b3`` (within the relation tolerance)."""
    c = p.cache
    for l in (2, 3):
        value, scale = _linear(c[f"W{l}"], c[f"A{l - 1}"], c[f"b{l}"])
        if not close(c[f"Z{l}"], value, scale):
            return False
    return True


def masked_relation(p: DropoutPass, layer: int, factor: float) -> bool:
    """``A_l == relu(Z_l) * D_l * factor`` (within the relation tolerance)."""
    c = p.cache
    expected = np.maximum(c[f"Z{layer}"], 0.0) * c[f"D{layer}"] * factor
    return close(c[f"A{layer}"], expected, np.abs(expected))


def _relation_problems(p: DropoutPass) -> list[str]:
    c, out = p.cache, []
    for key in ("W1", "b1", "W2", "b2", "W3", "b3"):
        if not close(c[key], p.parameters[key], np.abs(p.parameters[key])):
            out.append(f"cache's {key} is not the {key} passed in parameters")
    if out:
        return out
    previous = {1: p.X, 2: c["A1"], 3: c["A2"]}
    names = {1: "X", 2: "A1 (after dropout)", 3: "A2 (after dropout)"}
    for l in (1, 2, 3):
        value, scale = _linear(c[f"W{l}"], previous[l], c[f"b{l}"])
        if not close(c[f"Z{l}"], value, scale):
            out.append(f"Z{l} is not W{l} @ {names[l]} + b{l}")
    for l in (1, 2):
        if not masked_relation(p, l, 1.0 / p.keep_prob):
            out.append(f"A{l} is not relu(Z{l}) * D{l} / keep_prob")
    sig = 1.0 / (1.0 + np.exp(-np.clip(c["Z3"], -700, 700)))
    if not close(c["A3"], sig, sig):
        out.append("the cached A3 is not sigmoid(Z3) (the output layer is never dropped)")
    if not close(p.A3, sig, sig):
        out.append("the returned A3 is not sigmoid(Z3) (the output layer is never dropped)")
    return out


def _mask_problems(p: DropoutPass) -> list[str]:
    out = []
    for l in (1, 2):
        D = p.cache[f"D{l}"]
        if not np.all((D == 0) | (D == 1)):
            out.append(f"D{l} should contain only 0 and 1 (keep or drop), found other values")
            continue
        verdict = kept_fraction_fits(D, p.keep_prob)
        if verdict is False and p.keep_prob >= 1.0:
            out.append(f"with keep_prob = 1 every unit must be kept, but D{l} drops "
                       f"{D.size - np.count_nonzero(D)} of {D.size}")
        elif verdict is False:
            out.append(
                f"D{l} keeps {np.count_nonzero(D) / D.size:.3f} of its {D.size} units; with "
                f"keep_prob = {p.keep_prob} each unit is kept with probability {p.keep_prob} "
                f"(a correct mask is this far off with probability below {TEST_LEVEL:.0e})"
            )
    if not out and masks_repeat(p.cache["D1"], p.cache["D2"], p.keep_prob):
        out.append("D2 repeats D1's random numbers (the same first entries): draw the second mask"
                   " from the generator's next numbers; do not re-seed between the two masks")
    return out


def masks_repeat(first: np.ndarray, second: np.ndarray, keep_prob: float, alpha: float = TEST_LEVEL) -> bool:
    """The two masks agree on their first ``k`` entries (flattened), where ``k`` is large enough
    that independent masks agree that far with probability at most ``alpha``: entries agree with
    probability ``q = p^2 + (1 - p)^2``, so ``k >= ln(alpha) / ln(q)`` (as when the generator is
    re-seeded before the second mask, which then repeats the first one's draws)."""
    q = keep_prob**2 + (1.0 - keep_prob) ** 2
    if q >= 1.0:
        return False
    needed = math.ceil(math.log(alpha) / math.log(q))
    a, b = np.ravel(first), np.ravel(second)
    if min(a.size, b.size) < needed:
        return False
    return bool(np.array_equal(a[:needed] != 0, b[:needed] != 0))


def check_dropout_forward(inputs: Mapping[str, Any], output: Mapping[str, Any]) -> tuple[str, ...]:
    r"""The forward pass with inverted dropout, whatever generator drew the masks (see the module
    docstring for the relations, the kept-fraction test and the false-failure bound)."""
    p, problems = read_dropout_pass(inputs, output)
    if p is None:
        return problems
    return tuple(_mask_problems(p) + _relation_problems(p))


# --- the student kit's data -------------------------------------------------------------------


def kept_fraction_band(n: int, p: float, alpha: float = TEST_LEVEL) -> tuple[float, float]:
    """The kept fractions ``q`` of an ``n``-entry mask that the Chernoff test accepts at ``alpha``
    (``n KL(q || p) <= ln(2 / alpha)``); exact ``(p, p)`` for ``p`` of 0 or 1."""
    if p <= 0.0 or p >= 1.0:
        return p, p
    limit = math.log(2.0 / alpha) / n

    def edge(inside: float, out: float) -> float:
        for _ in range(200):
            mid = (inside + out) / 2.0
            if _bernoulli_kl(mid, p) > limit:
                out = mid
            else:
                inside = mid
        return inside

    low = 0.0 if _bernoulli_kl(0.0, p) <= limit else edge(p, 0.0)
    high = 1.0 if _bernoulli_kl(1.0, p) <= limit else edge(p, 1.0)
    return low, high


def kit_dropout(inputs: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The kit's ``dropout_masks`` property of one case: positions of ``Z``/``D``/``A`` in the
    cache, ``keep_prob`` and each mask's accepted kept fraction (bounds at ``TEST_LEVEL``)."""
    keep_prob = float(inputs.get("keep_prob", 0.5))
    m = int(np.shape(inputs["X"])[1])
    masks = []
    for l in (1, 2):
        n = int(np.shape(inputs["parameters"][f"W{l}"])[0]) * m
        low, high = kept_fraction_band(n, keep_prob)
        masks.append({"Z": CACHE_NAMES.index(f"Z{l}"), "D": CACHE_NAMES.index(f"D{l}"),
                      "A": CACHE_NAMES.index(f"A{l}"), "name": str(l), "kept_low": low, "kept_high": high})
    return [{"kind": "dropout_masks", "output": "cache", "keep_prob": keep_prob, "masks": masks,
             "rtol": RELATION_RTOL, "atol": RELATION_ATOL, "level": TEST_LEVEL}]


#: ``{property check: inputs -> the kit's properties}`` (read by ``grader/handouts/handout_data.py``)
KIT_PROPERTIES = {"check_dropout_forward": kit_dropout}
