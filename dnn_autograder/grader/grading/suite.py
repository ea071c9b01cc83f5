"""Cases and expected outputs: the same for every student, computed once per grading process.

For each graded function: the spec's explicit edge cases, then ``spec.cases`` examples drawn
from the assignment's Hypothesis strategy with a fixed seed (no example database), each with
the reference's normalised output. Nothing here is ever sent to student code except the inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

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
from dnn_autograder.grader.model import Case
from dnn_autograder.grader.sandbox.requests import PreparedCalls
from dnn_autograder.grader.values import deep_copy

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy


@dataclass(frozen=True)
class Expected:
    """One case with the reference's named outputs for it."""

    case: Case
    outputs: Mapping[str, Any]

    @cached_property
    def agreement(self) -> Agreement:
        """``outputs`` prepared once for the verdict on every student (``compare_outputs``)."""
        return outputs_agreement(self.outputs)


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
        """The stand-ins of ``spec.observed`` that ``case``'s world answers with that very course
        helper (the same function): ``{name: "module.attr"}``, handed to the helper in the child."""
        if not self.spec.observed:
            return {}
        world = self.world(case)
        return {name: target for name, target in self.spec.observed.items()
                if world.get(name) is course_helper(target)}

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
