r"""Reference answers for CS231n assignment 2's ``cs231n/layers.py``: dropout, batch and layer norm.

The course's API, kept exactly: a forward pass returns ``(out, cache)`` and its backward pass
takes ``(dout, cache)``. ``cache`` is opaque: each implementation chooses what it keeps, and the
grader calls a student's backward pass with the student's own cache.

Conventions (the course's docstrings):

* batch and layer norm take ``x`` of shape ``(N, D)`` (one example per row), ``gamma`` and
  ``beta`` of shape ``(D,)``; every gradient has the shape of what it differentiates, so
  ``dgamma`` and ``dbeta`` are ``(D,)``, not ``(1, D)``;
* variances are the *biased* ones (divide by ``N``, ``np.var``), and ``eps`` is added to the
  variance inside the square root;
* ``batchnorm_forward`` stores the updated running averages back into ``bn_param`` (the
  template's given last lines): that dict is updated in place, as in the course;
* dropout is *inverted* dropout: kept units are divided by the keep probability at training
  time, so test time is the identity. What ``dropout_param["p"]`` means depends on the template's
  year: the 2018 and later templates say "We keep each neuron output with probability p"
  (:func:`dropout_forward`), the 2016-2017 ones "We drop each neuron output with probability p"
  (:func:`dropout_forward_p_drops`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = [
    "dropout_forward",
    "dropout_forward_p_drops",
    "dropout_backward",
    "batchnorm_forward",
    "batchnorm_backward",
    "batchnorm_backward_alt",
    "layernorm_forward",
    "layernorm_backward",
]


def _dropout(x: np.ndarray, dropout_param: Mapping[str, Any], keep: float) -> tuple[np.ndarray, tuple]:
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])
    mask = None
    if dropout_param["mode"] == "train":
        mask = (np.random.rand(*x.shape) < keep) / keep
        out = x * mask
    else:
        out = x
    return np.asarray(out).astype(x.dtype, copy=False), (dropout_param, mask)


def dropout_forward(x: np.ndarray, dropout_param: Mapping[str, Any]) -> tuple[np.ndarray, tuple]:
    r"""Inverted dropout, forward; ``p`` is the probability of *keeping* a unit (2018+ templates).

    Parameters
    ----------
    x : numpy.ndarray, any shape
    dropout_param : dict
        ``p`` (keep probability), ``mode`` (``"train"`` or ``"test"``), optional ``seed``
        (``np.random.seed(seed)`` first, the template's given line).

    Returns
    -------
    out : numpy.ndarray, shape of ``x``
    cache : tuple
        ``(dropout_param, mask)``; ``mask`` is None in test mode.

    Notes
    -----
    Train: one independent draw per *element*, :math:`M = [U < p] / p` with
    :math:`U \sim \mathcal U[0, 1)` of the shape of ``x`` (``np.random.rand``), and
    :math:`out = x \odot M`, so :math:`E[out] = x`. Test: :math:`out = x`
    (Srivastava et al., 2014; the inverted form of the CS231n notes).
    """
    return _dropout(x, dropout_param, dropout_param["p"])


def dropout_forward_p_drops(x: np.ndarray, dropout_param: Mapping[str, Any]) -> tuple[np.ndarray, tuple]:
    r"""Inverted dropout, forward; ``p`` is the probability of *dropping* a unit (2016-2017 templates).

    Same contract as :func:`dropout_forward` with the keep probability :math:`q = 1 - p`.

    Notes
    -----
    Train: :math:`M = [U < 1 - p] / (1 - p)` per element, :math:`out = x \odot M`.
    Test: :math:`out = x`.
    """
    return _dropout(x, dropout_param, 1.0 - dropout_param["p"])


def dropout_backward(dout: np.ndarray, cache: tuple) -> np.ndarray:
    r"""Inverted dropout, backward (the same in every template year).

    Parameters
    ----------
    dout : numpy.ndarray, any shape
        Upstream gradient.
    cache : tuple
        ``(dropout_param, mask)`` from the forward pass.

    Returns
    -------
    dx : numpy.ndarray, shape of ``dout``

    Notes
    -----
    Train: :math:`dx = dout \odot M` with the forward pass's own (already scaled) mask.
    Test: :math:`dx = dout`.
    """
    dropout_param, mask = cache
    if dropout_param["mode"] == "train":
        return dout * mask
    return dout


def batchnorm_forward(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray,
                      bn_param: dict[str, Any]) -> tuple[np.ndarray, tuple | None]:
    r"""Batch normalization, forward.

    Parameters
    ----------
    x : numpy.ndarray, shape (N, D)
    gamma, beta : numpy.ndarray, shape (D,)
    bn_param : dict
        ``mode`` (``"train"``/``"test"``), ``eps`` (default 1e-5), ``momentum`` (default 0.9),
        ``running_mean`` and ``running_var`` (shape (D,), default zeros). Updated in place.

    Returns
    -------
    out : numpy.ndarray, shape (N, D)
    cache : tuple or None
        ``(x_hat, gamma, std, eps)`` in train mode, None in test mode.

    Notes
    -----
    Train: :math:`\mu = \frac1N \sum_i x_i`, :math:`\sigma^2 = \frac1N \sum_i (x_i - \mu)^2`
    (per feature, axis 0), :math:`\hat x = (x - \mu) / \sqrt{\sigma^2 + \epsilon}`,
    :math:`out = \gamma \hat x + \beta`; the running averages become
    :math:`r_\mu \leftarrow m\, r_\mu + (1 - m)\, \mu` and
    :math:`r_{\sigma^2} \leftarrow m\, r_{\sigma^2} + (1 - m)\, \sigma^2` (the variance, not the
    standard deviation). Test: :math:`out = \gamma (x - r_\mu) / \sqrt{r_{\sigma^2} + \epsilon}
    + \beta`, running averages unchanged (Ioffe & Szegedy, 2015, Algorithm 1, with running
    averages in place of the population statistics).
    """
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    _, D = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.zeros(D, dtype=x.dtype))
    cache = None
    if mode == "train":
        mu = x.mean(axis=0)
        var = x.var(axis=0)
        std = np.sqrt(var + eps)
        x_hat = (x - mu) / std
        out = gamma * x_hat + beta
        running_mean = momentum * running_mean + (1 - momentum) * mu
        running_var = momentum * running_var + (1 - momentum) * var
        cache = (x_hat, gamma, std, eps)
    elif mode == "test":
        out = gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta
    else:
        raise ValueError(f'Invalid forward batchnorm mode "{mode}"')
    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, cache


def batchnorm_backward(dout: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Batch normalization, backward, through the computation graph node by node.

    Returns
    -------
    dx : numpy.ndarray, shape (N, D)
    dgamma, dbeta : numpy.ndarray, shape (D,)

    Notes
    -----
    With :math:`\hat x = (x - \mu) s^{-1}`, :math:`s = \sqrt{\sigma^2 + \epsilon}`:
    :math:`d\beta = \sum_i dout_i`, :math:`d\gamma = \sum_i dout_i \odot \hat x_i`,
    :math:`d\hat x = \gamma\, dout`; then back through the graph
    :math:`d\sigma^2 = -\tfrac12 \sum_i d\hat x_i (x_i - \mu) s^{-3}`,
    :math:`d\mu = -\sum_i d\hat x_i s^{-1} - \tfrac2N d\sigma^2 \sum_i (x_i - \mu)`,
    :math:`dx = d\hat x\, s^{-1} + \tfrac2N d\sigma^2 (x - \mu) + \tfrac1N d\mu`.
    """
    x_hat, gamma, std, _ = cache
    N = dout.shape[0]
    centred = x_hat * std
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma
    dvar = -0.5 * (dx_hat * centred).sum(axis=0) / std**3
    dmu = -(dx_hat / std).sum(axis=0) - 2.0 / N * dvar * centred.sum(axis=0)
    dx = dx_hat / std + 2.0 / N * dvar * centred + dmu / N
    return dx, dgamma, dbeta


def batchnorm_backward_alt(dout: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Batch normalization, backward, in the simplified closed form (same outputs).

    Notes
    -----
    :math:`dx = \frac{1}{N s} \left(N\, d\hat x - \sum_i d\hat x_i
    - \hat x \odot \sum_i d\hat x_i \odot \hat x_i\right)` with :math:`d\hat x = \gamma\, dout`;
    :math:`d\gamma`, :math:`d\beta` as in :func:`batchnorm_backward`.
    """
    x_hat, gamma, std, _ = cache
    N = dout.shape[0]
    dx_hat = dout * gamma
    dx = (N * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0)) / (N * std)
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


def layernorm_forward(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray,
                      ln_param: Mapping[str, Any]) -> tuple[np.ndarray, tuple]:
    r"""Layer normalization, forward (the same in train and test mode).

    Parameters
    ----------
    x : numpy.ndarray, shape (N, D)
    gamma, beta : numpy.ndarray, shape (D,)
    ln_param : dict
        ``eps`` (default 1e-5).

    Returns
    -------
    out : numpy.ndarray, shape (N, D)
    cache : tuple
        ``(x_hat, gamma, std)``.

    Notes
    -----
    Statistics per *example* (axis 1, over the D features):
    :math:`\mu_i = \frac1D \sum_j x_{ij}`, :math:`\sigma_i^2 = \frac1D \sum_j (x_{ij} - \mu_i)^2`,
    :math:`\hat x_{ij} = (x_{ij} - \mu_i) / \sqrt{\sigma_i^2 + \epsilon}`,
    :math:`out = \gamma \hat x + \beta` (per feature) (Ba, Kiros & Hinton, 2016).
    """
    eps = ln_param.get("eps", 1e-5)
    mu = x.mean(axis=1, keepdims=True)
    std = np.sqrt(x.var(axis=1, keepdims=True) + eps)
    x_hat = (x - mu) / std
    return gamma * x_hat + beta, (x_hat, gamma, std)


def layernorm_backward(dout: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Layer normalization, backward.

    Returns
    -------
    dx : numpy.ndarray, shape (N, D)
    dgamma, dbeta : numpy.ndarray, shape (D,)

    Notes
    -----
    Batch norm's closed form transposed (statistics over axis 1):
    :math:`d\hat x = \gamma\, dout`,
    :math:`dx_i = \frac{1}{D s_i} \left(D\, d\hat x_i - \sum_j d\hat x_{ij}
    - \hat x_i \sum_j d\hat x_{ij} \hat x_{ij}\right)`;
    :math:`d\gamma = \sum_i dout_i \odot \hat x_i`, :math:`d\beta = \sum_i dout_i` (axis 0).
    """
    x_hat, gamma, std = cache
    D = dout.shape[1]
    dx_hat = dout * gamma
    dx = (D * dx_hat - dx_hat.sum(axis=1, keepdims=True)
          - x_hat * (dx_hat * x_hat).sum(axis=1, keepdims=True)) / (D * std)
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
