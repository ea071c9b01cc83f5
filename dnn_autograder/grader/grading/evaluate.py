"""Run a student's function on one case in the sandbox and judge the outcome.

The verdict is made here, in the trusted parent, from plain data the child sent back: the child
never sees the expected values and cannot report its own result.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from dnn_autograder.grader.grading.normalise import compare_outputs, normalise
from dnn_autograder.grader.grading.numerical_gradient import gradients_agree, only_gradients_differ
from dnn_autograder.grader.grading.scripts import plain_steps, script_lines, step_line
from dnn_autograder.grader.grading.suite import Expected, FunctionSuite
from dnn_autograder.grader.model import Case, Mismatch, script_output
from dnn_autograder.grader.sandbox.child.wire import fresh
from dnn_autograder.grader.sandbox.records import CallRecord, call_record
from dnn_autograder.grader.sandbox.session import Observed
from dnn_autograder.grader.values import bounded, deep_copy, retained_bytes

#: Bytes of stand-in arguments kept per case for the diagnosis; later calls keep their names only.
STAND_IN_KEPT_BYTES = 4 << 20
#: Bytes of the student's outputs and arguments one function's outcomes keep in total (for the
#: diagnosis and the report); past it, an outcome keeps Summaries of anything over ``THIN_BYTES``.
FUNCTION_KEPT_BYTES = 32 << 20
THIN_BYTES = 4096

#: ``check(inputs, outputs) -> violation messages`` (assignment ``properties.py``)
PropertyCheck = Callable[[Mapping[str, Any], Mapping[str, Any]], tuple[str, ...]]


class SessionLike(Protocol):
    def call(self, function: str, args: tuple, **kwargs: Any) -> CallRecord: ...

    def run_script(self, unit: str, inputs: Mapping[str, Any], steps: Any, **kwargs: Any) -> CallRecord: ...


@dataclass(frozen=True)
class CaseOutcome:
    """What happened on one case.

    ``passed`` is the verdict; ``how`` says which check decided it ("exact", "properties",
    "error"); ``observation`` holds ``stand_in_calls`` and ``args_after`` for the diagnosis.
    """

    case: Case
    expected: Mapping[str, Any]
    record: CallRecord
    got: Mapping[str, Any] | None
    mismatches: tuple[Mismatch, ...]
    passed: bool
    how: str
    observation: Mapping[str, Any] = field(default_factory=dict)

    @property
    def errored(self) -> bool:
        return self.record.outcome != "returned"


@dataclass(frozen=True)
class CaseRequest:
    """How a case is run: ``on_stand_in`` answers the stand-ins (None when the function has
    none) and appends each stand-in call to ``calls``, which the verdict then reads (with the
    calls the child recorded once a stand-in was handed to a course helper, ``spec.observed``:
    :func:`stand_in_calls`)."""

    on_stand_in: Callable[[str, tuple, dict], Any] | None
    calls: list[tuple[str, tuple[Any, ...]]]


def case_request(suite: FunctionSuite, item: Expected) -> CaseRequest:
    """The stand-in answers for one run of ``item.case`` (a fresh record of calls each time)."""
    calls: list[tuple[str, tuple[Any, ...]]] = []
    if not suite.spec.stand_ins:  # nothing to answer (no world, nothing observed)
        return CaseRequest(None, calls)
    world = suite.world(item.case)
    observed = suite.observed(item.case)
    kept = [0]  # bytes of stand-in arguments kept so far
    handed = [False]  # a stand-in was handed to a course helper: the child records the calls

    def answer(name: str, args: tuple, kwargs: dict) -> Any:
        if not handed[0]:
            size = retained_bytes(args)
            if kept[0] + size <= STAND_IN_KEPT_BYTES:
                kept[0] += size
                calls.append((name, deep_copy(args)))  # its own arrays: a view would keep the whole frame
            else:  # a student may call stand-ins thousands of times with large arguments
                calls.append((name, ()))
        value = world[name](*args, **kwargs)
        if name in observed:
            handed[0] = True
            return Observed(value, observed[name], STAND_IN_KEPT_BYTES - kept[0], world[name])
        return value

    return CaseRequest(answer if suite.spec.stand_ins else None, calls)


def evaluate_case(
    session: SessionLike,
    suite: FunctionSuite,
    item: Expected,
    properties: PropertyCheck | None = None,
) -> CaseOutcome:
    """Call the student's function on ``item.case`` (or run its script) and compare with
    ``item.outputs``."""
    spec = suite.spec
    case = item.case
    request = case_request(suite, item)
    if case.steps:
        return _evaluate_script(session, suite, item, properties, request.on_stand_in, request.calls)
    record = session.call(
        spec.name,
        tuple(case.args.values()),
        inject=spec.helpers,
        stand_ins=spec.stand_ins,
        on_stand_in=request.on_stand_in,
        seed=case.seed,
        timeout_s=spec.timeout_s,
    )
    return judge_call(suite, item, record, request.calls, properties)


def judge_call(suite: FunctionSuite, item: Expected, record: CallRecord,
               calls: list[tuple[str, tuple[Any, ...]]], properties: PropertyCheck | None = None) -> CaseOutcome:
    """The verdict on one plain call of ``item.case`` (not a script): ``record`` is what the
    sandbox sent back, ``calls`` the stand-in calls it made (:class:`CaseRequest`)."""
    spec = suite.spec
    case = item.case
    if record.outcome != "returned":
        return CaseOutcome(case, item.outputs, record, None, (), False, "error")
    args_after = dict(zip(case.args, record.args_after, strict=False))
    observation = {"stand_in_calls": stand_in_calls(calls, record), "args_after": args_after}
    value, record = record.value, _without_values(record)  # got and args_after keep what is needed
    normalised = normalise(spec, value, args_after)
    del value
    mutated = _mutations(spec.immutable, item, args_after) + _shared_outputs(spec.returns, record)
    if normalised.problem is not None:
        return CaseOutcome(case, item.outputs, record, normalised.outputs,
                           (normalised.problem, *mutated), False, "exact", observation)
    mismatches = compare_outputs(item.outputs, normalised.outputs, rtol=spec.rtol, atol=spec.atol,
                                 names=spec.item_names, agreement=item.agreement)
    if not mismatches and not mutated:
        return CaseOutcome(case, item.outputs, record, normalised.outputs, (), True, "exact", observation)
    if mutated:
        return CaseOutcome(case, item.outputs, record, normalised.outputs, (*mismatches, *mutated),
                           False, "exact", observation)
    return _beyond_exact(suite, item, record, normalised.outputs, mismatches, observation, properties)


def _evaluate_script(session: SessionLike, suite: FunctionSuite, item: Expected, properties: PropertyCheck | None,
                     answer: Callable[[str, tuple, dict], Any] | None,
                     calls: list[tuple[str, tuple[Any, ...]]]) -> CaseOutcome:
    """A script case: every compared value of every step against the reference's run; a
    backward that disagrees is also judged against its own forward (:mod:`numerical_gradient`)."""
    spec, case = suite.spec, item.case
    record = session.run_script(spec.name, case.args, plain_steps(case.steps), inject=spec.helpers,
                                stand_ins=spec.stand_ins, on_stand_in=answer, seed=case.seed,
                                timeout_s=spec.timeout_s)
    if record.outcome != "returned":
        where = step_line(script_lines(case), record.step + 1)
        record = _replaced(record, message=f"{record.message}, at step {record.step + 1}: `{where}`")
        return CaseOutcome(case, item.outputs, record, None, (), False, "error")
    got = {script_output(step, name): value for (step, name), value in dict(record.value).items()}
    observation = {"stand_in_calls": stand_in_calls(calls, record)}
    record = _without_values(record)
    problem = getattr(record, "problem", "")
    if problem:
        mismatch = Mismatch(script_output(record.step, "result"), "type", problem)
        return CaseOutcome(case, item.outputs, record, got, (mismatch,), False, "exact", observation)
    mismatches = compare_outputs(item.outputs, got, rtol=spec.rtol, atol=spec.atol, names=spec.item_names)
    missing = tuple(Mismatch(name, "missing", f"`{name.partition(': ')[2]}` was not produced")
                    for name in item.outputs if name not in got)
    if not mismatches and not missing:
        return CaseOutcome(case, item.outputs, record, got, (), True, "exact", observation)
    if missing:  # the child left out a compared value: nothing else may accept the case
        return CaseOutcome(case, item.outputs, record, got, (*missing, *mismatches), False, "exact", observation)

    def own_forward_agrees() -> bool:
        return (spec.numerical_gradient is not None and only_gradients_differ(spec, case, mismatches)
                and gradients_agree(session, spec, case, got))

    return _beyond_exact(suite, item, record, got, mismatches, observation, properties, own_forward_agrees)


def _beyond_exact(suite: FunctionSuite, item: Expected, record: CallRecord, got: Mapping[str, Any],
                  mismatches: tuple[Mismatch, ...], observation: Mapping[str, Any],
                  properties: PropertyCheck | None,
                  own_forward_agrees: Callable[[], bool] | None = None) -> CaseOutcome:
    """A case whose outputs differ from the reference's (``mismatches``): it passes when they are
    an accepted variant's, when a backward's gradients agree with the student's own forward
    (``own_forward_agrees``, script units), or, for a random function, when they have the
    defining properties; else it fails with ``mismatches``."""
    spec, case = suite.spec, item.case
    if suite.variants and suite.accepted(case, got):
        return CaseOutcome(case, item.outputs, record, got, (), True, "accepted variant", observation)
    if own_forward_agrees is not None and own_forward_agrees():
        return CaseOutcome(case, item.outputs, record, got, (), True, "numerical gradient", observation)
    if spec.kind == "stochastic" and properties is not None:
        problems = tuple(Mismatch(spec.name, "property", message) for message in properties(case.args, got))
        return CaseOutcome(case, item.outputs, record, got, problems, not problems, "properties", observation)
    return CaseOutcome(case, item.outputs, record, got, mismatches, False, "exact", observation)


def _replaced(record: CallRecord, **changes: Any) -> CallRecord:
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        return dataclasses.replace(record, **changes)
    return record


def stand_in_calls(calls: list[tuple[str, tuple[Any, ...]]], record: CallRecord) -> tuple[tuple[str, tuple], ...]:
    """The stand-in calls of a case in order: ``calls`` (recorded here) and then the ones the
    child recorded after a stand-in was handed to a course helper (``record.stand_in_calls``),
    each with its own copy of its positional arguments while they fit in
    :data:`STAND_IN_KEPT_BYTES` (counted from the first of the child's: it was given what was
    left), past it ``(name, ())``, as :func:`case_request` keeps them."""
    recorded = getattr(record, "stand_in_calls", None)
    if not recorded:
        return tuple(calls)
    kept, more = 0, []
    for name, args in recorded:
        size = -1 if args is None else retained_bytes(args)
        if 0 <= size and kept + size <= STAND_IN_KEPT_BYTES:
            kept += size
            more.append((name, fresh(args)))  # its own arrays, not views of the result's frame (as decoded)
        else:
            more.append((name, ()))
    return (*calls, *more)


def _without_values(record: CallRecord) -> CallRecord:
    """``record`` without its decoded value, arguments and recorded stand-in calls (an outcome
    keeps them once, as ``got`` and ``observation``, within the function's budget)."""
    if type(record) is CallRecord:  # the usual record: the copy dataclasses.replace makes, without __init__
        return call_record(**{**record.__dict__, "value": None, "args_after": (), "stand_in_calls": None})
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        if hasattr(record, "stand_in_calls"):
            return dataclasses.replace(record, value=None, args_after=(), stand_in_calls=None)
        return dataclasses.replace(record, value=None, args_after=())
    return record


class Retention:
    """What one function's outcomes keep of the student's values, within ``budget`` bytes in
    total (:data:`FUNCTION_KEPT_BYTES`): an outcome that does not fit keeps :class:`~values.Summary`
    objects for every part over :data:`THIN_BYTES` (the verdict and the mismatches are already
    made; the expected values are the reference's and stay whole)."""

    def __init__(self, budget: int = FUNCTION_KEPT_BYTES) -> None:
        self.left = budget

    def admit(self, outcome: CaseOutcome) -> CaseOutcome:
        size = retained_bytes(outcome.got, self.left) + retained_bytes(outcome.observation, self.left)
        if size <= self.left:
            self.left -= size
            return outcome
        got = None if outcome.got is None else {k: bounded(v, THIN_BYTES) for k, v in outcome.got.items()}
        observation = {k: bounded(v, THIN_BYTES) for k, v in outcome.observation.items()}
        self.left -= retained_bytes(got) + retained_bytes(observation)
        return dataclasses.replace(outcome, got=got, observation=observation)


def _shared_outputs(names: tuple[str, ...], record: CallRecord) -> tuple[Mismatch, ...]:
    aliases = getattr(record, "aliases", ())
    if not aliases:
        return ()
    pairs = [(i, j) for i, j in aliases if j < len(names)]
    return tuple(
        Mismatch(names[i], "aliased", f"`{names[i]}` and `{names[j]}` are one and the same object (as after"
                 f" `{names[i]} = {names[j]} = {{}}`): updating one changes the other. Create a separate"
                 " dict for each")
        for i, j in pairs
    )


#: an argument restored after an in-place perturbation may keep this much rounding (relative to
#: its largest element) and still count as unchanged
RESTORED_RTOL = 1e-12


def _mutations(names: tuple[str, ...], item: Expected, after: Mapping[str, Any]) -> tuple[Mismatch, ...]:
    """A mismatch for each argument of ``names`` that the call left not ``identical`` to the
    case's (within :data:`RESTORED_RTOL`; the case's side prepared once: :meth:`Expected.snapshot`)."""
    before = item.case.args
    return tuple(
        Mismatch(name, "mutated", f"your function modified its argument `{name}`, which it must leave unchanged")
        for name in names
        if name in before and name in after and not item.snapshot(name).unchanged(after[name], rtol=RESTORED_RTOL)
    )
