"""Choose the case to show with a named mistake: the one on which that mistake shows most clearly.

The smallest failing case is the right example for an unnamed bug (:mod:`~dnn_autograder.grader.grading.shrink`),
but not for a named one: "Adam without bias correction" shown on ``t = 1000``, where the correction
has almost vanished, contradicts its own explanation. So when a mistake is named, the example is
chosen among the failing cases that are *evidence* for it (its mutant reproduces the student's
outputs there, or its structural check fires), ranked by

1. the catalogue's preference (``Mistake.shows_on``: bias correction prefers a small ``t``);
2. how many of the function's outputs the mistake changes there (bias correction at ``t = 1``
   changes ``parameters``, ``v_corrected`` and ``s_corrected``; at ``t = 1000`` ``v_corrected``
   matches);
3. how far, in orders of magnitude of the tolerance, the mistaken output lies from the expected
   one (``|mistaken - expected| / (atol + rtol * |expected|)``, largest element), up to
   :data:`CLEAR_ORDERS`: beyond that a difference is plain to see, and a larger one is no clearer;
4. the smaller case (easier to read), then the earlier one (edge cases come first).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

import numpy as np

from dnn_autograder.grader.assignment.catalogue import Mistake
from dnn_autograder.grader.grading.evaluate import CaseOutcome
from dnn_autograder.grader.grading.normalise import compare_outputs
from dnn_autograder.grader.grading.suite import FunctionSuite
from dnn_autograder.grader.values import size_of

#: a difference this many orders of magnitude beyond the tolerance is plain to see (at the usual
#: ``rtol = 1e-6``, 1%); larger ones rank the same, so the smaller case is shown
CLEAR_ORDERS = 4

#: (preferred, outputs changed, orders of magnitude beyond tolerance, -size)
Clarity = tuple[bool, int, int, int]


def showcase(suite: FunctionSuite, mistake: Mistake, failing: Sequence[CaseOutcome]) -> CaseOutcome | None:
    """The failing case that shows ``mistake`` most clearly (module doc), or None when no failing
    case on which the student returned is evidence for it."""
    best: tuple[Clarity, CaseOutcome] | None = None
    for outcome in failing:
        if outcome.errored or outcome.got is None:
            continue
        clarity = _clarity(suite, mistake, outcome)
        if clarity is not None and (best is None or clarity > best[0]):
            best = (clarity, outcome)
    return None if best is None else best[1]


def _clarity(suite: FunctionSuite, mistake: Mistake, outcome: CaseOutcome) -> Clarity | None:
    assert outcome.got is not None
    preferred = _preferred(mistake, outcome.case.args)
    size = -size_of(outcome.case.args)
    predicted = _reproduced(suite, mistake, outcome)
    if predicted is not None:
        names = tuple(name for name in predicted if name in outcome.got)
        shown = {name: predicted[name] for name in names}
        return (preferred, *suite.derived(mistake.mutant, outcome.case, ("difference", names),  # type: ignore[arg-type]
                                          partial(_difference, suite, outcome.expected, shown)), size)
    if mistake.structural is not None and _structural(mistake, outcome):
        changed = len({m.where.split("[", 1)[0] for m in outcome.mismatches})
        return (preferred, changed, 0, size)
    return None


def _preferred(mistake: Mistake, inputs: Mapping[str, Any]) -> bool:
    if mistake.shows_on is None:
        return True
    try:
        return bool(mistake.shows_on(inputs))
    except Exception:  # noqa: BLE001 - a preference that cannot read this case does not prefer it
        return False


def _reproduced(suite: FunctionSuite, mistake: Mistake, outcome: CaseOutcome) -> Mapping[str, Any] | None:
    """The mutant's outputs on this case when they reproduce the student's, else None."""
    if mistake.mutant is None:
        return None
    assert outcome.got is not None
    try:
        with np.errstate(all="ignore"):
            predicted = suite.trusted_outputs(mistake.mutant, outcome.case)  # kept for every student
    except Exception:  # noqa: BLE001 - a mutant that cannot run on this case is no evidence here
        return None
    if not any(name in outcome.got for name in predicted):
        return None
    spec = suite.spec
    if compare_outputs(predicted, outcome.got, rtol=spec.rtol, atol=spec.atol, exact_keys=True):
        return None
    return predicted


def _structural(mistake: Mistake, outcome: CaseOutcome) -> bool:
    try:
        return bool(mistake.structural(outcome.case.args, outcome.got, outcome.observation))  # type: ignore[misc]
    except Exception:  # noqa: BLE001 - a check that cannot read this output is no evidence
        return False


def _difference(suite: FunctionSuite, expected: Mapping[str, Any], shown: Mapping[str, Any]) -> tuple[int, int]:
    """(outputs that differ, orders of magnitude of the largest difference beyond tolerance)."""
    spec = suite.spec
    changed = 0
    worst = 0.0
    for name, value in shown.items():
        if name not in expected:
            continue
        if compare_outputs({name: expected[name]}, {name: value}, rtol=spec.rtol, atol=spec.atol):
            changed += 1
            worst = max(worst, _excess(expected[name], value, spec.rtol, spec.atol))
    if worst >= 10.0**CLEAR_ORDERS:  # NaN, shape and type differences included (infinite)
        return changed, CLEAR_ORDERS
    return changed, (math.floor(math.log10(worst)) if worst > 0 else 0)


def _excess(expected: Any, got: Any, rtol: float, atol: float) -> float:
    """Largest ``|got - expected| / (atol + rtol * |expected|)`` over matching numeric leaves
    (a leaf of another shape or type counts as infinitely far: that difference shows anyway)."""
    if isinstance(expected, Mapping):
        if not isinstance(got, Mapping):
            return math.inf
        return max((_excess(v, got[k], rtol, atol) for k, v in expected.items() if k in got), default=0.0)
    if isinstance(expected, list | tuple):
        if not isinstance(got, list | tuple) or len(got) != len(expected):
            return math.inf
        return max((_excess(e, g, rtol, atol) for e, g in zip(expected, got, strict=True)), default=0.0)
    try:
        e = np.asarray(expected, dtype=np.float64)
        g = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return math.inf
    if e.shape != g.shape and g.size != e.size:
        return math.inf
    with np.errstate(all="ignore"):
        ratio = np.abs(g.reshape(e.shape) - e) / (atol + rtol * np.abs(e))
    finite = ratio[np.isfinite(ratio)]
    if finite.size < ratio.size:
        return math.inf
    return float(finite.max(initial=0.0))
