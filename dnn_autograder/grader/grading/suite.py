"""Cases and expected outputs: the same for every student, computed once per grading process.

For each graded function: the spec's explicit edge cases, then ``spec.cases`` examples drawn
from the assignment's Hypothesis strategy with a fixed seed (no example database), each with
the reference's normalised output. Nothing here is ever sent to student code except the inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from dnn_autograder.grader.assignment.casebank import generated_cases
from dnn_autograder.grader.assignment.spec import (
    AssignmentSpec,
    FunctionSpec,
    assignment_module,
    course_helper,
    resolve,
)
from dnn_autograder.grader.errors import SpecError
from dnn_autograder.grader.grading.compare import Agreement
from dnn_autograder.grader.grading.normalise import compare_outputs, normalise, outputs_agreement
from dnn_autograder.grader.grading.scripts import run_trusted
from dnn_autograder.grader.grading.unchanged import Snapshot
from dnn_autograder.grader.model import Case
from dnn_autograder.grader.sandbox.requests import PreparedCalls
from dnn_autograder.grader.values import deep_copy

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

T = TypeVar("T")


@dataclass(frozen=True)
class Expected:
    """One case with the reference's named outputs for it."""

    case: Case
    outputs: Mapping[str, Any]

    @cached_property
    def agreement(self) -> Agreement:
        """``outputs`` prepared once for the verdict on every student (``compare_outputs``)."""
        return outputs_agreement(self.outputs)

    def snapshot(self, name: str) -> Snapshot:
        """The case's argument ``name`` prepared, at its first use, for the check that a student
        left it unchanged (:class:`~dnn_autograder.grader.grading.unchanged.Snapshot`); kept for
        every student (a case's arguments never change: trusted code runs on copies)."""
        known = self._snapshots
        found = known.get(name)
        if found is None:
            found = known[name] = Snapshot(self.case.args[name])
        return found

    @cached_property
    def _snapshots(self) -> dict[str, Snapshot]:
        return {}


@dataclass(frozen=True)
class FunctionSuite:
    """Everything needed to grade one function, none of it student-visible except the inputs."""

    spec: FunctionSpec
    expected: tuple[Expected, ...]
    #: cases.py's ``<fn>_cases``: builds the strategy, only when a case must be drawn (shrinking)
    strategy_factory: Callable[[], SearchStrategy[Case]]
    reference: Callable[..., Any]
    worlds: Mapping[str, Mapping[str, Callable[..., Any]]]
    #: the references of the assignment's graded units, which a script case may call besides
    #: this unit (a backward unit's script calls the forward first)
    companions: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    #: the spec's accepted variants (``accept``), by their ``module:attr``
    variants: Mapping[str, Callable[..., Any]] = field(default_factory=dict)

    @cached_property
    def strategy(self) -> SearchStrategy[Case]:
        """The function's case strategy, built at the first use: grading on the banked cases needs
        none, and building one imports Hypothesis (~0.25 s of CPU in a cold process)."""
        return self.strategy_factory()

    @cached_property
    def calls(self) -> PreparedCalls:
        """``(args, seed)`` of every case, in order, for ``Session.call_each``: encoded for the
        sandbox once per process, not once per student (the cases are the same for all; nothing
        writes into a case's arguments: trusted code runs on copies, the child on what it
        received)."""
        return PreparedCalls([(tuple(item.case.args.values()), item.case.seed) for item in self.expected])

    def accepted(self, case: Case, got: Mapping[str, Any]) -> str | None:
        """The accepted variant whose outputs on ``case`` are ``got`` (within tolerances), or None."""
        for target, variant in self.variants.items():
            try:
                outputs = self.run(variant, case)
            except Exception:  # noqa: BLE001 - a variant that cannot run this case accepts nothing
                continue
            if all(name in got for name in outputs) and not compare_outputs(
                    outputs, got, rtol=self.spec.rtol, atol=self.spec.atol):
                return target
        return None

    def world(self, case: Case) -> Mapping[str, Callable[..., Any]]:
        """The helper callables that answer the stand-ins for ``case``."""
        if not self.spec.stand_ins:
            return {}
        try:
            return self.worlds[case.world]
        except KeyError as exc:
            raise SpecError(f"{self.spec.name}: case names unknown world {case.world!r}") from exc

    def observed(self, case: Case) -> Mapping[str, str]:
        """The stand-ins of ``spec.observed`` that ``case``'s world answers with one of their very
        course helpers (the same function): ``{name: "module.attr"}``, handed to that helper in
        the child."""
        if not self.spec.observed:
            return {}
        world = self.world(case)
        return {name: target for name, targets in self.spec.observed.items() for target in targets
                if world.get(name) is course_helper(target)}

    def trusted_outputs(self, impl: Callable[..., Any], case: Case) -> Mapping[str, Any]:
        """:meth:`run` ``(impl, case)``, kept for the process when ``case`` is one of ``expected``'s:
        a trusted implementation's outputs on one of the suite's cases are the same for every
        student, as the reference's are (a mutant, replayed by the diagnosis for each student
        with that mistake). Like the reference's, they must follow from the case alone (a unit
        that draws random numbers is a script, which :func:`run_trusted` seeds with the case's
        seed). A failure is not kept (the run raises each time), nor a run on another case (a
        shrunk one). The outputs are shared: callers must not change them."""
        index = self._index_of(case)
        if index is None:
            return self.run(impl, case)
        key = (index, "outputs", impl)
        memo = self._memo
        if key not in memo:
            memo[key] = self.run(impl, case)
        return memo[key]

    def derived(self, impl: Callable[..., Any], case: Case, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, kept under ``key`` beside :meth:`trusted_outputs` ``(impl, case)`` when
        those are kept, else computed each time: for what follows from ``impl``'s outputs on the
        case and the expected ones alone (the same for every student: ``compute`` must not read
        anything a student does; ``key`` names what it computes)."""
        index = self._index_of(case)
        memo = self._memo
        if index is None or (index, "outputs", impl) not in memo:
            return compute()
        full = (index, "derived", impl, key)
        if full in memo:
            return memo[full]
        value = memo[full] = compute()
        return value

    def _index_of(self, case: Case) -> int | None:
        """The position of ``case`` (that very object) in ``expected``, or None."""
        index = self._case_index.get(id(case))
        return index if index is not None and self.expected[index].case is case else None

    @cached_property
    def _case_index(self) -> dict[int, int]:
        return {id(item.case): index for index, item in enumerate(self.expected)}

    @cached_property
    def _memo(self) -> dict[tuple[Any, ...], Any]:
        return {}

    def run(self, impl: Callable[..., Any], case: Case) -> Mapping[str, Any]:
        """Run a trusted implementation (reference or mutant) on a case; named outputs."""
        if case.steps:
            with np.errstate(all="ignore"):
                return run_trusted(case, {**self.companions, self.spec.name: impl})
        args = deep_copy(dict(case.args))
        # a mutant that overflows is evidence, not news for the grader's stderr
        with np.errstate(all="ignore"):
            value = impl(*args.values(), **self.world(case))
        return normalise(self.spec, value, args).outputs


@cache
def build_suites(assignment: AssignmentSpec) -> Mapping[str, FunctionSuite]:
    """The suites of every graded function of ``assignment`` (cached for the process)."""
    cases_module = assignment_module(assignment, "cases")
    edge_cases: Mapping[str, tuple[Case, ...]] = getattr(cases_module, "EDGE_CASES", {})
    worlds = getattr(cases_module, "WORLDS", {})
    generated = generated_cases(assignment)
    suites = {}
    companions = {fspec.name: resolve(fspec.reference) for fspec in assignment.functions}
    for fspec in assignment.functions:
        factory = getattr(cases_module, fspec.strategy, None)
        if factory is None:
            raise SpecError(f"{assignment.folder}/cases.py: no strategy {fspec.strategy!r}")
        cases = tuple(edge_cases.get(fspec.name, ())) + generated[fspec.name]
        reference = resolve(fspec.reference)
        variants = {target: resolve(target) for target in fspec.accept}
        suite = FunctionSuite(fspec, (), factory, reference, worlds, companions, variants)
        expected = tuple(Expected(case, suite.run(reference, case)) for case in cases)
        suites[fspec.name] = FunctionSuite(fspec, expected, factory, reference, worlds, companions, variants)
    return suites


def __getattr__(name: str) -> Any:
    """``draw_cases`` (:mod:`.sampling`'s, re-exported from its former home) is imported on first
    use: it imports Hypothesis, which building suites from the case bank never needs."""
    if name == "draw_cases":
        from dnn_autograder.grader.assignment.sampling import draw_cases

        return draw_cases
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
