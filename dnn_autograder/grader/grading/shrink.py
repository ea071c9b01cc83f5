"""Find the smallest failing case to show the student, with Hypothesis's shrinker.

Only wrong values are shrunk (errors and timeouts are shown as they happened: re-running a
hanging function dozens of times would cost minutes). The search is deterministic and bounded in
calls and time: when the budget runs out the search stops, and the smallest failing case seen
so far (or the smallest failing generated case, if that is smaller) is shown.

A script unit's strategy draws scripts (``Case.steps``), so every case the search tries is a
script too; the memo's key (:func:`case_key`) covers the steps as well as the inputs.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from dnn_autograder.grader.grading.evaluate import CaseOutcome, PropertyCheck, SessionLike, evaluate_case
from dnn_autograder.grader.grading.scripts import plain_steps
from dnn_autograder.grader.grading.suite import Expected, FunctionSuite
from dnn_autograder.grader.model import Case
from dnn_autograder.grader.values import fingerprint, size_of

MAX_SHRINK_CALLS = 300
MAX_SHRINK_SECONDS = 3.0


class _BudgetSpent(Exception):
    """Raised inside the search to stop Hypothesis when the budget is spent."""


def smallest_failure(
    session: SessionLike,
    suite: FunctionSuite,
    failing: Sequence[CaseOutcome],
    properties: PropertyCheck | None = None,
) -> CaseOutcome:
    """The smallest failing outcome: shrunk by Hypothesis when the failure is a wrong value of a
    deterministic function, else the smallest of ``failing``."""
    smallest = min(failing, key=lambda o: (o.errored, size_of(o.case.args)))
    if smallest.errored or suite.spec.kind != "deterministic":
        return smallest
    shrunk = _shrink(session, suite, properties)
    if shrunk is not None and size_of(shrunk.case.args) < size_of(smallest.case.args):
        return shrunk
    return smallest


def _shrink(session: SessionLike, suite: FunctionSuite, properties: PropertyCheck | None) -> CaseOutcome | None:
    # here, not at the top: grading a correct submission (or a catalogued mistake) never shrinks,
    # and importing Hypothesis is a quarter of a cold ``grade``'s CPU
    from hypothesis import HealthCheck, Phase, find, settings
    from hypothesis.errors import NoSuchExample, Unsatisfiable

    deadline = time.monotonic() + MAX_SHRINK_SECONDS
    seen: dict[str, CaseOutcome | None] = {}  # memo, so Hypothesis's final replay agrees

    def fails(case: Case) -> bool:
        key = case_key(case)
        if key not in seen:
            if len(seen) >= MAX_SHRINK_CALLS or time.monotonic() > deadline:
                raise _BudgetSpent
            seen[key] = _failing_outcome(session, suite, case, properties)
        return seen[key] is not None

    try:
        find(
            suite.strategy,
            fails,
            settings=settings(
                database=None,
                derandomize=True,
                max_examples=100,
                deadline=None,
                phases=[Phase.generate, Phase.shrink],
                suppress_health_check=list(HealthCheck),
            ),
        )
    except (NoSuchExample, Unsatisfiable, _BudgetSpent):
        pass
    found = [o for o in seen.values() if o is not None]
    return min(found, key=lambda o: size_of(o.case.args)) if found else None


def case_key(case: Case) -> str:
    """A content hash of everything that decides a case's outcome: inputs, world, seed and, for a
    script, its steps (two scripts on the same inputs may call differently)."""
    return fingerprint((case.args, case.world, case.seed, plain_steps(case.steps)))


def _failing_outcome(
    session: SessionLike, suite: FunctionSuite, case: Case, properties: PropertyCheck | None
) -> CaseOutcome | None:
    try:
        item = Expected(case, suite.run(suite.reference, case))
    except Exception:  # noqa: BLE001 - an input the reference rejects is not a counterexample
        return None
    outcome = evaluate_case(session, suite, item, properties)
    return None if outcome.passed or outcome.errored else outcome
