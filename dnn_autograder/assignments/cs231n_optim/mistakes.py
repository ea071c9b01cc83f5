r"""Known mistakes in CS231n's update rules (``cs231n/optim.py``).

Collected from what learners post about this assignment (forum questions, public solution
repositories, course Q&A threads): Adam's step counter used before it is incremented or never
incremented, bias correction left out or stored back into ``m``/``v``, epsilon under the square
root, the bias-corrected step size written back into ``config["learning_rate"]`` (so it compounds
from call to call), the velocity stored with the other sign, Nesterov's look-ahead written where
the classical momentum is asked, Andrew Ng's averaged momentum ``(1 - mu) dw``, and RMSProp's decay
weights swapped or the old cache used in the step.

Each mutant has the reference's signature ``(w, dw, config=None)`` and, like a student's code,
fills the defaults with ``setdefault`` on its own copy of ``config``.
"""

from __future__ import annotations

import numpy as np

from dnn_autograder.grader.assignment.catalogue import Mistake

__all__ = ["MISTAKES"]


def _momentum_config(config):
    config = dict(config or {})
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    return config


def _rmsprop_config(config, w):
    config = dict(config or {})
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("cache", np.zeros_like(w))
    return config


def _adam_config(config, w):
    config = dict(config or {})
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", 0)
    return config


# --- SGD + momentum ---------------------------------------------------------------------------


def _momentum_nesterov(w, dw, config=None):
    config = _momentum_config(config)
    v_prev = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v_prev - config["learning_rate"] * dw
    config["velocity"] = v
    return w - config["momentum"] * v_prev + (1 + config["momentum"]) * v, config


def _momentum_ascends(w, dw, config=None):
    config = _momentum_config(config)
    v = config["momentum"] * config.get("velocity", np.zeros_like(w)) - config["learning_rate"] * dw
    config["velocity"] = v
    return w - v, config


def _momentum_velocity_sign(w, dw, config=None):
    config = _momentum_config(config)
    v = config["momentum"] * config.get("velocity", np.zeros_like(w)) + config["learning_rate"] * dw
    config["velocity"] = v
    return w - v, config


def _momentum_ema(w, dw, config=None):
    config = _momentum_config(config)
    v = config["momentum"] * config.get("velocity", np.zeros_like(w)) + (1 - config["momentum"]) * dw
    config["velocity"] = v
    return w - config["learning_rate"] * v, config


def _momentum_not_stored(w, dw, config=None):
    config = _momentum_config(config)
    v = config["momentum"] * config.get("velocity", np.zeros_like(w)) - config["learning_rate"] * dw
    return w + v, config


# --- RMSProp ----------------------------------------------------------------------------------


def _rmsprop_eps_inside(w, dw, config=None):
    config = _rmsprop_config(config, w)
    rho = config["decay_rate"]
    config["cache"] = rho * config["cache"] + (1 - rho) * dw**2
    return w - config["learning_rate"] * dw / np.sqrt(config["cache"] + config["epsilon"]), config


def _rmsprop_old_cache(w, dw, config=None):
    config = _rmsprop_config(config, w)
    rho = config["decay_rate"]
    next_w = w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"])
    config["cache"] = rho * config["cache"] + (1 - rho) * dw**2
    return next_w, config


def _rmsprop_decay_swapped(w, dw, config=None):
    config = _rmsprop_config(config, w)
    rho = config["decay_rate"]
    config["cache"] = (1 - rho) * config["cache"] + rho * dw**2
    return w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"]), config


def _rmsprop_not_squared(w, dw, config=None):
    config = _rmsprop_config(config, w)
    rho = config["decay_rate"]
    config["cache"] = rho * config["cache"] + (1 - rho) * np.abs(dw)
    return w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"]), config


# --- Adam -------------------------------------------------------------------------------------


def _adam_step(w, config, t, *, eps_inside=False, corrected=True):
    b1, b2 = config["beta1"], config["beta2"]
    m_hat = config["m"] / (1 - b1**t) if corrected else config["m"]
    v_hat = config["v"] / (1 - b2**t) if corrected else config["v"]
    if eps_inside:
        return w - config["learning_rate"] * m_hat / np.sqrt(v_hat + config["epsilon"])
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])


def _adam_moments(config, dw):
    b1, b2 = config["beta1"], config["beta2"]
    config["m"] = b1 * config["m"] + (1 - b1) * dw
    config["v"] = b2 * config["v"] + (1 - b2) * dw**2


def _adam_t_after_use(w, dw, config=None):
    config = _adam_config(config, w)
    _adam_moments(config, dw)
    with np.errstate(divide="ignore", invalid="ignore"):
        next_w = _adam_step(w, config, config["t"])
    config["t"] = config["t"] + 1
    return next_w, config


def _adam_t_never_incremented(w, dw, config=None):
    config = _adam_config(config, w)
    _adam_moments(config, dw)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _adam_step(w, config, config["t"]), config


def _adam_no_bias_correction(w, dw, config=None):
    config = _adam_config(config, w)
    config["t"] = config["t"] + 1
    _adam_moments(config, dw)
    return _adam_step(w, config, config["t"], corrected=False), config


def _adam_eps_inside(w, dw, config=None):
    config = _adam_config(config, w)
    config["t"] = config["t"] + 1
    _adam_moments(config, dw)
    return _adam_step(w, config, config["t"], eps_inside=True), config


def _adam_lr_overwritten(w, dw, config=None):
    config = _adam_config(config, w)
    config["t"] = config["t"] + 1
    _adam_moments(config, dw)
    t, b1, b2 = config["t"], config["beta1"], config["beta2"]
    config["learning_rate"] = config["learning_rate"] * np.sqrt(1 - b2**t) / (1 - b1**t)
    return w - config["learning_rate"] * config["m"] / (np.sqrt(config["v"]) + config["epsilon"]), config


def _adam_stores_corrected(w, dw, config=None):
    config = _adam_config(config, w)
    config["t"] = config["t"] + 1
    _adam_moments(config, dw)
    t = config["t"]
    config["m"] = config["m"] / (1 - config["beta1"] ** t)
    config["v"] = config["v"] / (1 - config["beta2"] ** t)
    return w - config["learning_rate"] * config["m"] / (np.sqrt(config["v"]) + config["epsilon"]), config


def _adam_t_before_start_only(w, dw, config=None):
    config = _adam_config(config, w)
    t = config["t"] + 1  # incremented for the correction, never stored
    _adam_moments(config, dw)
    return _adam_step(w, config, t), config


MISTAKES = (
    Mistake(
        id="cs231n-momentum-nesterov",
        function="sgd_momentum",
        title="Nesterov momentum written where classical momentum is asked",
        explanation=(
            "Your update moved the weights by -mu * v_prev + (1 + mu) * v, Nesterov's look-ahead form from the "
            "course notes. This function asks for the classical momentum update: v = mu * v - learning_rate * dw, "
            "then next_w = w + v, with the new v stored in config['velocity']."
        ),
        mutant=_momentum_nesterov,
    ),
    Mistake(
        id="cs231n-momentum-wrong-direction",
        function="sgd_momentum",
        title="Weights moved by -v: uphill",
        explanation=(
            "Your velocity was right, v = mu * v - learning_rate * dw, but the weights were updated with "
            "next_w = w - v. The velocity already carries the minus sign of the gradient step, so the update is "
            "next_w = w + v."
        ),
        mutant=_momentum_ascends,
    ),
    Mistake(
        id="cs231n-momentum-velocity-sign",
        function="sgd_momentum",
        title="Velocity stored with the opposite sign",
        explanation=(
            "Your weights moved correctly, but you kept v = mu * v + learning_rate * dw and stepped with w - v. "
            "The course's convention (and its expected values for config['velocity']) is v = mu * v - "
            "learning_rate * dw and next_w = w + v; config['velocity'] must hold that v, since other code (and "
            "the next call) reads it."
        ),
        mutant=_momentum_velocity_sign,
    ),
    Mistake(
        id="cs231n-momentum-ema-form",
        function="sgd_momentum",
        title="Averaged momentum (1 - mu) * dw instead of the velocity form",
        explanation=(
            "You computed v = mu * v + (1 - mu) * dw and next_w = w - learning_rate * v, the exponentially "
            "averaged form of another course. CS231n's momentum is v = mu * v - learning_rate * dw and "
            "next_w = w + v: the gradient is not scaled by (1 - mu), and the learning rate lives in the velocity."
        ),
        mutant=_momentum_ema,
    ),
    Mistake(
        id="cs231n-momentum-velocity-not-stored",
        function="sgd_momentum",
        title="The new velocity is not stored in config",
        explanation=(
            "Your step used the new velocity but config['velocity'] still held the old one, so every call starts "
            "from the same velocity and momentum never builds up. Store it: config['velocity'] = v."
        ),
        mutant=_momentum_not_stored,
    ),
    Mistake(
        id="cs231n-rmsprop-eps-inside-sqrt",
        function="rmsprop",
        title="Epsilon inside the square root",
        explanation=(
            "You divided by np.sqrt(cache + epsilon). RMSProp divides by np.sqrt(cache) + epsilon: epsilon is added "
            "after the square root (with epsilon = 1e-8 inside the root it acts like 1e-4 outside)."
        ),
        mutant=_rmsprop_eps_inside,
    ),
    Mistake(
        id="cs231n-rmsprop-old-cache",
        function="rmsprop",
        title="The step uses the cache before it is updated",
        explanation=(
            "You stepped with the previous cache and updated it afterwards. First update the cache, "
            "cache = decay_rate * cache + (1 - decay_rate) * dw**2, then step with next_w = w - learning_rate * dw "
            "/ (np.sqrt(cache) + epsilon)."
        ),
        mutant=_rmsprop_old_cache,
    ),
    Mistake(
        id="cs231n-rmsprop-decay-swapped",
        function="rmsprop",
        title="Decay weights swapped",
        explanation=(
            "You computed cache = (1 - decay_rate) * cache + decay_rate * dw**2, which forgets the history almost "
            "at once for decay_rate = 0.99. The moving average keeps decay_rate of the old cache: cache = "
            "decay_rate * cache + (1 - decay_rate) * dw**2."
        ),
        mutant=_rmsprop_decay_swapped,
    ),
    Mistake(
        id="cs231n-rmsprop-gradient-not-squared",
        function="rmsprop",
        title="Cache averages |dw| instead of dw**2",
        explanation=(
            "Your cache accumulated the gradient's magnitude |dw|. RMSProp averages the squared gradient, "
            "cache = decay_rate * cache + (1 - decay_rate) * dw**2, so that np.sqrt(cache) is a root mean square."
        ),
        mutant=_rmsprop_not_squared,
    ),
    Mistake(
        id="cs231n-adam-t-incremented-after-use",
        function="adam",
        title="Step counter t incremented after the bias correction",
        explanation=(
            "You used t in the bias correction before adding 1 to it, so the first call divides by 1 - beta1**0 = "
            "0 (NaN or inf), and later calls are one step behind. Increment first: config['t'] += 1, then "
            "m_hat = m / (1 - beta1**t) and v_hat = v / (1 - beta2**t) with the new t."
        ),
        mutant=_adam_t_after_use,
    ),
    Mistake(
        id="cs231n-adam-t-not-incremented",
        function="adam",
        title="Step counter t never incremented",
        explanation=(
            "config['t'] stayed at its starting value, so the bias correction never changes (and divides by "
            "1 - beta1**0 = 0 when t starts at 0). Each call is one more step: config['t'] += 1 before the bias "
            "correction, and store it."
        ),
        mutant=_adam_t_never_incremented,
    ),
    Mistake(
        id="cs231n-adam-t-not-stored",
        function="adam",
        title="t + 1 used but never stored in config",
        explanation=(
            "You used t + 1 in the bias correction but did not store it, so config['t'] never grows and every call "
            "is corrected as if it were the first. Write t = config['t'] + 1 and config['t'] = t."
        ),
        mutant=_adam_t_before_start_only,
    ),
    Mistake(
        id="cs231n-adam-no-bias-correction",
        function="adam",
        title="Adam without bias correction",
        explanation=(
            "You stepped with the raw moments m and v. They start at zero and are biased towards it for the first "
            "steps; Adam divides them by (1 - beta1**t) and (1 - beta2**t): next_w = w - learning_rate * m_hat / "
            "(np.sqrt(v_hat) + epsilon)."
        ),
        mutant=_adam_no_bias_correction,
    ),
    Mistake(
        id="cs231n-adam-eps-inside-sqrt",
        function="adam",
        title="Epsilon inside the square root",
        explanation=(
            "You divided by np.sqrt(v_hat + epsilon). Adam divides by np.sqrt(v_hat) + epsilon (Kingma & Ba, "
            "Algorithm 1): epsilon is added after the square root."
        ),
        mutant=_adam_eps_inside,
    ),
    Mistake(
        id="cs231n-adam-learning-rate-overwritten",
        function="adam",
        title="Bias-corrected step size written back into config['learning_rate']",
        explanation=(
            "You folded the bias correction into the step size (the paper's efficient form) but stored it in "
            "config['learning_rate'], so the next call corrects the already-corrected rate again and the step "
            "size drifts. Keep it local: lr_t = learning_rate * np.sqrt(1 - beta2**t) / (1 - beta1**t), and leave "
            "config['learning_rate'] unchanged."
        ),
        mutant=_adam_lr_overwritten,
    ),
    Mistake(
        id="cs231n-adam-stores-corrected-moments",
        function="adam",
        title="Bias-corrected moments stored back into m and v",
        explanation=(
            "You overwrote config['m'] and config['v'] with the bias-corrected m_hat and v_hat. The next call then "
            "corrects them again. Store the raw moving averages m and v; compute m_hat and v_hat in local "
            "variables for the step only."
        ),
        mutant=_adam_stores_corrected,
    ),
)
