"""Name the catalogued mistakes that explain a function's failing cases.

A catalogued mistake is diagnosed when its mutant, run by the trusted parent on the failing
cases, reproduces the student's outputs on every one of them (within the function's tolerances),
or when its structural check recognises it on at least two of them (on the one case there is
when only one failed). A case counts as evidence only when it tells the mistake from an output
that says nothing: a check that reads the output and recognises the mistake in an all-zeros
output too (but not in all-ones or all-sevens) learns nothing there (an exponential decay at a late epoch is
~0, and so is garbage), so such a case is neither for nor against. Likewise a mutant's match
counts only if, on some replayed case, its outputs differ from zeros in the correct output's
shape. Anything else fails with the generic counterexample: no name is better than a wrong name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

import numpy as np

from dnn_autograder.grader.assignment.catalogue import Mistake
from dnn_autograder.grader.grading.evaluate import CaseOutcome
from dnn_autograder.grader.grading.normalise import compare_outputs
from dnn_autograder.grader.grading.suite import FunctionSuite
from dnn_autograder.grader.values import numeric_leaves, size_of

#: at most this many failing cases (the smallest) are replayed through each mutant
MAX_REPLAYED = 6
#: cases on which a structural check must recognise a mistake before it is named
MIN_EVIDENCE = 2


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
        elif mistake.structural is not None and _structure_matches(suite, mistake, returned):
            found.append(mistake)
    return tuple(found)


def _mutant_matches(suite: FunctionSuite, mistake: Mistake, sample: Sequence[CaseOutcome]) -> bool:
    """The mutant reproduces the student's outputs on every replayed case (the smallest first,
    until ``MAX_REPLAYED`` informative ones), and at least one case is informative: there the
    mutant's outputs differ from zeros in the correct output's shape (on a case where the mutant
    itself returns such zeros, an output that says nothing would match it)."""
    spec = suite.spec
    mutant = mistake.mutant
    assert mutant is not None
    informative = 0
    for outcome in sample:
        try:
            predicted = suite.trusted_outputs(mutant, outcome.case)  # kept for every student
        except Exception:  # noqa: BLE001 - a mutant that cannot run on this case does not match
            return False
        assert outcome.got is not None
        if not _covers(predicted, outcome.got):
            return False
        if compare_outputs(predicted, outcome.got, rtol=spec.rtol, atol=spec.atol, exact_keys=True):
            return False
        informative += suite.derived(mutant, outcome.case, "informative", partial(
            _not_zeros, predicted, outcome.expected, spec.rtol, spec.atol))
        if informative >= MAX_REPLAYED:
            break
    return informative > 0


def _not_zeros(predicted: Mapping[str, Any], expected: Mapping[str, Any], rtol: float, atol: float) -> bool:
    """The mutant's outputs differ from zeros in the correct output's shape (module doc)."""
    return bool(compare_outputs(_filled_like(expected, 0), predicted, rtol=rtol, atol=atol, exact_keys=True))


def _covers(predicted: Mapping[str, Any], got: Mapping[str, Any]) -> bool:
    """The student returned at least one output the mutant predicts (nothing to match otherwise)."""
    return any(name in got for name in predicted)


def _structure_matches(suite: FunctionSuite, mistake: Mistake, outcomes: Sequence[CaseOutcome]) -> bool:
    """The check recognises the mistake, informatively, on at least two of ``outcomes`` (on
    the only one when there is one); see the module doc. A check that cannot judge a case (a
    layer too small for statistics) returns False there, which is why a case it does not
    recognise is not counted against the mistake."""
    evidence = 0
    for outcome in outcomes:
        evidence += _informative(suite, mistake, outcome)
        if evidence >= MIN_EVIDENCE:
            return True
    return evidence >= min(MIN_EVIDENCE, len(outcomes))


def _informative(suite: FunctionSuite, mistake: Mistake, outcome: CaseOutcome) -> bool:
    """The check recognises the mistake in the student's output, and that says something. An
    output that is all zeros (within tolerance) says nothing when the check also recognises the
    mistake in zeros, unless it recognises it whatever the numbers are (zeros, ones, sevens:
    then it reads something else, such as the helpers the function called). A clearly nonzero
    output the check recognises is evidence even where some other formula it knows is ~0."""
    if not _recognises(mistake, outcome, outcome.got):
        return False
    if not _real_numbers_near_zero(outcome.got, suite.spec.atol):
        return True  # the check recognised real numbers, not an output that says nothing
    if not _recognises(mistake, outcome, _filled_like(outcome.got, 0)):
        return True
    return all(_recognises(mistake, outcome, _filled_like(outcome.got, fill)) for fill in (1, 7))


def _recognises(mistake: Mistake, outcome: CaseOutcome, got: Any) -> bool:
    try:
        return bool(mistake.structural(outcome.case.args, got, outcome.observation))  # type: ignore[misc]
    except Exception:  # noqa: BLE001 - a check that cannot read this output is no evidence
        return False


def _real_numbers_near_zero(value: Any, atol: float) -> bool:
    """True when every floating-point number in ``value`` is within ``atol`` of zero (integer
    parts, such as dropout masks, do not count: garbage masks look like real ones)."""
    floats = [leaf for leaf in numeric_leaves(value) if np.asarray(leaf).dtype.kind in "fc"]
    return bool(floats) and all(bool(np.all(np.abs(f) <= atol)) for f in floats)


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
