"""Name the mistake behind a failing function, only when the evidence supports it.

A catalogued mistake is diagnosed when its mutant, run by the trusted parent on the failing
cases, reproduces the student's outputs on every one of them (within the function's tolerances),
or when its structural check recognises it on most of them (more than half of the failing cases
the student returned on), where a check that reads the output must not also recognise it in an
all-zeros output; a mutant's match counts only if, on some replayed case, its outputs differ from
zeros in the correct output's shape. One case is no evidence, and neither is agreeing with zeros: a check that accepts
several formulas, some of which collapse to ~0 on most cases, recognised garbage there.
Anything else fails with the generic counterexample: no name is better than a wrong name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

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
    sample = sorted(returned, key=lambda o: size_of(o.case.args))[:MAX_REPLAYED * 3]
    found = []
    for mistake in mistakes:
        if mistake.mutant is not None and _mutant_matches(suite, mistake, sample):
            found.append(mistake)
        elif mistake.structural is not None and _structure_matches(mistake, returned):
            found.append(mistake)
    return tuple(found)


def _mutant_matches(suite: FunctionSuite, mistake: Mistake, sample: Sequence[CaseOutcome]) -> bool:
    """The mutant reproduces the student's outputs on every replayed case (the smallest first,
    until ``MAX_REPLAYED`` informative ones), and at least one case is informative: there the
    mutant's outputs differ from zeros in the correct output's shape (on a case where the mutant
    itself returns such zeros, an output that says nothing would match it)."""
    spec = suite.spec
    informative = 0
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
        informative += bool(compare_outputs(_filled_like(outcome.expected, 0), predicted,
                                            rtol=spec.rtol, atol=spec.atol, exact_keys=True))
        if informative >= MAX_REPLAYED:
            break
    return informative > 0


def _covers(predicted: Mapping[str, Any], got: Mapping[str, Any]) -> bool:
    """The student returned at least one output the mutant predicts (nothing to match otherwise)."""
    return any(name in got for name in predicted)


def _structure_matches(mistake: Mistake, outcomes: Sequence[CaseOutcome]) -> bool:
    """The check recognises the mistake on more than half of ``outcomes`` (see the module doc)."""
    recognised = 0
    for outcome in outcomes:
        recognised += _recognises(mistake, outcome, outcome.got) and not (
            _recognises(mistake, outcome, _filled_like(outcome.got, 0))
            and not _recognises(mistake, outcome, _filled_like(outcome.got, 1)))
    return 2 * recognised > len(outcomes)


def _recognises(mistake: Mistake, outcome: CaseOutcome, got: Any) -> bool:
    try:
        return bool(mistake.structural(outcome.case.args, got, outcome.observation))  # type: ignore[misc]
    except Exception:  # noqa: BLE001 - a check that cannot read this output is no evidence
        return False


def _filled_like(value: Any, fill: int) -> Any:
    """The same structure with every number ``fill``. Zeros are the null output: a check that
    recognises the mistake in zeros but not in ones reads the output and cannot tell the mistake
    from an output that says nothing (a check that recognises both reads something else, such
    as the helpers called, and keeps its word). See the module doc."""
    if isinstance(value, Mapping):
        return {key: _filled_like(item, fill) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return type(value)(_filled_like(item, fill) for item in value)
    if isinstance(value, np.ndarray) and value.dtype.kind in "iufc":
        return np.full_like(value, fill)
    if isinstance(value, bool | np.bool_):
        return value
    if isinstance(value, int | float | complex | np.number):
        return type(value)(fill)
    return value
