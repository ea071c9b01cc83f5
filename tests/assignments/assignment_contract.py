"""The contract every assignment folder keeps, as checks that return the problems they find.

Each check takes an :class:`~dnn_autograder.grader.assignment.spec.AssignmentSpec` (from the bank or from any
root, so a test can break a copy of an assignment on purpose) and returns a list of one-line
problems, empty when the promise holds. ``test_assignment_contract.py`` runs them on every
assignment folder; ``test_assignment_contract_catches.py`` shows they fail on broken copies.

What is promised, for every graded unit (a function called once per case, or a script unit: a
stateful function or a class driven by a short script of calls):

* the case bank is current and complete, every explicit edge case names a graded unit and is
  among the unit's cases, the cases follow the unit's signature (a script calls its unit), no case
  passes one object as two arguments, each case's world answers the unit's stand-ins, and the
  reference's outputs are finite numbers that the unit's property check (if any) accepts;
* the catalogue is complete and well formed, and its data file (``catalogue.toml``) holds the
  same words as ``mistakes.py``;
* every mutant has the reference's signature (a class: its constructor and public methods), can
  be written as a submission that runs (:func:`mutant_source`, classes included), differs from
  the reference on some case (the trusted run, :meth:`FunctionSuite.run`), and, when its outputs
  are the student's, loses the unit's points with its own id among the diagnoses (the grader's
  own :func:`grade_function` on that submission, through an in-process session: cheap, and the
  same evaluation, comparison and diagnosis as the sandbox's), and costs no points in the units
  that use the mutated one (one bug costs once);
* the master notebook gets every unit's points, and the starter none.
"""

from __future__ import annotations

import inspect
import math
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from dnn_autograder.grader.assignment.casebank import bank_status
from dnn_autograder.grader.assignment.catalogue import Mistake
from dnn_autograder.grader.assignment.catalogue_data import FILE_NAME, generated
from dnn_autograder.grader.assignment.catalogue_index import mistakes_by_function, property_check
from dnn_autograder.grader.assignment.spec import AssignmentSpec, FunctionSpec, assignment_module, resolve
from dnn_autograder.grader.commands.selfcheck_checks import bank_problems as selfcheck_bank_problems
from dnn_autograder.grader.extract import extract_file
from dnn_autograder.grader.grading.evaluate import RESTORED_RTOL, evaluate_case
from dnn_autograder.grader.grading.grade_function import grade_function
from dnn_autograder.grader.grading.normalise import compare_outputs
from dnn_autograder.grader.grading.suite import FunctionSuite, build_suites
from dnn_autograder.grader.handouts.mutant_submissions import (
    MutantSourceError,
    master_parts,
    mistakes_of,
    mutant_source,
)
from dnn_autograder.grader.model import Case
from dnn_autograder.grader.values import deep_copy, identical, numeric_leaves

_GRADER_TESTS = str(Path(__file__).resolve().parent.parent / "grader")
if _GRADER_TESTS not in sys.path:
    sys.path.insert(0, _GRADER_TESTS)

from inprocess import InProcessSandbox, InProcessSession  # noqa: E402

#: a mistake id: lower-case words of letters and digits joined by hyphens (``adam-no-bias-correction``)
MISTAKE_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
#: an explanation says what the code did and what to write instead: at least this long, in at most so many sentences
MIN_EXPLANATION = 40
MAX_SENTENCES = 5


# --- the bank -----------------------------------------------------------------------------------


def bank_problems(spec: AssignmentSpec) -> list[str]:
    """Notebooks, reference, strategy, property check and a mistake per unit (``grade selfcheck``'s
    static checks), a current case bank, and cases for every unit."""
    problems = selfcheck_bank_problems(spec)
    status = bank_status(spec)
    if not status.ok:  # the cases would be drawn anew: counting them says nothing
        return [*problems, status.describe()]
    suites = build_suites(spec)
    return problems + [f"{spec.name}: {name} has no cases" for name in spec.function_names if not suites[name].expected]


def edge_case_problems(spec: AssignmentSpec) -> list[str]:
    """``EDGE_CASES`` names only graded units, and each of its cases is among the unit's cases
    (in front, as the grader runs them)."""
    edge_cases: Mapping[str, Any] = getattr(assignment_module(spec, "cases"), "EDGE_CASES", {})
    problems = [f"{spec.name}: EDGE_CASES names {name!r}, which is not a graded unit"
                for name in edge_cases if name not in spec.function_names]
    suites = build_suites(spec)
    for name, cases in edge_cases.items():
        if name not in suites:
            continue
        graded = [item.case for item in suites[name].expected[: len(cases)]]
        problems += [f"{spec.name}: {name}: edge case {case.label!r} is not run"
                     for case, ran in zip(cases, graded + [None] * len(cases), strict=False) if case is not ran]
    return problems


def case_problems(spec: AssignmentSpec, unit: str) -> list[str]:
    """The unit's cases: signature (or script), no aliased arguments, worlds, and the reference's
    outputs finite and accepted by the unit's property check."""
    suite = build_suites(spec)[unit]
    fspec = suite.spec
    check = property_check(spec, unit)
    problems: list[str] = []
    for item in suite.expected:
        case = item.case
        where = f"{spec.name}: {unit}: case {case.label!r}"
        problems += [f"{where}: {p}" for p in _form_problems(fspec, case)]
        found = [i for value in case.args.values() for i in _containers(value)]
        if len(found) != len(set(found)):
            problems.append(f"{where}: passes one object as two arguments (an update of one would change the other)")
        problems += [f"{where}: {p}" for p in _world_problems(suite, case)]
        if not all(_finite(leaf) for leaf in numeric_leaves(dict(item.outputs))):
            problems.append(f"{where}: the reference's outputs are not all finite")
        if check is not None and (violations := check(case.args, item.outputs)):
            problems.append(f"{where}: the property check rejects the reference: {violations[0]}")
    return problems


def _form_problems(fspec: FunctionSpec, case: Case) -> list[str]:
    """A call case passes the graded parameters in order; a script calls its unit and compares
    something (a script the reference cannot run stops ``build_suites`` before this)."""
    if not case.steps:
        names = tuple(case.args)
        return [] if names == fspec.params[: len(names)] else [
            f"arguments {names} do not follow the signature {fspec.params}"]
    problems = []
    if fspec.name not in (step.call for step in case.steps):
        problems.append(f"the script never calls {fspec.name}")
    if not any(step.compare for step in case.steps):
        problems.append("the script compares nothing")
    return problems


def _world_problems(suite: FunctionSuite, case: Case) -> list[str]:
    stand_ins = set(suite.spec.stand_ins)
    if not stand_ins:
        return [] if not case.world else [f"names world {case.world!r}, but the unit has no stand-ins"]
    world = suite.worlds.get(case.world)
    if world is None:
        return [f"names unknown world {case.world!r}"]
    return [f"world {case.world!r} does not answer {sorted(stand_ins - set(world))}"] if stand_ins - set(world) else []


def _containers(value: Any) -> list[int]:
    """ids of the arrays, dicts and lists inside ``value`` (objects a unit could update in place)."""
    if isinstance(value, np.ndarray):
        return [id(value)]
    if isinstance(value, dict):
        return [id(value)] + [i for v in value.values() for i in _containers(v)]
    if isinstance(value, list):
        return [id(value)] + [i for v in value for i in _containers(v)]
    if isinstance(value, tuple):
        return [i for v in value for i in _containers(v)]
    return []


def _finite(leaf: Any) -> bool:
    array = np.asarray(leaf)
    return array.dtype.kind not in "fc" or bool(np.all(np.isfinite(array)))


# --- the catalogue ------------------------------------------------------------------------------


def catalogue_problems(spec: AssignmentSpec) -> list[str]:
    """Ids unique and well formed, titles on one line, explanations that explain briefly, every
    mistake's unit graded, and ``catalogue.toml`` (when there is one) generated from it."""
    mistakes = mistakes_of(spec)
    problems = []
    ids = [m.id for m in mistakes]
    problems += [f"{spec.name}: mistake id {i!r} is used {ids.count(i)} times" for i in sorted(set(ids))
                 if ids.count(i) > 1]
    for mistake in mistakes:
        where = f"{spec.name}: mistake {mistake.id!r}"
        if not isinstance(mistake.id, str) or not MISTAKE_ID.fullmatch(mistake.id):
            problems.append(f"{where}: the id is not lower-case words joined by hyphens")
        if mistake.function not in spec.function_names:
            problems.append(f"{where}: names {mistake.function!r}, which is not a graded unit")
        if not mistake.title.strip() or "\n" in mistake.title:
            problems.append(f"{where}: the title must be one non-empty line")
        if len(mistake.explanation.strip()) < MIN_EXPLANATION or mistake.explanation.count(". ") + 1 > MAX_SENTENCES:
            problems.append(f"{where}: the explanation must say in at most {MAX_SENTENCES} sentences what the code "
                            "did, why it is wrong and what to write instead")
    data = spec.folder / FILE_NAME
    if data.is_file():
        try:
            stale = data.read_text(encoding="utf-8") != generated(spec.folder.name, spec.folder.parent)
        except Exception as exc:  # noqa: BLE001 - a catalogue the generator refuses is a finding
            problems.append(f"{spec.name}: {FILE_NAME} cannot be generated from mistakes.py: {exc}")
        else:
            if stale:
                problems.append(f"{spec.name}: {data} does not hold the words of mistakes.py; rewrite it with "
                                "`python -m dnn_autograder.grader.assignment.catalogue_data`")
    return problems


def shared_id_problems(catalogues: Mapping[str, Sequence[Mistake]]) -> list[str]:
    """An id means one mistake across the bank: it may recur in another assignment only as the same
    entry (an assignment that reuses another's catalogue, such as a template year's variant)."""
    meaning: dict[str, tuple[str, tuple[str, str, str]]] = {}
    problems = []
    for name, mistakes in catalogues.items():
        for mistake in mistakes:
            words = (mistake.function, mistake.title, mistake.explanation)
            first = meaning.setdefault(mistake.id, (name, words))
            if first[1] != words:
                problems.append(f"mistake id {mistake.id!r} means one thing in {first[0]} and another in {name}")
    return problems


# --- the mutants --------------------------------------------------------------------------------


def signature_problems(spec: AssignmentSpec, mistake: Mistake) -> list[str]:
    """The mutant has the reference's signature: the same parameters in order, of the same kinds,
    with the same defaults for the graded ones (keyword-only helper hooks may default to another
    helper); for a class, the same constructor and every public method of the reference, each with
    the reference's signature (a mutant may have helpers of its own)."""
    fspec = spec.function(mistake.function)
    reference, mutant = resolve(fspec.reference), mistake.mutant
    where = f"{spec.name}: mistake {mistake.id}"
    if inspect.isclass(reference) != inspect.isclass(mutant):
        kinds = ("a class" if inspect.isclass(reference) else "a function",
                 "a class" if inspect.isclass(mutant) else "a function")
        return [f"{where}: the reference is {kinds[0]}, the mutant {kinds[1]}"]
    if not inspect.isclass(reference):
        return [f"{where}: {p}" for p in _parameter_problems(reference, mutant, fspec.params)]
    problems = [f"{where}: constructor: {p}" for p in _parameter_problems(reference.__init__, mutant.__init__, None)]
    methods, theirs = _public_methods(reference), _public_methods(mutant)
    if set(methods) - set(theirs):
        problems.append(f"{where}: no method {', '.join(sorted(set(methods) - set(theirs)))} (the reference's public "
                        f"methods are {', '.join(sorted(methods))})")
    for name in set(methods) & set(theirs):
        problems += [f"{where}: {name}: {p}" for p in _parameter_problems(methods[name], theirs[name], None)]
    return problems


def _parameter_problems(reference: Callable[..., Any], mutant: Callable[..., Any],
                        graded: tuple[str, ...] | None) -> list[str]:
    """``graded``: the parameters whose defaults must agree (None: all of them)."""
    ours = list(inspect.signature(reference).parameters.values())
    theirs = list(inspect.signature(mutant).parameters.values())
    if [(p.name, p.kind) for p in ours] != [(p.name, p.kind) for p in theirs]:
        return [f"parameters {_shown(theirs)}, the reference's are {_shown(ours)}"]
    return [f"parameter {a.name!r} defaults to {b.default!r}, the reference's to {a.default!r}"
            for a, b in zip(ours, theirs, strict=True)
            if (graded is None or a.name in graded) and not _same_default(a.default, b.default)]


def _same_default(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a is b or type(a) is type(b) and a == b


def _shown(parameters: list[inspect.Parameter]) -> str:
    return "(" + ", ".join(f"{p.name}:{p.kind.name.lower()}" for p in parameters) + ")"


def _public_methods(cls: type) -> dict[str, Callable[..., Any]]:
    return {name: member for name, member in inspect.getmembers(cls, inspect.isfunction) if not name.startswith("_")}


def submission_problems(spec: AssignmentSpec, mistake: Mistake) -> list[str]:
    """The mutant, written as a submission, compiles, runs and defines its unit."""
    where = f"{spec.name}: mistake {mistake.id}"
    try:
        source = mutant_source(spec, mistake)
    except MutantSourceError as exc:
        return [f"{where}: {exc}"]
    session = InProcessSandbox().session([source])
    problems = [f"{where}: the submission does not run: {u.message}" for u in session.units if not u.ok]
    if not session.defined(mistake.function):
        problems.append(f"{where}: the submission does not define {mistake.function}")
    return problems


def exposure_problems(spec: AssignmentSpec, mistake: Mistake) -> list[str]:
    """Some case tells the mutant from the reference in the trusted run: its outputs differ
    beyond the unit's tolerances, it raises, or it updates an argument the spec makes immutable."""
    suite = build_suites(spec)[mistake.function]
    for item in suite.expected:
        try:
            outputs = suite.run(mistake.mutant, item.case)  # type: ignore[arg-type]
        except Exception:  # noqa: BLE001 - raising is telling
            return []
        if compare_outputs(item.outputs, outputs, rtol=suite.spec.rtol, atol=suite.spec.atol):
            return []
        if _modifies_an_immutable(suite, mistake.mutant, item.case):
            return []
    return [f"{spec.name}: mistake {mistake.id}: no case of {mistake.function} tells the mutant from the reference "
            f"({len(suite.expected)} cases)"]


def _modifies_an_immutable(suite: FunctionSuite, impl: Any, case: Case) -> bool:
    """The call updates an argument the spec says it must leave alone (``immutable``)."""
    if case.steps or not suite.spec.immutable:
        return False
    args = deep_copy(dict(case.args))
    with np.errstate(all="ignore"):
        impl(*args.values(), **suite.world(case))
    return any(not identical(case.args[name], args[name], rtol=RESTORED_RTOL)
               for name in suite.spec.immutable if name in args)


def diagnosis_problems(spec: AssignmentSpec, mistake: Mistake) -> list[str]:
    """Graded as the student's, the mutant loses the unit's points with its id among the diagnoses.

    The mutant runs as a submission (:func:`mutant_source`: it calls the stand-ins and the course
    helpers by their global names, as a student's code does; a class mutant is a class there).
    """
    try:
        session = InProcessSandbox().session([mutant_source(spec, mistake)])
    except MutantSourceError as exc:
        return [f"{spec.name}: mistake {mistake.id}: {exc}"]
    suites = build_suites(spec)
    unit = mistake.function
    with np.errstate(all="ignore"):  # the student's overflows are evidence, not news
        result = grade_function(session, suites[unit], mistakes_by_function(spec)[unit], property_check(spec, unit))
    where = f"{spec.name}: mistake {mistake.id}"
    if result.score >= result.max_score:
        return [f"{where}: slipped through: {unit} passes all {result.cases_run} cases"]
    if mistake.id not in result.diagnoses:
        found = ", ".join(result.diagnoses) or "nothing"
        return [f"{where}: caught ({unit} fails {result.cases_run - result.cases_passed} of {result.cases_run} "
                f"cases, {result.status}) but diagnosed as {found}"]
    return []


def costs_once_problems(spec: AssignmentSpec, mistake: Mistake) -> list[str]:
    """One mistake costs points once: in the mutant's submission, every other unit that may use the
    mutated one (its scripts call it, or the master's code of that unit names it without a stand-in
    answering) still gets its points, except the units its ``also_costs`` names (by design: a
    forward mistake that changes what the backward differentiates)."""
    dependents = [unit for unit in _dependents(spec, mistake.function) if unit not in mistake.also_costs]
    if not dependents:
        return []
    try:
        session = InProcessSandbox().session([mutant_source(spec, mistake)])
    except MutantSourceError as exc:
        return [f"{spec.name}: mistake {mistake.id}: {exc}"]
    suites = build_suites(spec)
    problems = []
    for unit in dependents:
        with np.errstate(all="ignore"):
            result = grade_function(session, suites[unit], mistakes_by_function(spec)[unit], property_check(spec, unit))
        if result.score < result.max_score:
            first = result.message.strip().splitlines()[0] if result.message.strip() else ""
            problems.append(f"{spec.name}: mistake {mistake.id} in {mistake.function} also costs points in {unit} "
                            f"({result.status}: {first[:150]})")
    return problems


def _dependents(spec: AssignmentSpec, unit: str) -> list[str]:
    """The other graded units that may call ``unit`` in a student's submission."""
    master = spec.folder / "master.ipynb"
    sources = master_parts(master, spec.function_names)[1] if master.is_file() else {}
    suites = build_suites(spec)
    name = re.compile(rf"\b{re.escape(unit)}\b")
    return [other for other in spec.function_names if other != unit and (
        any(step.call == unit for item in suites[other].expected for step in item.case.steps)
        or unit not in spec.function(other).stand_ins and name.search(sources.get(other, "")) is not None)]


# --- the notebooks ------------------------------------------------------------------------------


def notebook_problems(spec: AssignmentSpec) -> list[str]:
    """The master gets every unit's points and the starter none: both define every unit."""
    problems = []
    suites = build_suites(spec)
    for notebook in ("master.ipynb", "starter.ipynb"):
        path = spec.folder / notebook
        if not path.is_file():
            problems.append(f"{spec.name}: {path} is missing")
            continue
        session = InProcessSandbox().session(extract_file(path).units)
        for fspec in spec.functions:
            where = f"{spec.name}: {notebook}: {fspec.name}"
            if not session.defined(fspec.name):
                problems.append(f"{where} is not defined")
            elif notebook == "master.ipynb":
                result = grade_function(session, suites[fspec.name], mistakes_by_function(spec)[fspec.name],
                                        property_check(spec, fspec.name))
                if result.score < result.max_score:
                    problems.append(f"{where} scores {result.score:g}/{result.max_score:g}: "
                                    f"{result.message.strip().splitlines()[0] if result.message.strip() else ''}")
            elif _passes_every_case(session, suites[fspec.name], property_check(spec, fspec.name)):
                problems.append(f"{where} passes every case: the starter gives points away")
    return problems


def _passes_every_case(session: InProcessSession, suite: FunctionSuite, check: Any) -> bool:
    return all(evaluate_case(session, suite, item, check).passed for item in suite.expected)
