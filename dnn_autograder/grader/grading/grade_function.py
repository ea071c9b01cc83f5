"""Grade one function of one submission: run its cases, decide, diagnose, score.

Cases run in order (edge cases first). A timeout, a crash or an exceeded limit stops the
function at once (running a hanging function again would cost seconds per case); an exception
does not: the other cases still run (up to a few exceptions), so a function that raises only on
some inputs is shown the exception *and* diagnosed from the cases where it returned.
"""

from __future__ import annotations

import time
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from dnn_autograder.grader.assignment.catalogue import Mistake
from dnn_autograder.grader.grading import messages
from dnn_autograder.grader.grading.diagnose import diagnose
from dnn_autograder.grader.grading.evaluate import (
    CaseOutcome,
    CaseRequest,
    PropertyCheck,
    Retention,
    SessionLike,
    case_request,
    evaluate_case,
    judge_call,
)
from dnn_autograder.grader.grading.reveal import redact
from dnn_autograder.grader.grading.scripts import first_diverging_step, script_lines, step_of
from dnn_autograder.grader.grading.showcase import showcase
from dnn_autograder.grader.grading.shrink import smallest_failure
from dnn_autograder.grader.grading.suite import FunctionSuite
from dnn_autograder.grader.model import Counterexample, FunctionResult
from dnn_autograder.grader.sandbox.records import CallRecord
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
    batch = _batched(session, suite)
    try:
        for index, item in enumerate(suite.expected):
            if batch is None:
                outcome = evaluate_case(session, suite, item, properties)
            else:
                record = next(batch.records, None)
                if record is None:
                    break
                outcome = judge_call(suite, item, record, batch.requests[index].calls, properties)
                del record
            outcome = retention.admit(outcome)
            outcomes.append(outcome)
            if outcome.errored and (outcome.record.outcome != "raised" or raised >= MAX_RAISED):
                break  # a timeout or a limit is not run again; see the module doc for "raised"
            raised += outcome.record.outcome == "raised"
            if time.monotonic() - started > FUNCTION_BUDGET_S:
                break
    finally:
        if batch is not None:
            batch.records.close()  # stopped early: the child, which would go on, is killed
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


@dataclass(frozen=True)
class _Batch:
    """The cases of one function sent to the sandbox together (``Session.call_each``): the
    records arrive one by one, and ``requests[i]`` answers the stand-ins of case ``i``."""

    requests: tuple[CaseRequest, ...]
    records: Generator[CallRecord, None, None]


def _batched(session: SessionLike, suite: FunctionSuite) -> _Batch | None:
    """The function's cases as one batch, when the session can batch and every case is one
    plain call (the same calls, in the same order, with the same seeds as one by one; it
    stops where the loop in :func:`grade_function` would, and that loop closes it otherwise)."""
    call_each = getattr(session, "call_each", None)
    if call_each is None or any(item.case.steps for item in suite.expected):
        return None
    spec = suite.spec
    requests = tuple(case_request(suite, item) for item in suite.expected)

    def answer(index: int, name: str, args: tuple, kwargs: dict) -> Any:
        on_stand_in = requests[index].on_stand_in
        assert on_stand_in is not None
        return on_stand_in(name, args, kwargs)

    records = call_each(spec.name, suite.calls,
                        inject=spec.helpers, stand_ins=spec.stand_ins, on_stand_in=answer if spec.stand_ins else None,
                        timeout_s=spec.timeout_s, max_raised=MAX_RAISED)
    return _Batch(requests, records)


def _hidden(suite: FunctionSuite, outcome: CaseOutcome) -> bool:
    """The case is not one of the public cases the handout ships (a shrunk case never is)."""
    return not any(outcome.case is item.case for item in suite.expected[: suite.spec.public_cases])


def _counterexample(
    outcome: CaseOutcome, item_names: Mapping[str, tuple[str, ...]] | None = None, hidden: bool = False
) -> Counterexample:
    expected, got, mismatches = dict(outcome.expected), dict(outcome.got or {}), outcome.mismatches
    step = 0
    if outcome.case.steps:  # a script: the first step where the student's run differs
        first = first_diverging_step([m.where for m in mismatches])
        if first is not None:
            step = first + 1
            expected = {k: v for k, v in expected.items() if step_of(k) == first}
            got = {k: v for k, v in got.items() if step_of(k) == first}
            mismatches = tuple(m for m in mismatches if not m.where.startswith("step ") or step_of(m.where) == first)
    return Counterexample(
        inputs=dict(outcome.case.args),
        expected=expected,
        got={name: bounded(value) for name, value in got.items()},
        mismatches=mismatches,
        label=outcome.case.label,
        item_names=dict(item_names or {}),
        hidden=hidden,
        script=script_lines(outcome.case) if outcome.case.steps else (),
        step=step,
    )
