"""Grade one function of one submission: run its cases, decide, diagnose, score.

Cases run in order (edge cases first). A timeout, a crash or an exceeded limit stops the
function at once (running a hanging function again would cost seconds per case); an exception
does not: the other cases still run (up to a few exceptions), so a function that raises only on
some inputs is shown the exception *and* diagnosed from the cases where it returned.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import replace

from dnn_autograder.grader import messages
from dnn_autograder.grader.catalogue import Mistake
from dnn_autograder.grader.diagnose import diagnose
from dnn_autograder.grader.evaluate import CaseOutcome, PropertyCheck, Retention, SessionLike, evaluate_case
from dnn_autograder.grader.model import Counterexample, FunctionResult
from dnn_autograder.grader.reveal import redact
from dnn_autograder.grader.showcase import showcase
from dnn_autograder.grader.shrink import smallest_failure
from dnn_autograder.grader.suite import FunctionSuite
from dnn_autograder.grader.values import bounded

#: total wall-clock time one function may take over all its cases
FUNCTION_BUDGET_S = 60.0
#: after this many cases that raised, the remaining cases are not run
MAX_RAISED = 3


def grade_function(
    session: SessionLike,
    suite: FunctionSuite,
    mistakes: Sequence[Mistake] = (),
    properties: PropertyCheck | None = None,
) -> FunctionResult:
    """Run every case; full points when all pass, else zero with the reason and evidence."""
    spec = suite.spec
    started = time.monotonic()
    outcomes: list[CaseOutcome] = []
    raised = 0
    retention = Retention()  # what the outcomes keep of the student's values, in total
    for item in suite.expected:
        outcome = retention.admit(evaluate_case(session, suite, item, properties))
        outcomes.append(outcome)
        if outcome.errored and (outcome.record.outcome != "raised" or raised >= MAX_RAISED):
            break  # a timeout or a limit is not run again; see the module doc for "raised"
        raised += outcome.record.outcome == "raised"
        if time.monotonic() - started > FUNCTION_BUDGET_S:
            break
    failing = [o for o in outcomes if not o.passed]
    duration = time.monotonic() - started
    output = next((o.record.output for o in outcomes if o.record.output), "")
    checks = tuple(sorted({o.how for o in outcomes}))
    base = FunctionResult(
        name=spec.name, score=0.0, max_score=spec.points, status="failed", cases_run=len(outcomes),
        cases_passed=len(outcomes) - len(failing), duration_s=round(duration, 4), output=output, checks=checks,
    )
    if not failing and len(outcomes) == len(suite.expected):
        return replace(base, score=spec.points, status="passed", message=messages.passed_message(outcomes))
    if not failing:
        return replace(base, status="error", message=(
            f"`{spec.name}` is too slow: its {len(outcomes)} cases took more than"
            f" {FUNCTION_BUDGET_S:.0f} s in total."))
    found = diagnose(suite, mistakes, failing)
    errored = next((o for o in failing if o.errored), None)
    if errored is not None:
        return redact(replace(base, status="error", diagnoses=tuple(m.id for m in found),
                              message=messages.error_message(spec.name, errored, found),
                              counterexample=_counterexample(errored, spec.item_names, _hidden(suite, errored)),
                              traceback=errored.record.traceback), spec.reveal)
    # a named mistake is shown where it shows most clearly; an unnamed bug on the smallest case
    shown = (showcase(suite, found[0], failing) if found else None) or smallest_failure(
        session, suite, failing, properties)
    return redact(replace(
        base,
        diagnoses=tuple(m.id for m in found),
        message=messages.failed_message(spec.name, failing, len(outcomes), shown, found),
        counterexample=_counterexample(shown, spec.item_names, _hidden(suite, shown)),
    ), spec.reveal)


def _hidden(suite: FunctionSuite, outcome: CaseOutcome) -> bool:
    """The case is not one of the public cases the handout ships (a shrunk case never is)."""
    return not any(outcome.case is item.case for item in suite.expected[: suite.spec.public_cases])


def _counterexample(
    outcome: CaseOutcome, item_names: Mapping[str, tuple[str, ...]] | None = None, hidden: bool = False
) -> Counterexample:
    return Counterexample(
        inputs=dict(outcome.case.args),
        expected=dict(outcome.expected),
        got={name: bounded(value) for name, value in (outcome.got or {}).items()},
        mismatches=outcome.mismatches,
        label=outcome.case.label,
        item_names=dict(item_names or {}),
        hidden=hidden,
    )
