"""Stand-in ``reg_utils``: two helpers with the course's names."""

import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def compute_cost(a3, Y):  # noqa: N803 - the course's names
    m = Y.shape[1]
    return float(np.nansum(-Y * np.log(a3) - (1 - Y) * np.log(1 - a3)) / m)
