r"""Defining properties of CS231n's inverted dropout, whatever generator drew the mask.

A dropout forward case is one step ``out, cache = dropout_forward(x, dropout_param)``; a backward
case adds ``dx = dropout_backward(dout, cache)`` with the student's own cache. Every ``x`` of the
cases is nonzero everywhere, so each output element tells whether its unit was kept. With the keep
probability :math:`q` (``p`` in the 2018+ templates, ``1 - p`` in 2016-2017: the template year is
the caller's ``keep`` function):

* test mode: ``out == x`` (and ``dx == dout``);
* train mode, inverted scaling: every element is ``0`` or ``x / q`` (relative tolerance 1e-6);
* per-element masks: on an input with at least :data:`MIN_ROWS` examples, not every feature is
  kept or dropped for the whole batch at once (a correct mask makes one column constant with
  probability :math:`q^N + (1 - q)^N \le 0.8^{40} < 1.4 \cdot 10^{-4}`; all of at least 10 columns
  at once: below :math:`10^{-38}`);
* kept fraction: on at least :data:`MIN_ENTRIES` elements, the share of kept units passes a
  two-sided Chernoff test of :math:`\mathrm{Bernoulli}(q)` at level :data:`TEST_LEVEL`
  (:math:`n\,\mathrm{KL}(\hat q \,\|\, q) \le \ln(2/\alpha)`, a bound that holds for every
  :math:`n`); a grade runs at most a few dozen such tests, so a correct function fails one grade
  with probability below :math:`10^{-6}`;
* backward, mask reuse: ``dx == dout * out / x`` elementwise in train mode, with the ``out`` of
  the student's *own* forward step (so a wrong forward pass is not charged to the backward).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from dnn_autograder.grader.model import script_output

__all__ = ["MIN_ENTRIES", "MIN_ROWS", "TEST_LEVEL", "check_dropout_backward", "check_dropout_forward",
           "dropout_checks", "keep_probability", "kept_fraction_fits"]

#: Level of each kept-fraction test.
TEST_LEVEL = 1e-8
#: The kept fraction is tested on inputs with at least this many elements.
MIN_ENTRIES = 1000
#: The per-element test needs at least this many examples (rows) and columns.
MIN_ROWS, MIN_COLUMNS = 40, 10
RTOL = 1e-6

OUT = script_output(0, "out")
DX = script_output(1, "dx")


def keep_probability(dropout_param: Mapping[str, Any]) -> float:
    """The keep probability of the 2018+ templates: ``p`` itself."""
    return float(dropout_param["p"])


def _kl(a: float, b: float) -> float:
    out = 0.0
    if a > 0:
        out += a * math.log(a / b)
    if a < 1:
        out += (1 - a) * math.log((1 - a) / (1 - b))
    return out


def kept_fraction_fits(kept: np.ndarray, q: float, alpha: float = TEST_LEVEL) -> bool | None:
    """Is the share of True in ``kept`` consistent with ``Bernoulli(q)``? None: too few elements."""
    n, k = int(kept.size), int(np.count_nonzero(kept))
    if q >= 1.0:
        return k == n
    if q <= 0.0:
        return k == 0
    if n < MIN_ENTRIES:
        return None
    return n * _kl(k / n, q) <= math.log(2.0 / alpha)


def _array(value: Any, shape: tuple[int, ...]) -> np.ndarray | None:
    if not isinstance(value, np.ndarray | np.generic | float | int) or np.shape(value) != shape:
        return None
    array = np.asarray(value, dtype=float)
    return array if np.all(np.isfinite(array)) else None


def _close(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.isclose(a, b, rtol=RTOL, atol=1e-12)


def forward_problems(x: np.ndarray, out: Any, q: float, mode: str) -> list[str]:
    """The violated forward properties of one call (see the module docstring)."""
    got = _array(out, x.shape)
    if got is None:
        return [f"out must be a finite array of x's shape {x.shape}"]
    if mode != "train":
        return [] if np.all(_close(got, x)) else ["in test mode dropout must return x unchanged (out = x)"]
    kept = got != 0
    problems = []
    if not np.all(_close(got[kept], x[kept] / q)):
        problems.append(f"each kept unit must be x / {q:g} (inverted dropout divides by the keep probability)")
    if x.ndim >= 2 and x.shape[0] >= MIN_ROWS and x[0].size >= MIN_COLUMNS:
        flat = kept.reshape(x.shape[0], -1)
        if np.all(flat.all(axis=0) | (~flat).all(axis=0)):
            problems.append("every feature is kept or dropped for the whole batch: draw one mask value per element")
    fits = kept_fraction_fits(kept, q)
    if fits is False:
        problems.append(f"the share of kept units, {kept.mean():.3f}, is not consistent with the keep probability "
                        f"{q:g}")
    return problems


def dropout_checks(keep: Callable[[Mapping[str, Any]], float]) -> tuple[Callable[..., tuple[str, ...]], ...]:
    """``(check_forward, check_backward)`` for a template whose keep probability is ``keep(dropout_param)``."""

    def check_forward(inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> tuple[str, ...]:
        x = np.asarray(inputs["x"], dtype=float)
        param = inputs["dropout_param"]
        return tuple(forward_problems(x, outputs.get(OUT), keep(param), param["mode"]))

    def check_backward(inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> tuple[str, ...]:
        x = np.asarray(inputs["x"], dtype=float)
        dout = np.asarray(inputs["dout"], dtype=float)
        out, dx = _array(outputs.get(OUT), x.shape), _array(outputs.get(DX), x.shape)
        if dx is None:
            return (f"dx must be a finite array of dout's shape {x.shape}",)
        if inputs["dropout_param"]["mode"] != "train":
            return () if np.all(_close(dx, dout)) else ("in test mode dx must be dout unchanged",)
        if out is None:
            return ("the forward pass's out is not an array of x's shape, so dx cannot be checked against it",)
        if np.all(_close(dx, dout * out / x)):
            return ()
        return ("dx must be dout times the forward pass's own scaled mask (dx = dout * out / x): reuse the mask "
                "stored in the cache",)

    return check_forward, check_backward


check_dropout_forward, check_dropout_backward = dropout_checks(keep_probability)
