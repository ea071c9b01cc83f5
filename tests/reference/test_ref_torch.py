"""Cross-checks against PyTorch (skipped when torch is not importable).

Torch's momentum buffer is undamped (``u = beta u + g``) and equals ``v / (1 - beta)`` in the
course's convention, so torch runs with ``lr * (1 - beta)`` to take the same steps.
"""

from __future__ import annotations

import numpy as np
import pytest
from reference_testkit import assert_close, labels, three_layer_parameters

torch = pytest.importorskip("torch")

from dnn_autograder.course_helpers import opt_utils_v1a, reg_utils  # noqa: E402
from dnn_autograder.reference import (  # noqa: E402
    backward_propagation_n,
    backward_propagation_with_dropout,
    backward_propagation_with_regularization,
    compute_cost_with_regularization,
    forward_propagation_n,
    forward_propagation_with_dropout,
    initialize_adagrad,
    initialize_adam,
    initialize_rmsprop,
    initialize_velocity,
    update_parameters_with_adagrad,
    update_parameters_with_adam,
    update_parameters_with_momentum,
    update_parameters_with_nesterov,
    update_parameters_with_rmsprop,
)

STEPS = 6


def problem(seed=0):
    rng = np.random.RandomState(seed)
    params = {"W1": rng.randn(3, 2), "b1": rng.randn(3, 1)}
    grads = [{"dW1": rng.randn(3, 2), "db1": rng.randn(3, 1)} for _ in range(STEPS)]
    return params, grads


def run_torch(make_optimizer, params, grads):
    tensors = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
               for k, v in params.items()}
    opt = make_optimizer(list(tensors.values()))
    path = []
    for g in grads:
        for k, tensor in tensors.items():
            tensor.grad = torch.tensor(g["d" + k], dtype=torch.float64)
        opt.step()
        path.append({k: t.detach().numpy().copy() for k, t in tensors.items()})
    return path


def run_ours(step, state, params, grads):
    path = []
    for t, g in enumerate(grads, start=1):
        params, state = step(params, g, state, t)
        path.append(params)
    return path


def compare_paths(label, ours, theirs):
    for t, (mine, ref) in enumerate(zip(ours, theirs, strict=True), start=1):
        for k in ref:
            assert_close(f'{label}: parameters["{k}"] after step {t} (yours vs torch)',
                         mine[k], ref[k], rtol=1e-10, atol=1e-12)


def adam_step(lr, b1, b2, eps):
    def step(p, g, state, t):
        p, v, s, _, _ = update_parameters_with_adam(p, g, *state, t, lr, b1, b2, eps)
        return p, (v, s)
    return step


@pytest.mark.parametrize(("lr", "b1", "b2", "eps"), [(0.01, 0.9, 0.999, 1e-8),
                                                     (0.1, 0.5, 0.8, 1e-3)])
def test_adam_matches_torch(lr, b1, b2, eps):
    params, grads = problem(1)
    theirs = run_torch(lambda ps: torch.optim.Adam(ps, lr=lr, betas=(b1, b2), eps=eps),
                       params, grads)
    ours = run_ours(adam_step(lr, b1, b2, eps), initialize_adam(params), params, grads)
    compare_paths("Adam", ours, theirs)


@pytest.mark.parametrize("nesterov", [False, True], ids=["momentum", "nesterov"])
def test_momentum_matches_torch_sgd(nesterov):
    beta, lr = 0.9, 0.05
    params, grads = problem(2)
    theirs = run_torch(lambda ps: torch.optim.SGD(ps, lr=lr * (1 - beta), momentum=beta,
                                                  dampening=0, nesterov=nesterov),
                       params, grads)
    rule = update_parameters_with_nesterov if nesterov else update_parameters_with_momentum
    ours = run_ours(lambda p, g, v, t: rule(p, g, v, beta, lr), initialize_velocity(params),
                    params, grads)
    compare_paths("Nesterov" if nesterov else "momentum", ours, theirs)


def test_rmsprop_matches_torch():
    beta, lr, eps = 0.9, 0.01, 1e-8
    params, grads = problem(3)
    theirs = run_torch(lambda ps: torch.optim.RMSprop(ps, lr=lr, alpha=beta, eps=eps),
                       params, grads)
    ours = run_ours(lambda p, g, s, t: update_parameters_with_rmsprop(p, g, s, beta, lr, eps),
                    initialize_rmsprop(params), params, grads)
    compare_paths("RMSProp", ours, theirs)


def test_adagrad_matches_torch():
    lr, eps = 0.1, 1e-8
    params, grads = problem(4)
    theirs = run_torch(lambda ps: torch.optim.Adagrad(ps, lr=lr, eps=eps), params, grads)
    ours = run_ours(lambda p, g, c, t: update_parameters_with_adagrad(p, g, c, lr, eps),
                    initialize_adagrad(params), params, grads)
    compare_paths("AdaGrad", ours, theirs)


def test_cross_entropy_helpers_match_torch_bce():
    a3 = np.array([[0.9, 0.2, 0.6, 0.05, 0.5]])
    y = np.array([[1.0, 0.0, 1.0, 0.0, 1.0]])
    f = torch.nn.functional.binary_cross_entropy
    mean = f(torch.tensor(a3), torch.tensor(y), reduction="mean").item()
    total = f(torch.tensor(a3), torch.tensor(y), reduction="sum").item()
    assert_close("reg_utils.compute_cost vs torch BCE(mean)", reg_utils.compute_cost(a3, y), mean,
                 rtol=1e-12)
    assert_close("opt_utils_v1a.compute_cost vs torch BCE(sum)",
                 opt_utils_v1a.compute_cost(a3, y), total, rtol=1e-12)


def torch_three_layer_cost(X, Y, params, lambd=0.0, masks=None, keep_prob=1.0):
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    a = torch.tensor(X, dtype=torch.float64)
    for l in (1, 2):
        a = torch.relu(t[f"W{l}"] @ a + t[f"b{l}"])
        if masks is not None:
            a = a * torch.tensor(masks[l - 1], dtype=torch.float64) / keep_prob
    a3 = torch.sigmoid(t["W3"] @ a + t["b3"])
    m = X.shape[1]
    cost = torch.nn.functional.binary_cross_entropy(a3, torch.tensor(Y, dtype=torch.float64))
    cost = cost + lambd / (2 * m) * sum((t[f"W{l}"] ** 2).sum() for l in (1, 2, 3))
    cost.backward()
    return cost.item(), {"d" + k: v.grad.numpy() for k, v in t.items()}


def test_backward_passes_match_torch_autograd():
    X = np.random.RandomState(5).randn(4, 6)
    Y = labels(6, 5)
    params = three_layer_parameters(4, 5, 3, 5)
    checks = []
    a3, cache = reg_utils.forward_propagation(X, params)
    cost, tg = torch_three_layer_cost(X, Y, params, lambd=0.4)
    assert_close("compute_cost_with_regularization vs torch",
                 compute_cost_with_regularization(a3, Y, params, 0.4), cost, rtol=1e-12)
    checks.append(("regularization", backward_propagation_with_regularization(X, Y, cache, 0.4),
                   tg))
    _, cache = forward_propagation_with_dropout(X, params, 0.7)
    _, tg = torch_three_layer_cost(X, Y, params, masks=(cache[1], cache[6]), keep_prob=0.7)
    checks.append(("dropout", backward_propagation_with_dropout(X, Y, cache, 0.7), tg))
    cost_n, cache = forward_propagation_n(X, Y, params)
    cost_t, tg = torch_three_layer_cost(X, Y, params)
    assert_close("forward_propagation_n cost vs torch", cost_n, cost_t, rtol=1e-12)
    checks.append(("gradient_check", backward_propagation_n(X, Y, cache), tg))
    for label, ours, theirs in checks:
        for k in theirs:
            assert_close(f'{label}: grads["{k}"] (yours vs torch autograd)', ours[k], theirs[k],
                         rtol=1e-10, atol=1e-13)
