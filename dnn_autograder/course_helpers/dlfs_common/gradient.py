r"""Stand-in for the book's ``common/gradient.py``: central-difference gradients.

numpy only (loaded inside the grading sandbox). ``f`` is called with the array being nudged, as
the book's ``numerical_gradient(f, x)`` does; the book's networks pass a ``lambda W: ...`` that
ignores its argument and reads the nudged array through the network's own ``params``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["numerical_gradient", "numerical_gradient_1d", "numerical_gradient_2d"]


def numerical_gradient(f, x, h=1e-4):
    r"""``grad`` of ``x``'s shape with :math:`\partial f / \partial x_i \approx (f(x + h e_i) - f(x - h e_i)) / 2h`.

    ``x`` is nudged in place, one entry at a time, and restored exactly after each entry.
    """
    grad = np.zeros_like(x, dtype=float)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + h
        upper = f(x)
        x[index] = saved - h
        lower = f(x)
        x[index] = saved
        grad[index] = (upper - lower) / (2 * h)
    return grad


def numerical_gradient_1d(f, x, h=1e-4):
    r""":func:`numerical_gradient` of a 1-D ``x``."""
    return numerical_gradient(f, x, h)


def numerical_gradient_2d(f, X, h=1e-4):
    r"""Row by row for a 2-D ``X`` (each row one point), :func:`numerical_gradient` for 1-D."""
    if X.ndim == 1:
        return numerical_gradient(f, X, h)
    return np.array([numerical_gradient(f, row, h) for row in X])
