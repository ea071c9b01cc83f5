"""Script units end to end in the real sandbox: state threaded through calls, a class, a backward
judged on its own forward. The toy assignment lives in ``script_bank/`` (outside the bank)."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from dnn_autograder.grader.assignment.spec import load_assignment
from dnn_autograder.grader.extract import extract_file
from dnn_autograder.grader.grading.pipeline import grade_assignment
from dnn_autograder.grader.grading.scripts import plain_steps, run_trusted, script_lines, steps_from_plain
from dnn_autograder.grader.model import Case, Step, Var
from dnn_autograder.grader.outputs.results_json import submission_dict

BANK = Path(__file__).parent / "script_bank"

RIGHT = '''
import numpy as np

def momentum(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v, config

class Momentum:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.v = None

    def update(self, params, grads):
        if self.v is None:
            self.v = {}
            for key, val in params.items():
                self.v[key] = np.zeros_like(val)
        for key in params.keys():
            self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]
            params[key] += self.v[key]

def scale_forward(x, gamma):
    out = gamma * x * x
    return out, (gamma, x)          # its own cache layout: only its own backward reads it

def scale_backward(dout, cache):
    gamma, x = cache
    return 2 * gamma * x * dout, (x * x * dout).sum(axis=0)
'''


@pytest.fixture(scope="module")
def spec():
    sys.path.insert(0, str(BANK))
    try:
        yield load_assignment("toy_scripts", BANK)
    finally:
        sys.path.remove(str(BANK))


def grade(spec, sandbox, tmp_path, source):
    path = tmp_path / "submission.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    result = grade_assignment(spec, extract_file(path), sandbox)
    return {f.name: f for f in result.functions}, result


def test_a_correct_submission_with_its_own_cache_layout_gets_full_marks(spec, sandbox, tmp_path):
    functions, result = grade(spec, sandbox, tmp_path, RIGHT)
    assert {name: f.status for name, f in functions.items()} == dict.fromkeys(functions, "passed")
    assert result.score == result.max_score == 4


def test_a_stateful_mistake_is_named_and_its_first_diverging_step_shown(spec, sandbox, tmp_path):
    wrong = RIGHT.replace('v = config["momentum"] * v - config["learning_rate"] * dw',
                          'v = config["momentum"] * v + config["learning_rate"] * dw')
    functions, _ = grade(spec, sandbox, tmp_path, wrong)
    failed = functions["momentum"]
    assert failed.status == "failed" and failed.diagnoses == ("toy-momentum-sign",)
    example = failed.counterexample
    assert example.step == 1  # already wrong at the first step
    assert example.script[0] == "next_w, config = momentum(w, dw1, config)"
    assert set(example.expected) == {"step 1: next_w", "step 1: config"}


def test_state_that_is_not_carried_over_diverges_at_step_two(spec, sandbox, tmp_path):
    wrong = RIGHT.replace('    config["velocity"] = v\n', "")  # the velocity is never stored
    functions, _ = grade(spec, sandbox, tmp_path, wrong)
    failed = functions["momentum"]
    assert failed.status == "failed"
    # step 1's next_w is right (v starts at zero either way); the missing state shows at once in
    # config, and in next_w from step 2 on
    assert failed.counterexample.step == 1
    assert all(m.where.startswith("step 1: config") for m in failed.counterexample.mismatches)


def test_a_class_that_rebinds_params_is_named(spec, sandbox, tmp_path):
    wrong = RIGHT.replace("            params[key] += self.v[key]\n",
                          "        params = {k: params[k] + self.v[k] for k in params}\n")
    functions, _ = grade(spec, sandbox, tmp_path, wrong)
    failed = functions["Momentum"]
    assert failed.status == "failed" and failed.diagnoses == ("toy-params-rebound",)
    assert failed.counterexample.step == 2  # the constructor is step 1; the first update is step 2
    assert failed.counterexample.script[1] == "opt.update(params, grads1)"


def test_a_wrong_forward_costs_once_a_wrong_backward_costs(spec, sandbox, tmp_path):
    # the forward computes gamma (x + 1)^2 and caches x + 1: its backward, right for it, gives
    # 2 gamma (x + 1) dout, not the reference's 2 gamma x dout; judged on its own forward, it passes
    shifted = RIGHT.replace("    out = gamma * x * x\n    return out, (gamma, x)",
                            "    x = x + 1\n    out = gamma * x * x\n    return out, (gamma, x)")
    assert shifted != RIGHT
    functions, _ = grade(spec, sandbox, tmp_path, shifted)
    assert functions["scale_forward"].status == "failed"
    assert functions["scale_backward"].status == "passed"
    assert "numerical gradient" in functions["scale_backward"].checks

    # the forward is right but caches 2x: the backward's gradients are neither the reference's nor
    # those of its own forward
    doubled = RIGHT.replace("return out, (gamma, x)", "return out, (gamma, 2 * x)")
    functions, _ = grade(spec, sandbox, tmp_path, doubled)
    assert functions["scale_forward"].status == "passed"
    assert functions["scale_backward"].status == "failed"

    wrong_backward = RIGHT.replace("return 2 * gamma * x * dout,", "return gamma * x * dout,")
    functions, _ = grade(spec, sandbox, tmp_path, wrong_backward)
    assert functions["scale_forward"].status == "passed"
    assert functions["scale_backward"].status == "failed"


def test_a_step_that_returns_the_wrong_form_and_a_crash_name_their_step(spec, sandbox, tmp_path):
    wrong = RIGHT.replace("    return w + v, config", "    return w + v")
    functions, _ = grade(spec, sandbox, tmp_path, wrong)
    message = functions["momentum"].message
    assert functions["momentum"].status == "failed"
    assert "a tuple of 2 (next_w, config)" in message, message

    crash = RIGHT.replace("    def update(self, params, grads):\n", "    def update(self, params, grads):\n"
                          "        if self.v is not None: raise KeyError('W')\n")
    functions, _ = grade(spec, sandbox, tmp_path, crash)
    failed = functions["Momentum"]
    assert failed.status == "error"
    assert "at step 3: `opt.update(params, grads2)`" in failed.message, failed.message


def test_the_results_json_carries_the_script(spec, sandbox, tmp_path):
    wrong = RIGHT.replace("params[key] += self.v[key]", "params[key] -= self.v[key]")
    _, result = grade(spec, sandbox, tmp_path, wrong)
    from dnn_autograder.grader.model import SubmissionResult

    data = submission_dict(SubmissionResult("s", result.score, result.max_score, (result,)))
    momentum = next(f for f in data["assignments"][0]["functions"] if f["name"] == "Momentum")
    assert momentum["counterexample"]["script"][0] == "opt = Momentum(lr=0.1)"
    assert momentum["counterexample"]["step"] == 2


def test_the_trusted_run_threads_state_and_copies_each_step():
    def counter(state):
        state["n"] = state.get("n", 0) + 1
        return state

    case = Case(args={"s": {}}, steps=(Step("counter", args=(Var("s"),), returns=("s",), compare=("s",)),) * 3)
    outputs = run_trusted(case, {"counter": counter})
    assert [outputs[f"step {k}: s"]["n"] for k in (1, 2, 3)] == [1, 2, 3]
    assert script_lines(case) == ("s = counter(s)",) * 3
    assert steps_from_plain(plain_steps(case.steps)) == case.steps


def test_numerical_gradient_needs_the_backward_to_match_its_own_forward():
    # a hand check of the judge's arithmetic on the toy forward: d/dx sum(gamma x^2 dout) = 2 gamma x dout
    x, gamma, dout = np.array([[1.0, -2.0]]), np.array([0.5, 3.0]), np.array([[1.0, 2.0]])
    h = 1e-5
    numeric = [(np.sum(gamma * (x + h * e) ** 2 * dout) - np.sum(gamma * (x - h * e) ** 2 * dout)) / (2 * h)
               for e in (np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]]))]
    assert np.allclose(numeric, (2 * gamma * x * dout).ravel())
