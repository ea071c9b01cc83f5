r"""Property checks of the book's ``MultiLayerNet`` and ``shuffle_dataset``, for learners whose
random draws differ from the book's (another draw order, ``np.random.normal``, a generator).

``check_network`` judges one run of the script of ``cases.py`` by:

1. form of ``net.params`` after construction: keys ``W1, b1, ..., WL, bL`` for the sizes
   ``[input_size, *hidden_size_list, output_size]``, ``W_l`` of shape ``(n_{l-1}, n_l)``,
   ``b_l`` of shape ``(n_l,)`` (or ``(1, n_l)``), finite; biases exactly 0; weights not all equal;
2. distribution of each weight matrix with at least ``MIN_ENTRIES`` entries: independent
   ``N(0, s^2)`` with ``s`` = :func:`~dnn_autograder.reference.dlfs_training.init_scale`
   ``(weight_init_std, n_{l-1})`` (He :math:`\sqrt{2/n_{l-1}}` for ``'relu'``/``'he'``, Xavier
   :math:`\sqrt{1/n_{l-1}}` for ``'sigmoid'``/``'xavier'``, a number as it is), by the two tests
   of :mod:`dnn_autograder.assignments.initialization.properties` (exact z-test of the mean,
   Chernoff bound of the chi-square variance test), each at level ``TEST_LEVEL = 1e-8``. One
   grade runs the check at most once per case, and every case has exactly one matrix that large
   (the first: 1,200 to 2,400 entries; the others have at most 450), so at most
   ``2 * MAX_CASES = 2 * 20 = 40`` tests: a right network fails a grade with probability at most
   ``40 * 1e-8 = 4e-7`` (below the 1e-6 per grade the bank promises);
3. the network's arithmetic on its OWN parameters: with ``P`` = ``net.params`` read after the
   loss, ``y``, ``loss`` and every ``grads`` entry must equal
   :func:`~dnn_autograder.reference.dlfs_training.network_forward_backward` ``(P, x, t,
   activation, weight_decay_lambda)`` within ``ATOL + RTOL * |expected|``, and ``P`` must be the
   constructed parameters with ``b1`` shifted by ``shift`` (the layers share the arrays of
   ``params``).

``check_shuffle`` judges ``x_s, t_s = shuffle_dataset(x, t)``: every row of ``x_s`` is a row of
``x`` (rows of ``x`` are distinct in the bank), each used once, i.e. ``x_s = x[p]`` for a
permutation ``p``; ``t_s = t[p]`` (pairs kept); ``p`` is not the identity (12 or more examples:
a right shuffle returns the identity with probability at most ``1 / 12! = 2.1e-9``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from dnn_autograder.assignments.initialization.properties import fits_gaussian
from dnn_autograder.grader.model import script_output
from dnn_autograder.reference.dlfs_training import init_scale, network_forward_backward

__all__ = ["RTOL", "ATOL", "MIN_ENTRIES", "MAX_CASES", "TEST_LEVEL", "check_network", "check_shuffle",
           "layer_sizes", "expected_scale"]

#: tolerances of the recomputed loss, scores and gradients
RTOL, ATOL = 1e-6, 1e-8
#: a weight matrix needs this many entries before its distribution is tested
MIN_ENTRIES = 1000
#: level of each statistical test
TEST_LEVEL = 1e-8
#: most cases one grade of the network may judge by properties (the bank is tested against it)
MAX_CASES = 20

#: where the script of cases.network_script compares what (0-based steps)
PARAMS_AFTER_INIT, SCORES, LOSS, PARAMS_AT_LOSS, GRADS = (
    script_output(0, "net.params"), script_output(4, "y"), script_output(5, "loss"),
    script_output(5, "net.params"), script_output(6, "grads"))


def layer_sizes(inputs: Mapping[str, Any]) -> list[int]:
    """``[input_size, *hidden_size_list, output_size]``."""
    return [int(inputs["input_size"]), *(int(n) for n in inputs["hidden_size_list"]), int(inputs["output_size"])]


def expected_scale(inputs: Mapping[str, Any], fan_in: int) -> float:
    """The standard deviation of a layer's weights with ``fan_in`` inputs (the book's default
    ``weight_init_std='relu'``)."""
    return init_scale(inputs.get("weight_init_std", "relu"), fan_in)


def _float_array(value: Any) -> np.ndarray | None:
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    return array


def _read_params(inputs: Mapping[str, Any], value: Any, when: str) -> tuple[dict[str, np.ndarray], list[str]]:
    """The ``W``/``b`` arrays of ``net.params`` (extra keys ignored) and the form problems."""
    sizes = layer_sizes(inputs)
    if not isinstance(value, Mapping):
        return {}, [f"net.params {when} must be a dict of arrays, got {type(value).__name__}"]
    arrays: dict[str, np.ndarray] = {}
    problems: list[str] = []
    for layer in range(1, len(sizes)):
        for key, shapes in ((f"W{layer}", [(sizes[layer - 1], sizes[layer])]),
                            (f"b{layer}", [(sizes[layer],), (1, sizes[layer])])):
            array = _float_array(value.get(key)) if key in value else None
            if array is None:
                problems.append(f"net.params {when} has no array {key!r}")
            elif array.shape not in shapes:
                problems.append(f"net.params[{key!r}] {when} has shape {array.shape}, expected {shapes[0]}")
            elif not np.all(np.isfinite(array)):
                problems.append(f"net.params[{key!r}] {when} holds NaN or infinite values")
            else:
                arrays[key] = array.reshape(shapes[0])
    return arrays, problems


def _init_problems(inputs: Mapping[str, Any], params: Mapping[str, np.ndarray]) -> list[str]:
    sizes = layer_sizes(inputs)
    problems = []
    for layer in range(1, len(sizes)):
        W, b = params[f"W{layer}"], params[f"b{layer}"]
        if np.any(b != 0):
            problems.append(f"b{layer} must start at zero (np.zeros({sizes[layer]}))")
        if W.size > 1 and np.all(W == W.flat[0]):
            problems.append(f"W{layer} has every weight equal: draw them at random (np.random.randn)")
            continue
        scale = expected_scale(inputs, sizes[layer - 1])
        if W.size >= MIN_ENTRIES and not fits_gaussian(W, scale, TEST_LEVEL):
            problems.append(
                f"W{layer} ({sizes[layer - 1]} x {sizes[layer]}) has standard deviation {float(np.std(W)):.4g}, "
                f"expected {scale:.4g} for weight_init_std={inputs.get('weight_init_std', 'relu')!r}: "
                f"'relu'/'he' scale sqrt(2 / n), 'sigmoid'/'xavier' sqrt(1 / n), with n = {sizes[layer - 1]} the "
                "size of the PREVIOUS layer; a number is the standard deviation itself")
    return problems


def _close(got: Any, expected: np.ndarray) -> bool:
    array = _float_array(got)
    return (array is not None and array.shape == np.shape(expected)
            and bool(np.all(np.abs(array - expected) <= ATOL + RTOL * np.abs(expected))))


def _arithmetic_problems(inputs: Mapping[str, Any], outputs: Mapping[str, Any],
                         initial: Mapping[str, np.ndarray]) -> list[str]:
    params, problems = _read_params(inputs, outputs.get(PARAMS_AT_LOSS), "at the loss")
    if problems:
        return problems
    shifted = dict(initial)
    shifted["b1"] = initial["b1"] + np.asarray(inputs["shift"], dtype=float)
    if any(not np.allclose(params[key], shifted[key], rtol=0, atol=1e-12) for key in shifted):
        problems.append("net.params changed between construction and the loss (beyond the script's own "
                        "b1 += shift): predict and loss must not re-initialise or replace the parameters")
    lam = float(inputs.get("weight_decay_lambda", 0.0))
    expected = network_forward_backward(params, inputs["x"], inputs["t"], str(inputs.get("activation", "relu")), lam)
    if not _close(outputs.get(SCORES), expected.scores):
        problems.append("predict(x) is not the scores of the last Affine layer computed from net.params "
                        "(Affine -> activation for each hidden layer, then the last Affine; no softmax)")
    if not _close(outputs.get(LOSS), np.asarray(expected.loss)):
        problems.append(f"loss(x, t) = {outputs.get(LOSS)!r}, expected {expected.loss:.6g} from your own "
                        "net.params: the softmax cross-entropy plus 0.5 * weight_decay_lambda * (sum of W**2 "
                        "over every layer's weights, not the biases)")
    grads = outputs.get(GRADS)
    wrong = [key for key, value in expected.grads.items()
             if not isinstance(grads, Mapping) or key not in grads or not _close(grads[key], value)]
    if wrong:
        problems.append(f"gradient(x, t) is wrong for {', '.join(wrong)} (computed from your own net.params): "
                        "backpropagate through every layer, then add weight_decay_lambda * W to each dW "
                        "(not to the biases)")
    return problems


def check_network(inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> tuple[str, ...]:
    """Initial weights spread as weight_init_std says (zero biases), and predict, loss and gradient
    right on the network's own params (module doc); messages of the properties violated."""
    initial, problems = _read_params(inputs, outputs.get(PARAMS_AFTER_INIT), "after construction")
    if problems:
        return tuple(problems)
    return tuple(_init_problems(inputs, initial) + _arithmetic_problems(inputs, outputs, initial))


def check_shuffle(inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> tuple[str, ...]:
    """x and t reordered by one permutation, pairs kept (module doc); messages of the properties
    violated."""
    x, t = np.asarray(inputs["x"]), np.asarray(inputs["t"])
    x_s = _float_array(outputs.get(script_output(0, "x_s")))
    t_s = _float_array(outputs.get(script_output(0, "t_s")))
    if x_s is None or x_s.shape != x.shape:
        return (f"x must come back with its shape {x.shape}",)
    if t_s is None or t_s.shape != t.shape:
        return (f"t must come back with its shape {t.shape}",)
    rows = {row.tobytes(): index for index, row in enumerate(x.reshape(len(x), -1).astype(float))}
    found = [rows.get(row.tobytes()) for row in x_s.reshape(len(x_s), -1)]
    order = [index for index in found if index is not None]
    if sorted(order) != list(range(len(x))):
        return ("the shuffled x must hold every example of x exactly once (a permutation of the rows)",)
    problems = []
    if not np.array_equal(t_s, t[order].astype(float)):
        problems.append("t must be reordered by the SAME permutation as x (one np.random.permutation used for "
                        "both): each label must stay with its example")
    if order == list(range(len(x))):
        problems.append("the examples came back in their original order: nothing was shuffled")
    return tuple(problems)
