"""Name the mistake behind a failing function, only when the evidence supports it.

A catalogued mistake is diagnosed when its mutant, run by the trusted parent on the failing
cases, reproduces the student's outputs on every one of them (within the function's tolerances),
or when its structural check recognises it on a failing case. Anything else fails with the
generic counterexample: no name is better than a wrong name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dnn_autograder.grader.catalogue import Mistake
from dnn_autograder.grader.evaluate import CaseOutcome
from dnn_autograder.grader.normalise import compare_outputs
from dnn_autograder.grader.suite import FunctionSuite
from dnn_autograder.grader.values import size_of

#: at most this many failing cases (the smallest) are replayed through each mutant
MAX_REPLAYED = 6


def diagnose(
    suite: FunctionSuite, mistakes: Sequence[Mistake], failing: Sequence[CaseOutcome]
) -> tuple[Mistake, ...]:
    """The catalogued mistakes that explain every failing case the student returned on."""
    returned = [o for o in failing if not o.errored and o.got is not None]
    if not returned:
        return ()
    sample = sorted(returned, key=lambda o: size_of(o.case.args))[:MAX_REPLAYED]
    found = []
    for mistake in mistakes:
        if mistake.mutant is not None and _mutant_matches(suite, mistake, sample):
            found.append(mistake)
        elif mistake.structural is not None and _structure_matches(mistake, returned):
            found.append(mistake)
    return tuple(found)


def _mutant_matches(suite: FunctionSuite, mistake: Mistake, sample: Sequence[CaseOutcome]) -> bool:
    spec = suite.spec
    for outcome in sample:
        try:
            predicted = suite.run(mistake.mutant, outcome.case)  # type: ignore[arg-type]
        except Exception:  # noqa: BLE001 - a mutant that cannot run on this case does not match
            return False
        assert outcome.got is not None
        if not _covers(predicted, outcome.got):
            return False
        if compare_outputs(predicted, outcome.got, rtol=spec.rtol, atol=spec.atol, exact_keys=True):
            return False
    return True


def _covers(predicted: Mapping[str, Any], got: Mapping[str, Any]) -> bool:
    """The student returned at least one output the mutant predicts (nothing to match otherwise)."""
    return any(name in got for name in predicted)


def _structure_matches(mistake: Mistake, outcomes: Sequence[CaseOutcome]) -> bool:
    for outcome in outcomes:
        try:
            if mistake.structural(outcome.case.args, outcome.got, outcome.observation):  # type: ignore[misc]
                return True
        except Exception:  # noqa: BLE001 - a check that cannot read this output is no evidence
            continue
    return False
