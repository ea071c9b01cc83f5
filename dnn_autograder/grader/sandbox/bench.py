"""Measure what the sandbox costs: ``python -m dnn_autograder.grader.sandbox.bench [--repeat N]``.

Prints the medians (and 90th percentiles) of: starting the worker, opening and closing a
session on a small notebook's units (after a pause, as between two students, when the worker
has a spare child ready; and back to back, when it has to fork one), a call round trip with
64x32 float64 arrays, an empty call, a stand-in round trip, the same 64x32 call sent 50 per
request (``Session.call_each``, per call); then the layers that were active.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np

from dnn_autograder.grader.sandbox import Limits, Sandbox, units_from_source

NOTEBOOK = '''\
import numpy as np
import math
from reg_utils import compute_cost
from testCases import *


def initialize_adam(parameters):
    v, s = {}, {}
    for key, value in parameters.items():
        v["d" + key] = np.zeros_like(value)
        s["d" + key] = np.zeros_like(value)
    return v, s


def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01,
                                beta1=0.9, beta2=0.999, epsilon=1e-8):
    for key in parameters:
        g = grads["d" + key]
        v["d" + key] = beta1 * v["d" + key] + (1 - beta1) * g
        s["d" + key] = beta2 * s["d" + key] + (1 - beta2) * g ** 2
        v_hat = v["d" + key] / (1 - beta1 ** t)
        s_hat = s["d" + key] / (1 - beta2 ** t)
        parameters[key] = parameters[key] - learning_rate * v_hat / (np.sqrt(s_hat) + epsilon)
    return parameters, v, s


def twice(x):
    return 2 * x


def nothing():
    return None


def forward(x):
    return sigmoid(x)


LEARNING_RATE = 0.0007
'''


def _stats(samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return f"median {statistics.median(ordered) * 1e3:8.3f} ms   p90 {p90 * 1e3:8.3f} ms"


def _time(action: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return samples


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="calls per measurement")
    parser.add_argument("--sessions", type=int, default=30, help="sessions to open")
    args = parser.parse_args(argv)
    units = units_from_source(NOTEBOOK, "bench.ipynb, cell 1")
    started = time.perf_counter()
    sandbox = Sandbox(Limits())
    constructed = time.perf_counter() - started
    with sandbox:
        sandbox._worker.ready()
        ready = time.perf_counter() - started
        print(f"worker: Sandbox() returned after {constructed * 1e3:.1f} ms, "
              f"ready (numpy and helpers imported) after {ready * 1e3:.1f} ms")
        for pause in (0.05, 0.0):
            opened, closed = [], []
            for _ in range(args.sessions):
                time.sleep(pause)  # the grader compares and reports between two students
                began = time.perf_counter()
                session = sandbox.session(units)
                middle = time.perf_counter()
                session.close()
                opened.append(middle - began)
                closed.append(time.perf_counter() - middle)
            how = "after a pause" if pause else "back to back"
            print(f"{f'session open, {how} ({len(units)} units):':44s}{_stats(opened)}")
            print(f"{f'session close, {how}:':44s}{_stats(closed)}")
        rng = np.random.default_rng(0)
        parameters = {f"W{i}": rng.standard_normal((64, 32)) for i in (1, 2)}
        grads = {f"dW{i}": rng.standard_normal((64, 32)) for i in (1, 2)}
        with sandbox.session(units) as session:
            v, s = session.call("initialize_adam", (parameters,)).value
            x = rng.standard_normal((64, 32))
            calls = {
                "call twice(64x32 array)": lambda: session.call("twice", (x,)),
                "call nothing()": lambda: session.call("nothing", ()),
                "call adam step (2 x 64x32, 4 dicts)": lambda: session.call(
                    "update_parameters_with_adam", (parameters, grads, v, s, 2)),
                "call with one stand-in round trip": lambda: session.call(
                    "forward", (x,), stand_ins=["sigmoid"], on_stand_in=lambda n, a, k: a[0]),
            }
            for name, action in calls.items():
                _time(action, 20)
                print(f"{name + ':':44s}{_stats(_time(action, args.repeat))}")
            batch = [((x,), None)] * 50  # as a function's cases are sent (Session.call_each)
            per_call = [t / len(batch) for t in _time(lambda: list(session.call_each("twice", batch)),
                                                      max(args.repeat // 10, 5))]
            print(f"{'call twice(64x32) 50 per request, per call:':44s}{_stats(per_call)}")
        print("layers:", ", ".join(sandbox.protections))


if __name__ == "__main__":
    main()
