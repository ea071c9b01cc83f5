r"""Stand-in for the course's older ``opt_utils`` module.

Everything is re-exported from :mod:`dnn_autograder.course_helpers.opt_utils_v1a` except
:func:`compute_cost`: the pre-v1a notebook printed the cost of each mini-batch directly, and its
helper returned the *mean* cross-entropy,
:math:`\frac{1}{m}\,\mathrm{nansum}\big(-\log(a3) \odot Y - \log(1 - a3) \odot (1 - Y)\big)`,
with :math:`m` = ``Y.shape[1]``.
"""

from __future__ import annotations

import numpy as np

from .common import cross_entropy_sum
from .opt_utils_v1a import (
    backward_propagation,
    forward_propagation,
    initialize_parameters,
    load_dataset,
    load_params_and_grads,
    plot_decision_boundary,
    predict,
    predict_dec,
    relu,
    sigmoid,
)

__all__ = [
    "sigmoid",
    "relu",
    "load_params_and_grads",
    "initialize_parameters",
    "compute_cost",
    "forward_propagation",
    "backward_propagation",
    "predict",
    "predict_dec",
    "plot_decision_boundary",
    "load_dataset",
]


def compute_cost(a3: np.ndarray, Y: np.ndarray) -> float:
    r"""Mean binary cross-entropy (the pre-v1a convention; see the module docstring)."""
    return 1.0 / Y.shape[1] * cross_entropy_sum(a3, Y)
