r"""Known mistakes in the *Deep Learning from Scratch* layer classes.

Each mutant is a whole class with the book's API, written as learners write it; it replaces the
graded class in the trusted run of the same script. Every class is self-contained (numpy only).
"""

from __future__ import annotations

import numpy as np

from dnn_autograder.grader.assignment.catalogue import Mistake

__all__ = ["MISTAKES"]


def _softmax_rows(x):
    x = x - np.max(x, axis=-1, keepdims=True)
    return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)


def _cross_entropy(y, t):
    if t.size == y.size:
        t = t.argmax(axis=1)
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size


# --- Relu, Sigmoid ---------------------------------------------------------------------------


class _ReluChangesInput:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = x <= 0
        out = x
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout[self.mask] = 0
        return dout


class _ReluMaskFromDout:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        return dout * (dout > 0)


class _SigmoidBackwardUsesInput:
    def __init__(self):
        self.x = None

    def forward(self, x):
        self.x = x
        return 1 / (1 + np.exp(-x))

    def backward(self, dout):
        return dout * (1.0 - self.x) * self.x


class _SigmoidBackwardNoDout:
    def __init__(self):
        self.out = None

    def forward(self, x):
        self.out = 1 / (1 + np.exp(-x))
        return self.out

    def backward(self, dout):
        return (1.0 - self.out) * self.out


# --- Affine ----------------------------------------------------------------------------------


class _AffineNoReshapeBack:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.x = x.reshape(x.shape[0], -1)
        return np.dot(self.x, self.W) + self.b

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return dx


class _AffineDbNotSummed:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.original_x_shape = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return np.dot(self.x, self.W) + self.b

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=1)
        return dx.reshape(*self.original_x_shape)


class _AffineBackwardUsesTransposeOfX:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.original_x_shape = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return np.dot(self.x, self.W) + self.b

    def backward(self, dout):
        dx = np.dot(dout, self.W)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return dx.reshape(*self.original_x_shape)


# --- SoftmaxWithLoss -------------------------------------------------------------------------


class _SoftmaxLossWithoutSoftmax:
    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = x
        self.loss = _cross_entropy(self.y, self.t)
        return self.loss

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        if self.t.size == self.y.size:
            return (self.y - self.t) / batch_size
        dx = self.y.copy()
        dx[np.arange(batch_size), self.t] -= 1
        return dx / batch_size


class _SoftmaxLossNotDividedByBatch:
    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = _softmax_rows(x)
        self.loss = _cross_entropy(self.y, self.t)
        return self.loss

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        if self.t.size == self.y.size:
            return self.y - self.t
        dx = self.y.copy()
        dx[np.arange(batch_size), self.t] -= 1
        return dx


class _SoftmaxOverWholeBatch:
    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        exp_x = np.exp(x - np.max(x))
        self.y = exp_x / np.sum(exp_x)
        self.loss = _cross_entropy(self.y, self.t)
        return self.loss

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        if self.t.size == self.y.size:
            return (self.y - self.t) / batch_size
        dx = self.y.copy()
        dx[np.arange(batch_size), self.t] -= 1
        return dx / batch_size


class _SoftmaxBackwardOneHotOnly:
    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = _softmax_rows(x)
        self.loss = _cross_entropy(self.y, self.t)
        return self.loss

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        return (self.y - self.t.reshape(batch_size, -1)) / batch_size


# --- Dropout ---------------------------------------------------------------------------------


class _DropoutScaledTwice:
    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        if train_flg:
            self.mask = np.random.rand(*x.shape) > self.dropout_ratio
            return x * self.mask / (1.0 - self.dropout_ratio)
        return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        return dout * self.mask / (1.0 - self.dropout_ratio)


class _DropoutTestReturnsNone:
    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        if train_flg:
            self.mask = np.random.rand(*x.shape) > self.dropout_ratio
            return x * self.mask
        else:
            x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        return dout * self.mask


class _DropoutTestNotScaled:
    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        if train_flg:
            self.mask = np.random.rand(*x.shape) > self.dropout_ratio
            return x * self.mask
        return x

    def backward(self, dout):
        return dout * self.mask


class _DropoutKeepsRatio:
    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        if train_flg:
            self.mask = np.random.rand(*x.shape) < self.dropout_ratio
            return x * self.mask
        return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        return dout * self.mask


class _DropoutBackwardNoMask:
    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        if train_flg:
            self.mask = np.random.rand(*x.shape) > self.dropout_ratio
            return x * self.mask
        return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        return dout


# --- BatchNormalization ----------------------------------------------------------------------


class _BNBase:
    """Shared by the batch-norm mutants (the book's algorithm; each mutant changes one part)."""

    def __init__(self, gamma, beta, momentum=0.9, running_mean=None, running_var=None):
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.running_mean = running_mean
        self.running_var = running_var
        self.input_shape = None
        self.batch_size = None
        self.xc = None
        self.xn = None
        self.std = None
        self.dgamma = None
        self.dbeta = None

    def forward(self, x, train_flg=True):
        self.input_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        if self.running_mean is None:
            self.running_mean = np.zeros(x.shape[1])
            self.running_var = np.zeros(x.shape[1])
        if train_flg:
            mu = x.mean(axis=0)
            xc = x - mu
            var = np.mean(xc**2, axis=0)
            std = np.sqrt(var + 10e-7)
            xn = xc / std
            self.batch_size, self.xc, self.xn, self.std = x.shape[0], xc, xn, std
            self.update_running(mu, var)
        else:
            xn = self.test_normalise(x)
        return (self.gamma * xn + self.beta).reshape(*self.input_shape)

    def update_running(self, mu, var):
        self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
        self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var

    def test_normalise(self, x):
        return (x - self.running_mean) / np.sqrt(self.running_var + 10e-7)

    def backward(self, dout):
        dout = dout.reshape(dout.shape[0], -1)
        self.dbeta = dout.sum(axis=0)
        self.dgamma = np.sum(self.xn * dout, axis=0)
        dxn = self.gamma * dout
        dxc = dxn / self.std
        dstd = -np.sum((dxn * self.xc) / (self.std * self.std), axis=0)
        dvar = 0.5 * dstd / self.std
        dxc += (2.0 / self.batch_size) * self.xc * dvar
        dmu = np.sum(dxc, axis=0)
        dx = dxc - dmu / self.batch_size
        return dx.reshape(*self.input_shape)


class _BNUpdatesAtTest(_BNBase):
    def test_normalise(self, x):
        mu = x.mean(axis=0)
        var = np.mean((x - mu) ** 2, axis=0)
        self.update_running(mu, var)
        return (x - self.running_mean) / np.sqrt(self.running_var + 10e-7)


class _BNMomentumSwapped(_BNBase):
    def update_running(self, mu, var):
        self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mu
        self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var


class _BNTestUsesBatchStatistics(_BNBase):
    def test_normalise(self, x):
        xc = x - x.mean(axis=0)
        return xc / np.sqrt(np.mean(xc**2, axis=0) + 10e-7)


class _BNBackwardIgnoresStatistics(_BNBase):
    def backward(self, dout):
        dout = dout.reshape(dout.shape[0], -1)
        self.dbeta = dout.sum(axis=0)
        self.dgamma = np.sum(self.xn * dout, axis=0)
        dx = self.gamma * dout / self.std
        return dx.reshape(*self.input_shape)


MISTAKES: tuple[Mistake, ...] = (
    Mistake(
        id="dlfs-relu-changes-input", function="Relu", title="Relu.forward zeroes the caller's x (no copy)",
        explanation=("Your forward writes the zeros into x itself (out = x; out[self.mask] = 0), so the caller's "
                     "input changes: the previous layer's output is destroyed. Copy first: out = x.copy()."),
        mutant=_ReluChangesInput,
    ),
    Mistake(
        id="dlfs-relu-mask-from-dout", function="Relu", title="Relu.backward masks by dout instead of x",
        explanation=("Your backward keeps dout where dout > 0. The derivative of ReLU depends on the forward's "
                     "input: pass dout where x > 0 and 0 where x <= 0, with the mask saved by forward."),
        mutant=_ReluMaskFromDout,
    ),
    Mistake(
        id="dlfs-sigmoid-backward-uses-input", function="Sigmoid",
        title="Sigmoid.backward uses x where it needs the output y",
        explanation=("Your backward computes dout * (1 - x) * x with the forward's input. The derivative is "
                     "y (1 - y) with y = sigmoid(x), the forward's output: keep it (self.out) and use it."),
        mutant=_SigmoidBackwardUsesInput,
    ),
    Mistake(
        id="dlfs-sigmoid-backward-no-dout", function="Sigmoid", title="Sigmoid.backward drops dout",
        explanation=("Your backward returns y (1 - y) alone. The chain rule multiplies by the gradient arriving "
                     "from above: dx = dout * (1 - y) * y."),
        mutant=_SigmoidBackwardNoDout,
    ),
    Mistake(
        id="dlfs-affine-no-reshape", function="Affine", title="Affine.backward does not reshape dx to x's shape",
        explanation=("Your backward returns dx with the flattened shape (N, C*H*W). The layer below (a "
                     "convolution or pooling layer) expects its own output's shape (N, C, H, W): keep "
                     "x.shape in forward and return dx.reshape(*self.original_x_shape)."),
        mutant=_AffineNoReshapeBack,
    ),
    Mistake(
        id="dlfs-affine-db-wrong-axis", function="Affine", title="Affine's db summed over the wrong axis",
        explanation=("Your db sums dout over axis 1 (over the outputs of each example). b is added to every "
                     "row, so its gradient sums over the batch: db = np.sum(dout, axis=0)."),
        mutant=_AffineDbNotSummed,
    ),
    Mistake(
        id="dlfs-affine-dx-not-transposed", function="Affine", title="Affine's dx uses W instead of W.T",
        explanation=("Your dx is dout @ W. With out = x @ W + b the gradient is dx = dout @ W.T "
                     "(shapes: (N, M) @ (M, D) = (N, D))."),
        mutant=_AffineBackwardUsesTransposeOfX,
    ),
    Mistake(
        id="dlfs-softmax-loss-without-softmax", function="SoftmaxWithLoss",
        title="SoftmaxWithLoss takes the cross-entropy of the raw scores",
        explanation=("Your forward passes the scores x straight to cross_entropy_error. The scores are not "
                     "probabilities (they can be negative, and log of a negative number is NaN): apply softmax "
                     "first, self.y = softmax(x), then loss = cross_entropy_error(self.y, t)."),
        mutant=_SoftmaxLossWithoutSoftmax,
    ),
    Mistake(
        id="dlfs-softmax-backward-not-averaged", function="SoftmaxWithLoss",
        title="SoftmaxWithLoss.backward not divided by the batch size",
        explanation=("The loss is the mean over the batch, so each example's gradient is divided by the batch "
                     "size: dx = (y - t) / batch_size."),
        mutant=_SoftmaxLossNotDividedByBatch,
    ),
    Mistake(
        id="dlfs-softmax-whole-batch", function="SoftmaxWithLoss",
        title="softmax normalised over the whole batch instead of each row",
        explanation=("Your softmax divides by the sum of every score in the batch, so the rows do not each sum "
                     "to 1. Normalise each example (row) separately: subtract the row maximum and divide by "
                     "np.sum(..., axis=1, keepdims=True)."),
        mutant=_SoftmaxOverWholeBatch,
    ),
    Mistake(
        id="dlfs-softmax-backward-one-hot-only", function="SoftmaxWithLoss",
        title="SoftmaxWithLoss.backward assumes one-hot labels",
        explanation=("Your backward subtracts t from y, which is right only when t is one-hot. With labels given "
                     "as class indices (t.size != y.size), subtract 1 at each row's label instead: "
                     "dx = y.copy(); dx[np.arange(batch_size), t] -= 1; dx /= batch_size."),
        mutant=_SoftmaxBackwardOneHotOnly,
    ),
    Mistake(
        id="dlfs-dropout-scaled-twice", function="Dropout",
        title="dropout rescaled at training time and at test time",
        explanation=("Your layer divides by 1 - dropout_ratio at training time (inverted dropout) and also "
                     "multiplies by 1 - dropout_ratio at test time: the scale is corrected twice. The book "
                     "scales only at test time: train x * mask, test x * (1 - dropout_ratio)."),
        mutant=_DropoutScaledTwice,
    ),
    Mistake(
        id="dlfs-dropout-test-returns-none", function="Dropout", title="Dropout at test time returns nothing",
        explanation=("Your test-mode branch computes x * (1 - dropout_ratio) but does not return it, so "
                     "forward(x, train_flg=False) returns None. Add the return."),
        mutant=_DropoutTestReturnsNone,
    ),
    Mistake(
        id="dlfs-dropout-test-not-scaled", function="Dropout", title="Dropout at test time returns x unscaled",
        explanation=("At training time only a share 1 - dropout_ratio of the units pass, so the next layer sees "
                     "(1 - dropout_ratio) times less signal than with all units. The book compensates at test "
                     "time: return x * (1 - dropout_ratio)."),
        mutant=_DropoutTestNotScaled,
    ),
    Mistake(
        id="dlfs-dropout-keeps-ratio", function="Dropout", title="Dropout keeps dropout_ratio of the units",
        explanation=("Your mask is rand < dropout_ratio, which keeps a share dropout_ratio of the units. "
                     "dropout_ratio is the share dropped: keep a unit where rand > dropout_ratio."),
        mutant=_DropoutKeepsRatio,
    ),
    Mistake(
        id="dlfs-dropout-backward-no-mask", function="Dropout", title="Dropout.backward ignores the mask",
        explanation=("A dropped unit contributed nothing to the output, so no gradient flows back through it: "
                     "dx = dout * self.mask, with the mask of the forward pass."),
        mutant=_DropoutBackwardNoMask,
    ),
    Mistake(
        id="dlfs-bn-running-updated-at-test", function="BatchNormalization",
        title="batch norm updates its running statistics at test time",
        explanation=("Your test-mode forward updates running_mean and running_var with the test batch. Test "
                     "mode only reads them: the statistics are learned during training."),
        mutant=_BNUpdatesAtTest,
    ),
    Mistake(
        id="dlfs-bn-momentum-swapped", function="BatchNormalization",
        title="batch norm's running averages weighted the wrong way",
        explanation=("Your running average keeps (1 - momentum) of the old value. momentum (0.9) is the weight "
                     "of the past: running_mean = momentum * running_mean + (1 - momentum) * mu."),
        mutant=_BNMomentumSwapped,
    ),
    Mistake(
        id="dlfs-bn-test-uses-batch-statistics", function="BatchNormalization",
        title="batch norm at test time normalises with the test batch's statistics",
        explanation=("At test time (train_flg=False) normalise with the running statistics: "
                     "xn = (x - running_mean) / sqrt(running_var + eps). The test batch's own mean and variance "
                     "make each prediction depend on the other examples of the batch."),
        mutant=_BNTestUsesBatchStatistics,
    ),
    Mistake(
        id="dlfs-bn-backward-ignores-statistics", function="BatchNormalization",
        title="batch norm backward treats the mean and variance as constants",
        explanation=("Your dx is gamma * dout / std. The batch mean and variance depend on every x in the batch, "
                     "so their gradients add two terms: dx = (g - mean(g) - xn * mean(g * xn)) / std with "
                     "g = gamma * dout (means over the batch)."),
        mutant=_BNBackwardIgnoresStatistics,
    ),
)
