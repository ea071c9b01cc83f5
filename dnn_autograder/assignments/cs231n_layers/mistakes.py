r"""Known mistakes in CS231n's ``layers.py``: dropout, batch normalization, layer normalization.

From what learners post about this assignment (questions on the course forum and Q&A sites,
public solution repositories of several years): dropout's ``p`` read as the other probability
than the template states, kept units not rescaled or divided by the drop probability, one mask
per feature (``np.random.rand(D)``), test mode that scales or drops again; batch norm's test mode
without ``gamma``/``beta`` or with the batch's own statistics, the standard deviation stored as
the running variance, momentum's weights swapped, epsilon outside the square root, ``dgamma``
summed with ``keepdims`` (shape ``(1, D)``), backward passes that drop the mean and variance
paths, unpack the cache in another order, or forget ``gamma``; layer norm over the batch axis.

Mutants have the reference's signatures. Backward mutants read the reference's cache layout
(:mod:`dnn_autograder.reference.cs231n_layers`: batch norm ``(x_hat, gamma, std, eps)``, layer norm
``(x_hat, gamma, std)``, dropout ``(dropout_param, mask)`` with the scaled mask), which the master
solution shares, so a mutant written into the master is a whole submission.

The dropout forward mistakes depend on what ``p`` means, so they are built by
:func:`dropout_forward_mistakes` for one template year; ``cs231n_layers_2017`` imports the rest of
this catalogue as it is (the same ids: the same mistakes).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from dnn_autograder.assignments.cs231n_layers.properties import (
    DX,
    MIN_COLUMNS,
    MIN_ROWS,
    OUT,
    keep_probability,
    kept_fraction_fits,
)
from dnn_autograder.grader.assignment.catalogue import Mistake

__all__ = ["BATCHNORM_MISTAKES", "DROPOUT_BACKWARD_MISTAKES", "LAYERNORM_MISTAKES", "MISTAKES",
           "dropout_forward_mistakes"]

Keep = Callable[[Mapping[str, Any]], float]


# --- dropout forward: one set per template year -----------------------------------------------


def _train_view(inputs: Mapping[str, Any], got: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray] | None:
    """``(x, out)`` of a train-mode case whose ``out`` is a finite array of x's shape, else None."""
    x = np.asarray(inputs["x"], dtype=float)
    out = got.get(OUT)
    if inputs["dropout_param"]["mode"] != "train" or not isinstance(out, np.ndarray) or out.shape != x.shape:
        return None
    out = out.astype(float)
    return (x, out) if np.all(np.isfinite(out)) else None


def _kept_ratios(view: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    x, out = view
    return out[out != 0] / x[out != 0]


def dropout_forward_mistakes(keep: Keep, *, suffix: str = "", meaning: str) -> tuple[Mistake, ...]:
    """The dropout forward mistakes of the template where the keep probability is ``keep(dropout_param)``.

    ``meaning`` says in words what ``p`` is in that template; ``suffix`` keeps ids apart between
    templates whose ``p`` means different things (the formulas in the explanations differ).
    """
    q_text = "p" if keep is keep_probability else "1 - p"
    other = "1 - p" if q_text == "p" else "p"

    def wrong_probability(x, dropout_param):
        if "seed" in dropout_param:
            np.random.seed(dropout_param["seed"])
        q = 1 - keep(dropout_param)
        out, mask = x, None
        if dropout_param["mode"] == "train":
            mask = (np.random.rand(*x.shape) < q) / q
            out = x * mask
        return out, (dropout_param, mask)

    def no_rescale(x, dropout_param):
        if "seed" in dropout_param:
            np.random.seed(dropout_param["seed"])
        out, mask = x, None
        if dropout_param["mode"] == "train":
            mask = np.random.rand(*x.shape) < keep(dropout_param)
            out = x * mask
        return out, (dropout_param, mask)

    def wrong_factor(x, dropout_param):
        if "seed" in dropout_param:
            np.random.seed(dropout_param["seed"])
        q = keep(dropout_param)
        out, mask = x, None
        if dropout_param["mode"] == "train":
            mask = (np.random.rand(*x.shape) < q) / (1 - q)
            out = x * mask
        return out, (dropout_param, mask)

    def per_feature(x, dropout_param):
        if "seed" in dropout_param:
            np.random.seed(dropout_param["seed"])
        q = keep(dropout_param)
        out, mask = x, None
        if dropout_param["mode"] == "train":
            mask = (np.random.rand(*x.shape[1:]) < q) / q
            out = x * mask
        return out, (dropout_param, mask)

    def test_scaled(x, dropout_param):
        if "seed" in dropout_param:
            np.random.seed(dropout_param["seed"])
        q = keep(dropout_param)
        mask = None
        if dropout_param["mode"] == "train":
            mask = (np.random.rand(*x.shape) < q) / q
            return x * mask, (dropout_param, mask)
        return x * q, (dropout_param, mask)

    def test_dropped(x, dropout_param):
        if "seed" in dropout_param:
            np.random.seed(dropout_param["seed"])
        q = keep(dropout_param)
        mask = (np.random.rand(*x.shape) < q) / q
        return x * mask, (dropout_param, mask)

    def shows_wrong_probability(inputs, got, observation):
        view = _train_view(inputs, got)
        if view is None:
            return False
        kept, q = view[1] != 0, keep(inputs["dropout_param"])
        return kept_fraction_fits(kept, 1 - q) is True and kept_fraction_fits(kept, q) is False

    def shows_ratio(factor: Callable[[float], float], *, kept_with_q: bool) -> Callable[..., bool]:
        """Kept units scaled by ``factor(q)``; with ``kept_with_q``, only on inputs large enough to
        show that units were kept with probability ``q`` (a scale of ``1 / (1 - q)`` also comes with
        the wrong probability)."""
        def check(inputs, got, observation):
            view = _train_view(inputs, got)
            q = keep(inputs["dropout_param"])
            if view is None or not 0 < q < 1 or abs(factor(q) - 1 / q) < 1e-9:
                return False
            if kept_with_q and kept_fraction_fits(view[1] != 0, q) is not True:
                return False
            ratios = _kept_ratios(view)
            return ratios.size > 0 and bool(np.allclose(ratios, factor(q), rtol=1e-6))
        return check

    def shows_per_feature(inputs, got, observation):
        """Whole features kept and whole features dropped, none mixed, kept units rightly scaled."""
        view = _train_view(inputs, got)
        if view is None or view[0].ndim < 2 or view[0].shape[0] < MIN_ROWS or view[0][0].size < MIN_COLUMNS:
            return False
        kept = (view[1] != 0).reshape(view[0].shape[0], -1)
        whole, none = kept.all(axis=0), (~kept).all(axis=0)
        q = keep(inputs["dropout_param"])
        return bool(np.all(whole | none) and whole.any() and none.any()
                    and np.allclose(_kept_ratios(view), 1 / q, rtol=1e-6))

    def shows_test(kind: str) -> Callable[..., bool]:
        def check(inputs, got, observation):
            x, out, q = np.asarray(inputs["x"], dtype=float), got.get(OUT), keep(inputs["dropout_param"])
            if inputs["dropout_param"]["mode"] != "test" or not isinstance(out, np.ndarray) or out.shape != x.shape:
                return False
            if not 0 < q < 1:
                return False
            if kind == "scaled":
                return bool(np.allclose(out, x * q, rtol=1e-6))
            kept = out != 0
            return bool((~kept).any() and kept.any() and np.allclose(out[kept], x[kept] / q, rtol=1e-6))
        return check

    right = f"mask = (np.random.rand(*x.shape) < {q_text}) / ({q_text}); out = x * mask"
    return (
        Mistake(
            id=f"cs231n-dropout-p-wrong-probability{suffix}",
            function="dropout_forward",
            title=f"p used as the {'drop' if q_text == 'p' else 'keep'} probability",
            explanation=(
                f"Your units were kept with probability {other}. In this template {meaning}, so a unit is kept with "
                f"probability {q_text}: {right}."
            ),
            mutant=wrong_probability,
            structural=shows_wrong_probability,
        ),
        Mistake(
            id=f"cs231n-dropout-no-rescale{suffix}",
            function="dropout_forward",
            title="Kept units not divided by the keep probability",
            explanation=(
                "Your kept units were passed through unchanged. Inverted dropout divides them by the keep probability "
                f"at training time, so that the expected output equals x and test time needs no change: {right}."
            ),
            mutant=no_rescale,
            structural=shows_ratio(lambda q: 1.0, kept_with_q=False),
        ),
        Mistake(
            id=f"cs231n-dropout-wrong-rescale{suffix}",
            function="dropout_forward",
            title="Kept units divided by the drop probability",
            explanation=(
                f"Your kept units were divided by {other}, the probability of dropping a unit. Divide by the keep "
                f"probability, {q_text} in this template ({meaning}): {right}."
            ),
            mutant=wrong_factor,
            structural=shows_ratio(lambda q: 1.0 / (1.0 - q), kept_with_q=True),
        ),
        Mistake(
            id=f"cs231n-dropout-mask-per-feature{suffix}",
            function="dropout_forward",
            title="One mask value per feature, shared by every example",
            explanation=(
                "Your mask had one entry per feature (np.random.rand(D) or x.shape[1:]), so every example of the "
                "batch dropped the same units. Dropout draws independently for every element: "
                f"np.random.rand(*x.shape). {right}."
            ),
            mutant=per_feature,
            structural=shows_per_feature,
        ),
        Mistake(
            id=f"cs231n-dropout-test-scaled{suffix}",
            function="dropout_forward",
            title="Test mode multiplies by the keep probability",
            explanation=(
                "In test mode you returned x times the keep probability, the rule of the original (non-inverted) "
                "dropout. With inverted dropout the scaling already happened at training time, so test mode is "
                "the identity: out = x."
            ),
            mutant=test_scaled,
            structural=shows_test("scaled"),
        ),
        Mistake(
            id=f"cs231n-dropout-test-dropped{suffix}",
            function="dropout_forward",
            title="Dropout applied in test mode too",
            explanation=(
                "In test mode you drew a mask and dropped units as in training. At test time every unit is used "
                "and, with inverted dropout, nothing is scaled: out = x."
            ),
            mutant=test_dropped,
            structural=shows_test("dropped"),
        ),
    )


# --- dropout backward (the same in every template year) ---------------------------------------


def _dropout_backward_unscaled(dout, cache):
    dropout_param, mask = cache
    if dropout_param["mode"] == "train":
        return dout * (mask != 0)
    return dout


def _dropout_backward_rescaled_twice(dout, cache):
    dropout_param, mask = cache
    if dropout_param["mode"] == "train":
        return dout * mask * mask
    return dout


def _backward_view(inputs, got):
    x, dout = np.asarray(inputs["x"], dtype=float), np.asarray(inputs["dout"], dtype=float)
    out, dx = got.get(OUT), got.get(DX)
    if (inputs["dropout_param"]["mode"] != "train" or not isinstance(out, np.ndarray) or not isinstance(dx, np.ndarray)
            or out.shape != x.shape or dx.shape != x.shape):
        return None
    kept = (out != 0) & (dout != 0)
    ratio = out / x
    if not kept.any() or np.allclose(ratio[kept], 1.0):
        return None
    return dx[kept] / dout[kept], ratio[kept]


def _shows_backward_unscaled(inputs, got, observation):
    view = _backward_view(inputs, got)
    return view is not None and bool(np.allclose(view[0], 1.0, rtol=1e-6))


def _shows_backward_twice(inputs, got, observation):
    view = _backward_view(inputs, got)
    return view is not None and bool(np.allclose(view[0], view[1] ** 2, rtol=1e-6))


DROPOUT_BACKWARD_MISTAKES = (
    Mistake(
        id="cs231n-dropout-backward-unscaled",
        function="dropout_backward",
        title="Backward pass masks dout but does not rescale it",
        explanation=(
            "Your dx was dout where the unit was kept, but the forward pass divided the kept units by the keep "
            "probability, so their gradient is divided by it too: dx = dout * mask with the same scaled mask "
            "(dx = dout * out / x wherever x is nonzero)."
        ),
        mutant=_dropout_backward_unscaled,
        structural=_shows_backward_unscaled,
    ),
    Mistake(
        id="cs231n-dropout-backward-rescaled-twice",
        function="dropout_backward",
        title="Backward pass divides by the keep probability a second time",
        explanation=(
            "Your mask was already divided by the keep probability in the forward pass, and the backward pass "
            "divided again. Multiply by the stored mask only: dx = dout * mask."
        ),
        mutant=_dropout_backward_rescaled_twice,
        structural=_shows_backward_twice,
    ),
)


# --- batch norm forward -----------------------------------------------------------------------


def _bn(x, gamma, beta, bn_param, *, ddof=0, running="var", test_affine=True, test_batch=False,
        swapped=False, test_eps=True, update=True, eps_outside=False):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.zeros(D, dtype=x.dtype))
    cache = None
    if mode == "train" or test_batch:
        mu = x.mean(axis=0)
        var = ((x - mu) ** 2).sum(axis=0) / (x.shape[0] - ddof)
        std = np.sqrt(var) + eps if eps_outside else np.sqrt(var + eps)
        x_hat = (x - mu) / std
        out = gamma * x_hat + beta
        cache = (x_hat, gamma, std, eps)
        if mode == "train" and update:
            stat = np.sqrt(var + eps) if running == "std" else var
            keep = 1 - momentum if swapped else momentum
            running_mean = keep * running_mean + (1 - keep) * mu
            running_var = keep * running_var + (1 - keep) * stat
    else:
        x_hat = (x - running_mean) / (np.sqrt(running_var + eps) if test_eps else np.sqrt(running_var))
        out = gamma * x_hat + beta if test_affine else x_hat
    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, cache


def _bn_test_no_affine(x, gamma, beta, bn_param):
    return _bn(x, gamma, beta, bn_param, test_affine=False)


def _bn_running_std(x, gamma, beta, bn_param):
    return _bn(x, gamma, beta, bn_param, running="std")


def _bn_test_batch_stats(x, gamma, beta, bn_param):
    return _bn(x, gamma, beta, bn_param, test_batch=True)


def _bn_momentum_swapped(x, gamma, beta, bn_param):
    return _bn(x, gamma, beta, bn_param, swapped=True)


def _bn_unbiased(x, gamma, beta, bn_param):
    with np.errstate(divide="ignore", invalid="ignore"):  # a batch of one: N - 1 = 0
        return _bn(x, gamma, beta, bn_param, ddof=1)


def _bn_eps_outside(x, gamma, beta, bn_param):
    with np.errstate(divide="ignore", invalid="ignore"):
        return _bn(x, gamma, beta, bn_param, eps_outside=True)


def _bn_test_no_eps(x, gamma, beta, bn_param):
    with np.errstate(divide="ignore", invalid="ignore"):
        return _bn(x, gamma, beta, bn_param, test_eps=False)


def _bn_not_updated(x, gamma, beta, bn_param):
    return _bn(x, gamma, beta, bn_param, update=False)


# --- batch norm backward ----------------------------------------------------------------------


def _bn_backward_no_mean_terms(dout, cache):
    x_hat, gamma, std, eps = cache
    return dout * gamma / std, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


def _bn_backward_keepdims(dout, cache):
    x_hat, gamma, std, eps = cache
    N = dout.shape[0]
    dx_hat = dout * gamma
    dx = (N * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0)) / (N * std)
    return dx, (dout * x_hat).sum(axis=0, keepdims=True), dout.sum(axis=0, keepdims=True)


def _bn_backward_swapped(dout, cache):
    x_hat, gamma, std, eps = cache
    N = dout.shape[0]
    dx_hat = dout * gamma
    dx = (N * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0)) / (N * std)
    return dx, dout.sum(axis=0), (dout * x_hat).sum(axis=0)


def _bn_backward_cache_order(dout, cache):
    x_hat, std, gamma, eps = cache  # gamma and std swapped
    N = dout.shape[0]
    dx_hat = dout * gamma
    with np.errstate(divide="ignore", invalid="ignore"):  # "std" is gamma here, which may be 0
        dx = (N * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0)) / (N * std)
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


def _bn_backward_no_gamma(dout, cache):
    x_hat, gamma, std, eps = cache
    N = dout.shape[0]
    dx = (N * dout - dout.sum(axis=0) - x_hat * (dout * x_hat).sum(axis=0)) / (N * std)
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


def _bn_backward_no_var_term(dout, cache):
    x_hat, gamma, std, eps = cache
    N = dout.shape[0]
    dx_hat = dout * gamma
    return (dx_hat - dx_hat.sum(axis=0) / N) / std, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


def _bn_alt_missing_n(dout, cache):
    x_hat, gamma, std, eps = cache
    N = dout.shape[0]
    dx_hat = dout * gamma
    dx = (N * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0)) / std
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


#: said by the forward mistakes that also cost the backward pass (their ``also_costs``)
_OWN_FORWARD = (" Your backward pass is checked against the derivative of your own forward pass (as the notebook's"
                " gradient check does), so it may fail too until this is fixed.")

_SHAPE_NOTE = (
    "The course's notebook compares with rel_error, which broadcasts a (1, D) array against (D,) and so accepts "
    "it; the grader does not, because gamma has shape (D,) and the update gamma -= lr * dgamma would turn gamma "
    "into a (1, D) array. Sum without keepdims: dgamma = np.sum(dout * x_hat, axis=0) and "
    "dbeta = np.sum(dout, axis=0), both of shape (D,)."
)


def _bn_backward_mistakes(function: str, tag: str) -> tuple[Mistake, ...]:
    common = (
        Mistake(
            id=f"cs231n-{tag}-no-mean-terms",
            function=function,
            title="dx = dout * gamma / std: the batch statistics treated as constants",
            explanation=(
                "Your dx ignored that the batch mean and variance depend on x. Every input moves them, so dx has "
                "two more terms: dx = (1 / (N * std)) * (N * dx_hat - sum(dx_hat, axis=0) - x_hat * "
                "sum(dx_hat * x_hat, axis=0)) with dx_hat = dout * gamma."
            ),
            mutant=_bn_backward_no_mean_terms,
        ),
        Mistake(
            id=f"cs231n-{tag}-keepdims",
            function=function,
            title="dgamma and dbeta of shape (1, D) instead of (D,)",
            explanation="Your dgamma and dbeta were summed with keepdims=True, shape (1, D). " + _SHAPE_NOTE,
            mutant=_bn_backward_keepdims,
        ),
        Mistake(
            id=f"cs231n-{tag}-no-gamma",
            function=function,
            title="gamma left out of dx",
            explanation=(
                "Your dx started from dout instead of dx_hat = dout * gamma: out = gamma * x_hat + beta, so the "
                "gradient reaching x_hat is scaled by gamma."
            ),
            mutant=_bn_backward_no_gamma,
        ),
    )
    if tag == "batchnorm-alt":
        return common + (
            Mistake(
                id="cs231n-batchnorm-alt-missing-1-over-n",
                function=function,
                title="The closed form without its 1 / N",
                explanation=(
                    "Your dx was N times too large: the simplified form is dx = (1 / (N * std)) * (N * dx_hat - "
                    "sum(dx_hat, axis=0) - x_hat * sum(dx_hat * x_hat, axis=0))."
                ),
                mutant=_bn_alt_missing_n,
            ),
        )
    return common + (
        Mistake(
            id="cs231n-batchnorm-backward-gradients-swapped",
            function=function,
            title="dgamma and dbeta returned in the wrong order",
            explanation="Your function returned (dx, dbeta, dgamma); the course's order is dx, dgamma, dbeta.",
            mutant=_bn_backward_swapped,
        ),
        Mistake(
            id="cs231n-batchnorm-backward-cache-order",
            function=function,
            title="Cache unpacked in another order than the forward pass packed it",
            explanation=(
                "Your backward pass read two entries of the cache in swapped places (here the scale gamma and the "
                "standard deviation), so it computed with the wrong quantities. Unpack the cache in exactly the "
                "order your forward pass built it, e.g. cache = (x_hat, gamma, std, eps) and "
                "x_hat, gamma, std, eps = cache."
            ),
            mutant=_bn_backward_cache_order,
        ),
        Mistake(
            id="cs231n-batchnorm-backward-no-var-term",
            function=function,
            title="The path through the variance left out",
            explanation=(
                "Your dx kept the path through the mean but not the one through the variance. With "
                "dvar = -0.5 * sum(dx_hat * (x - mu), axis=0) * std**-3 it adds dvar * 2 * (x - mu) / N; "
                "together: dx = (N * dx_hat - sum(dx_hat) - x_hat * sum(dx_hat * x_hat)) / (N * std)."
            ),
            mutant=_bn_backward_no_var_term,
        ),
    )


BATCHNORM_MISTAKES = (
    Mistake(
        id="cs231n-batchnorm-test-without-gamma-beta",
        function="batchnorm_forward",
        title="Test mode returns the normalized x without gamma and beta",
        explanation=(
            "In test mode you returned (x - running_mean) / np.sqrt(running_var + eps) and stopped. The layer's "
            "scale and shift apply at test time too: out = gamma * x_hat + beta."
        ),
        mutant=_bn_test_no_affine,
    ),
    Mistake(
        id="cs231n-batchnorm-running-std",
        function="batchnorm_forward",
        title="Standard deviation stored as the running variance",
        explanation=(
            "You averaged the standard deviation np.sqrt(var + eps) into running_var. The running average is of the "
            "variance: running_var = momentum * running_var + (1 - momentum) * sample_var, and test mode divides by "
            "np.sqrt(running_var + eps)."
        ),
        mutant=_bn_running_std,
    ),
    Mistake(
        id="cs231n-batchnorm-test-batch-stats",
        function="batchnorm_forward",
        title="Test mode normalizes with the test batch's own statistics",
        explanation=(
            "In test mode you computed the mean and variance of the batch you were given. Test mode uses the running "
            "averages gathered in training: out = gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta."
        ),
        mutant=_bn_test_batch_stats,
    ),
    Mistake(
        id="cs231n-batchnorm-momentum-swapped",
        function="batchnorm_forward",
        title="Running averages with momentum's weights swapped",
        explanation=(
            "You computed running_mean = (1 - momentum) * running_mean + momentum * sample_mean. The template's "
            "formula keeps momentum of the old value: running_mean = momentum * running_mean + (1 - momentum) * "
            "sample_mean (and the same for running_var)."
        ),
        mutant=_bn_momentum_swapped,
    ),
    Mistake(
        id="cs231n-batchnorm-unbiased-variance",
        function="batchnorm_forward",
        title="Unbiased variance (ddof=1) instead of the batch variance",
        explanation=(
            "You divided by N - 1 (np.var(x, ddof=1) or np.std(..., ddof=1)). Batch normalization uses the "
            "(biased) batch variance, np.var(x, axis=0), dividing by N." + _OWN_FORWARD
        ),
        mutant=_bn_unbiased,
        also_costs=("batchnorm_backward", "batchnorm_backward_alt"),
    ),
    Mistake(
        id="cs231n-batchnorm-eps-outside-sqrt",
        function="batchnorm_forward",
        title="Epsilon added to the standard deviation instead of the variance",
        explanation=(
            "You divided by np.sqrt(var) + eps. Batch normalization adds eps to the variance, inside the root: "
            "x_hat = (x - mu) / np.sqrt(var + eps)." + _OWN_FORWARD
        ),
        mutant=_bn_eps_outside,
        also_costs=("batchnorm_backward", "batchnorm_backward_alt"),
    ),
    Mistake(
        id="cs231n-batchnorm-test-no-eps",
        function="batchnorm_forward",
        title="Test mode divides by np.sqrt(running_var) without eps",
        explanation=(
            "In test mode you divided by np.sqrt(running_var). Normalize as in training, with eps under the root: "
            "np.sqrt(running_var + eps)."
        ),
        mutant=_bn_test_no_eps,
    ),
    Mistake(
        id="cs231n-batchnorm-running-not-updated",
        function="batchnorm_forward",
        title="Running averages not updated in training",
        explanation=(
            "bn_param['running_mean'] and bn_param['running_var'] did not change in training mode. Update them "
            "after each training batch: running_mean = momentum * running_mean + (1 - momentum) * sample_mean, "
            "the same for the variance, and keep the template's lines that store them back into bn_param."
        ),
        mutant=_bn_not_updated,
    ),
    *_bn_backward_mistakes("batchnorm_backward", "batchnorm-backward"),
    *_bn_backward_mistakes("batchnorm_backward_alt", "batchnorm-alt"),
)


# --- layer norm -------------------------------------------------------------------------------


def _ln(x, gamma, beta, ln_param, *, axis=1, eps_outside=False):
    eps = ln_param.get("eps", 1e-5)
    mu = x.mean(axis=axis, keepdims=True)
    var = x.var(axis=axis, keepdims=True)
    std = np.sqrt(var) + eps if eps_outside else np.sqrt(var + eps)
    x_hat = (x - mu) / std
    return gamma * x_hat + beta, (x_hat, gamma, std)


def _ln_batch_axis(x, gamma, beta, ln_param):
    return _ln(x, gamma, beta, ln_param, axis=0)


def _ln_eps_outside(x, gamma, beta, ln_param):
    with np.errstate(divide="ignore", invalid="ignore"):
        return _ln(x, gamma, beta, ln_param, eps_outside=True)


def _ln_backward_batch_axis(dout, cache):
    x_hat, gamma, std = cache
    N = dout.shape[0]
    dx_hat = dout * gamma
    dx = (N * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0)) / (N * std)
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


def _ln_backward_dgamma_rows(dout, cache):
    x_hat, gamma, std = cache
    D = dout.shape[1]
    dx_hat = dout * gamma
    dx = (D * dx_hat - dx_hat.sum(axis=1, keepdims=True)
          - x_hat * (dx_hat * x_hat).sum(axis=1, keepdims=True)) / (D * std)
    return dx, (dout * x_hat).sum(axis=1), dout.sum(axis=1)


def _ln_backward_no_mean_terms(dout, cache):
    x_hat, gamma, std = cache
    return dout * gamma / std, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


LAYERNORM_MISTAKES = (
    Mistake(
        id="cs231n-layernorm-batch-axis",
        function="layernorm_forward",
        title="Layer norm over the batch axis (that is batch norm)",
        explanation=(
            "You took the mean and variance over axis 0, across the examples. Layer normalization normalizes each "
            "example over its own D features: mu = x.mean(axis=1, keepdims=True), "
            "var = x.var(axis=1, keepdims=True), x_hat = (x - mu) / np.sqrt(var + eps), out = gamma * x_hat + beta."
            + _OWN_FORWARD
        ),
        mutant=_ln_batch_axis,
        also_costs=("layernorm_backward",),
    ),
    Mistake(
        id="cs231n-layernorm-eps-outside-sqrt",
        function="layernorm_forward",
        title="Epsilon added to the standard deviation instead of the variance",
        explanation=("You divided by np.sqrt(var) + eps; normalize with np.sqrt(var + eps), eps inside the root."
                     + _OWN_FORWARD),
        mutant=_ln_eps_outside,
        also_costs=("layernorm_backward",),
    ),
    Mistake(
        id="cs231n-layernorm-backward-batch-axis",
        function="layernorm_backward",
        title="Batch norm's backward formula (sums over the batch) used for layer norm",
        explanation=(
            "Your dx summed over axis 0 as batch norm's does. Layer norm's statistics are per example, so the sums "
            "in dx run over the features: dx = (D * dx_hat - dx_hat.sum(axis=1, keepdims=True) - x_hat * "
            "(dx_hat * x_hat).sum(axis=1, keepdims=True)) / (D * std). dgamma and dbeta still sum over axis 0."
        ),
        mutant=_ln_backward_batch_axis,
    ),
    Mistake(
        id="cs231n-layernorm-backward-dgamma-rows",
        function="layernorm_backward",
        title="dgamma and dbeta summed over the features (axis 1)",
        explanation=(
            "Your dgamma and dbeta had one entry per example. gamma and beta have one entry per feature, shared by "
            "all examples, so their gradients sum over the batch: dgamma = np.sum(dout * x_hat, axis=0), "
            "dbeta = np.sum(dout, axis=0), shape (D,)."
        ),
        mutant=_ln_backward_dgamma_rows,
    ),
    Mistake(
        id="cs231n-layernorm-backward-no-mean-terms",
        function="layernorm_backward",
        title="dx = dout * gamma / std: the per-example statistics treated as constants",
        explanation=(
            "Your dx ignored that each example's mean and variance depend on its features. dx = (D * dx_hat - "
            "dx_hat.sum(axis=1, keepdims=True) - x_hat * (dx_hat * x_hat).sum(axis=1, keepdims=True)) / (D * std)."
        ),
        mutant=_ln_backward_no_mean_terms,
    ),
)


MISTAKES = (
    dropout_forward_mistakes(keep_probability, meaning="p is the probability of keeping a unit (2018+ templates)")
    + DROPOUT_BACKWARD_MISTAKES + BATCHNORM_MISTAKES + LAYERNORM_MISTAKES
)
