"""The stand-in for the book's ``common/functions.py`` and ``common/util.py`` against independent
formulas (these answer a learner's ``from common.functions import *`` in the sandbox)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dnn_autograder.course_helpers.dlfs_common import functions as F
from dnn_autograder.course_helpers.dlfs_common import util as U


def test_softmax_and_cross_entropy_by_hand():
    x = np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, 0.0]])
    y = F.softmax(x)
    total = math.exp(1) + math.exp(2) + math.exp(3)
    assert y[0] == pytest.approx([math.exp(1) / total, math.exp(2) / total, math.exp(3) / total])
    assert y[1] == pytest.approx([0.5, 0.5, 0.0])
    assert F.cross_entropy_error(y, np.array([2, 0])) == pytest.approx(
        -(math.log(math.exp(3) / total + 1e-7) + math.log(0.5 + 1e-7)) / 2)
    assert F.cross_entropy_error(y, np.array([[0, 0, 1], [1, 0, 0]])) == F.cross_entropy_error(y, np.array([2, 0]))
    assert F.cross_entropy_error(y[0], np.array([0, 0, 1])) == pytest.approx(-math.log(math.exp(3) / total + 1e-7))
    assert F.sigmoid_grad(np.array(0.0)) == pytest.approx(0.25)
    assert list(F.relu_grad(np.array([-1.0, 0.0, 2.0]))) == [0.0, 1.0, 1.0]


def test_im2col_and_col2im_are_adjoint_and_match_a_loop():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 5, 4))
    col = U.im2col(x, 3, 2, stride=1, pad=1)
    out_h, out_w = 5, 5
    assert col.shape == (2 * out_h * out_w, 3 * 3 * 2)
    padded = np.pad(x, [(0, 0), (0, 0), (1, 1), (1, 1)])
    row = 0
    for n in range(2):
        for i in range(out_h):
            for j in range(out_w):
                assert np.allclose(col[row], padded[n, :, i:i + 3, j:j + 2].ravel())
                row += 1
    other = rng.standard_normal(col.shape)
    # <im2col(x), c> == <x, col2im(c)>: col2im sums each receptive field back where it came from
    assert np.sum(col * other) == pytest.approx(np.sum(x * U.col2im(other, x.shape, 3, 2, stride=1, pad=1)))


def test_conv_size_and_no_shuffle_dataset():
    assert U.conv_output_size(28, 5, stride=1, pad=0) == 24
    assert not hasattr(U, "shuffle_dataset")  # graded in dlfs_network: the handout must not ship it
