"""A diagnosis needs evidence that the student's outputs match the mistake: random garbage of
the right shape, from every graded function of every assignment, is named as no mistake."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from dnn_autograder.grader.assignment.catalogue_index import mistakes_by_function
from dnn_autograder.grader.assignment.spec import available_assignments, load_assignment
from dnn_autograder.grader.grading.diagnose import diagnose
from dnn_autograder.grader.grading.evaluate import CaseOutcome
from dnn_autograder.grader.grading.normalise import compare_outputs
from dnn_autograder.grader.grading.suite import build_suites

FUNCTIONS = [(name, fspec.name) for name in available_assignments()
             for fspec in load_assignment(name).functions]
SEEDS = (0, 1, 2)
#: garbage: noise with its own centre and spread per array, zeros, tiny noise
KINDS = ("noise", "zeros", "tiny")


@dataclass(frozen=True)
class _Returned:
    outcome: str = "returned"
    output: str = ""


def _noise(kind: str, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    if kind == "zeros":
        return np.zeros(shape)
    if kind == "tiny":
        return rng.uniform(0.0, 1e-9, shape)
    return rng.normal(rng.uniform(-3, 3), rng.uniform(0.1, 5), shape)


def _garble(value: Any, kind: str, rng: np.random.Generator) -> Any:
    """``value`` with the same structure and shapes, every number replaced by garbage."""
    if isinstance(value, dict):
        return {key: _garble(item, kind, rng) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return type(value)(_garble(item, kind, rng) for item in value)
    if isinstance(value, np.ndarray) and value.dtype.kind in "fc":
        return _noise(kind, value.shape, rng).astype(value.dtype)
    if isinstance(value, np.ndarray) and value.dtype.kind in "iub":
        return rng.integers(0, 2, value.shape).astype(value.dtype)
    if isinstance(value, float | np.floating):
        return float(_noise(kind, (), rng))
    return value


def _recording(name: str, helper: Any, calls: list[tuple[str, tuple]]) -> Any:
    def call(*args: Any, **kwargs: Any) -> Any:
        calls.append((name, args))
        return helper(*args, **kwargs)

    return call


@pytest.mark.parametrize(("assignment", "function"), FUNCTIONS, ids=[f"{a}.{f}" for a, f in FUNCTIONS])
def test_random_garbage_is_named_as_no_mistake(assignment: str, function: str) -> None:
    spec = load_assignment(assignment)
    mistakes = mistakes_by_function(spec).get(function, ())
    if not mistakes:
        pytest.skip("no catalogued mistake for this function")
    suite = build_suites(spec)[function]
    for kind, seed in [(kind, seed) for kind in KINDS for seed in SEEDS]:
        rng = np.random.default_rng(seed)

        calls: list[tuple[str, tuple]] = []

        def garbage(*args: Any, _kind: str = kind, _rng: Any = rng, _calls: Any = calls, **world: Any) -> Any:
            recorded = {name: _recording(name, helper, _calls) for name, helper in world.items()}
            return _garble(suite.reference(*args, **recorded), _kind, _rng)  # helpers called as usual

        failing = []
        for item in suite.expected[:40]:
            calls.clear()
            try:
                got = suite.run(garbage, item.case)
            except Exception:  # noqa: BLE001 - garbage a function cannot normalise: not a case here
                continue
            if not compare_outputs(item.outputs, got, rtol=suite.spec.rtol, atol=suite.spec.atol,
                                   exact_keys=True):
                continue  # garbage that happens to be right (zeros for a zero initialisation)
            failing.append(CaseOutcome(case=item.case, expected=item.outputs, record=_Returned(), got=got,
                                       mismatches=(), passed=False, how="exact",
                                       observation={"stand_in_calls": tuple(calls), "args_after": {}}))
        if not failing:
            continue
        found = diagnose(suite, mistakes, failing)
        assert not found, f"{kind} garbage (seed {seed}) named as {[m.id for m in found]}"
