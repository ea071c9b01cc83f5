r"""Stand-in for the book's ``common/util.py``: smoothing and the image/column rearrangements
used by convolution layers. The book's ``shuffle_dataset`` is not here: learners write it, and the
``dlfs_network`` assignment grades it (a handout shipping it would hand out the answer)."""

from __future__ import annotations

import numpy as np


def smooth_curve(x):
    r"""A moving average of ``x`` (Kaiser window of length 11, the ends padded by reflection)."""
    x = np.asarray(x, dtype=float)
    window = 11
    s = np.r_[x[window - 1 : 0 : -1], x, x[-1:-window:-1]]
    w = np.kaiser(window, 2)
    y = np.convolve(w / w.sum(), s, mode="valid")
    return y[5 : len(y) - 5]


def conv_output_size(input_size, filter_size, stride=1, pad=0):
    r""":math:`(n + 2p - f) / s + 1`."""
    return (input_size + 2 * pad - filter_size) / stride + 1


def im2col(input_data, filter_h, filter_w, stride=1, pad=0):
    r"""Rows of ``(N * out_h * out_w, C * filter_h * filter_w)``: one receptive field per row."""
    n, c, h, w = input_data.shape
    out_h = (h + 2 * pad - filter_h) // stride + 1
    out_w = (w + 2 * pad - filter_w) // stride + 1
    padded = np.pad(input_data, [(0, 0), (0, 0), (pad, pad), (pad, pad)], "constant")
    col = np.zeros((n, c, filter_h, filter_w, out_h, out_w))
    for dy in range(filter_h):
        for dx in range(filter_w):
            col[:, :, dy, dx, :, :] = padded[:, :, dy : dy + stride * out_h : stride, dx : dx + stride * out_w : stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(n * out_h * out_w, -1)


def col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    r"""The adjoint of :func:`im2col`: receptive fields summed back into images of ``input_shape``."""
    n, c, h, w = input_shape
    out_h = (h + 2 * pad - filter_h) // stride + 1
    out_w = (w + 2 * pad - filter_w) // stride + 1
    col = col.reshape(n, out_h, out_w, c, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((n, c, h + 2 * pad + stride - 1, w + 2 * pad + stride - 1))
    for dy in range(filter_h):
        for dx in range(filter_w):
            img[:, :, dy : dy + stride * out_h : stride, dx : dx + stride * out_w : stride] += col[:, :, dy, dx, :, :]
    return img[:, :, pad : h + pad, pad : w + pad]
