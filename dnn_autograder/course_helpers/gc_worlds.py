r"""The grader's own costs for the *Gradient Checking* notebook's net: a world of the checks' cases
(``assignments/gradient_checking/cases.py``) that the sandbox may run beside the learner's code.

Not the course's module and not a reference of any graded function: a smooth cost of the 47
parameters whose gradient is known in closed form, so a gradient check called on it must report
(almost) zero difference for the right gradients. The checks call it through their stand-in
``forward_propagation_n`` (spec key ``observed``): the child answers with it, records every call
with its answer, and the grader recomputes each answer afterwards, so a patched copy in the
sandbox only fails the case. numpy and the stdlib only; nothing here is secret.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .gc_utils import PARAMETER_SHAPES

__all__ = ["cubic_net_slope", "cubic_net_cost"]


def cubic_net_slope(X: np.ndarray) -> float:
    r""":math:`c = 1 + \mathrm{mean}(X^2)` (over every element of ``X``): the linear term of
    :func:`cubic_net_cost`, at least 1, so the gradient is never zero."""
    return 1.0 + float(np.mean(np.square(np.asarray(X, dtype=float))))


def cubic_net_cost(X: np.ndarray, Y: np.ndarray, parameters: Mapping[str, np.ndarray]):
    r"""A cubic cost of the net's parameters, with ``forward_propagation_n``'s signature.

    Returns
    -------
    cost : float
        :math:`J(\theta) = \sum_k \theta_k^3 / 3 + c\,\theta_k`, :math:`\theta` =
        ``gc_utils.dictionary_to_vector(parameters)[0]`` and :math:`c` = :func:`cubic_net_slope` of ``X``
        (``Y`` is not used), so :math:`\partial J / \partial \theta_k = \theta_k^2 + c > 0`.
    cache : tuple
        ``()``: a check only reads the cost.
    """
    # theta as gc_utils.dictionary_to_vector builds it (without its keys): the same column, bit for bit
    theta = np.concatenate([np.asanyarray(parameters[name]).reshape(-1, 1) for name, _ in PARAMETER_SHAPES], axis=0)
    cost = float(np.sum(theta**3 / 3.0 + cubic_net_slope(X) * theta))
    return cost, ()
