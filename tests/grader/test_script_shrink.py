"""Shrinking and the showcase for script units: the shown case of a failing script unit is a
script found by Hypothesis within the budget, and the search's memo tells scripts apart by their
steps, not only by their inputs."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pytest
from inprocess import session_of

from dnn_autograder.grader.grading.evaluate import evaluate_case
from dnn_autograder.grader.grading.showcase import showcase
from dnn_autograder.grader.grading.shrink import MAX_SHRINK_SECONDS, case_key, smallest_failure
from dnn_autograder.grader.grading.suite import build_suites
from dnn_autograder.grader.handouts.mutant_submissions import mistakes_of
from dnn_autograder.grader.model import Case, Step, Var
from dnn_autograder.grader.values import size_of

sys.path.insert(0, str(Path(__file__).resolve().parent / "script_bank"))
import toy_support  # noqa: E402 - the toy script assignment

#: the momentum step with the velocity's sign flipped (the toy catalogue's toy-momentum-sign)
WRONG = toy_support.solution_source().replace('config["learning_rate"] * dw', '-config["learning_rate"] * dw')


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory):
    spec = toy_support.load_toy(toy_support.toy_root(tmp_path_factory.mktemp("toy")))
    return spec, build_suites(spec)["momentum"]


def test_a_failing_script_unit_is_shrunk_to_a_smaller_script_within_budget(suite) -> None:
    spec, unit = suite
    assert WRONG != toy_support.solution_source()
    session = session_of(WRONG)
    failing = [o for o in (evaluate_case(session, unit, item) for item in unit.expected) if not o.passed]
    assert failing and all(o.case.steps for o in failing)
    start = time.monotonic()
    shown = smallest_failure(session, unit, failing)
    assert time.monotonic() - start < MAX_SHRINK_SECONDS + 2.0
    assert len(shown.case.steps) == 3 and shown.case.steps[0].call == "momentum"  # still a script
    assert not shown.passed and not shown.errored
    assert size_of(shown.case.args) <= min(size_of(o.case.args) for o in failing)
    # the strategy's smallest scripts: (1, 1) arrays; the sign bug shows on any nonzero gradient
    assert np.shape(shown.case.args["w"]) == (1, 1)

    mistake = next(m for m in mistakes_of(spec) if m.id == "toy-momentum-sign")
    chosen = showcase(unit, mistake, failing)
    assert chosen is not None and chosen.case.steps  # the mutant, run as a script, reproduces the student


def _script(lr: float) -> Case:
    return Case(args={"w": np.ones((1, 1)), "dw": np.ones((1, 1)), "config": {}},
                steps=(Step("momentum", args=(Var("w"), Var("dw"), Var("config")), kwargs={"scale": lr},
                            returns=("next_w", "config"), compare=("next_w",)),))


def test_the_memo_key_covers_the_steps() -> None:
    assert case_key(_script(0.1)) == case_key(_script(0.1))
    assert case_key(_script(0.1)) != case_key(_script(0.2))  # same inputs, another call
    plain = Case(args=_script(0.1).args)
    assert case_key(plain) != case_key(_script(0.1))
