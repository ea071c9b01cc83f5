r"""Accepted variants of the *Activation Functions* assignment: the derivative of ReLU and leaky ReLU at 0.

Nothing here is random. ``relu_backward`` and ``leaky_relu_backward`` are graded with ``kind = "stochastic"``
only to use that mechanism's second chance: an output that does not agree with the reference (which uses the
left derivative at the kink, ``0`` for ReLU and ``alpha`` for leaky ReLU) is then judged by the checks below,
which also accept the right derivative ``1`` where ``Z == 0`` exactly. Any value between the one-sided
derivatives is a valid subgradient, and ``np.where(Z >= 0, dA, 0)`` is as defensible as ``Z > 0``.

Each check is deterministic: the output must have ``Z``'s shape, be finite, and equal ``dA * g'(Z)``
elementwise within the spec's tolerance (``|got - expected| <= ATOL + RTOL * |expected|``), where ``g'(0)`` may
be either one-sided derivative (chosen per element). A correct function never fails it, and no catalogued
mistake passes it on the bank's cases (the self-check's mutant sweep shows both).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from dnn_autograder.reference.activations import LEAKY_RELU_ALPHA

__all__ = ["ATOL", "RTOL", "check_leaky_relu_backward", "check_relu_backward", "kink_violations"]

#: the spec's tolerances for both functions
RTOL, ATOL = 1e-6, 1e-9


def check_relu_backward(inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> tuple[str, ...]:
    """``dZ = dA`` where ``Z > 0``, ``0`` where ``Z < 0``, and ``0`` or ``dA`` where ``Z == 0``."""
    return kink_violations(inputs["dA"], inputs["Z"], outputs.get("dZ"), negative_slope=0.0)


def check_leaky_relu_backward(inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> tuple[str, ...]:
    """``dZ = dA`` where ``Z > 0``, ``alpha dA`` where ``Z < 0``, and either where ``Z == 0``."""
    alpha = float(inputs.get("alpha", LEAKY_RELU_ALPHA))
    return kink_violations(inputs["dA"], inputs["Z"], outputs.get("dZ"), negative_slope=alpha)


def kink_violations(dA: Any, Z: Any, dZ: Any, *, negative_slope: float) -> tuple[str, ...]:
    """Messages for a ``dZ`` that is not ``dA`` times a (sub)derivative of a piecewise-linear unit with slope 1
    for ``Z > 0`` and ``negative_slope`` for ``Z < 0``; empty when it is one."""
    dA, Z = np.asarray(dA, dtype=float), np.asarray(Z, dtype=float)
    if not isinstance(dZ, np.ndarray | float | int | np.generic) or np.asarray(dZ).dtype.kind not in "biuf":
        return (f"dZ must be an array of shape {Z.shape}",)
    got = np.asarray(dZ, dtype=float)
    if got.shape != Z.shape:
        return (f"dZ has shape {got.shape}, but Z has shape {Z.shape}",)
    if not np.all(np.isfinite(got)):
        return ("dZ has NaN or infinite entries",)
    left = np.where(Z > 0, dA, negative_slope * dA)
    right = np.where(Z >= 0, dA, negative_slope * dA)
    ok = np.isclose(got, left, rtol=RTOL, atol=ATOL) | np.isclose(got, right, rtol=RTOL, atol=ATOL)
    if np.all(ok):
        return ()
    bad = int(np.count_nonzero(~ok))
    return (f"{bad} of {ok.size} entries of dZ are not dA times the derivative (1 where Z > 0, "
            f"{negative_slope:g} where Z < 0, either one at Z = 0)",)
