"""Assignment specs: what is graded, for how many points, on which cases, within which tolerances.

An assignment is a folder under ``assignments/`` holding ``spec.toml`` (this module's data),
``cases.py`` (Hypothesis strategies and explicit edge cases per graded function),
``mistakes.py`` (the misconception catalogue) and, for stochastic functions, ``properties.py``
(the defining-property checks). Adding an assignment is adding a folder: nothing here names one.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import re
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

from dnn_autograder.grader.errors import SpecError, UsageError

ASSIGNMENTS_DIR = Path(__file__).resolve().parents[2] / "assignments"

GradingKind = Literal["deterministic", "stochastic"]
#: ``call``: one call per case (``Case.args``); ``script``: a few calls per case (``Case.steps``):
#: state threaded through calls, a forward then its backward, a class constructed and its methods
Shape = Literal["call", "script"]


@dataclass(frozen=True)
class NumericalGradient:
    """How a backward pass is judged when its gradients differ from the reference's: against
    central differences of the student's *own* forward, so a wrong forward costs once.

    With ``L = sum(output * upstream)`` and the script's steps up to the one that binds ``output``
    re-run with one element of an input nudged, ``dL/dv[i] ~ (L(v + h e_i) - L(v - h e_i)) / 2h``
    for every input ``v`` of ``wrt``; the backward's value compared under the name ``wrt[v]``
    must agree with it within ``|num - got| <= atol + rtol * max|num|``.

    Attributes:
        output: the name the forward step binds its output to (``"out"``).
        upstream: the case input holding the upstream gradient (``"dout"``).
        wrt: case input -> the compared name that holds its gradient (``{"x": "dx"}``).
    """

    output: str
    upstream: str
    wrt: Mapping[str, str]
    h: float = 1e-5
    rtol: float = 1e-4
    atol: float = 1e-6


#: What a report may show of a failing hidden case (spec key ``reveal``), most to least.
REVEAL_CHOICES = ("all", "inputs", "mistake")


@dataclass(frozen=True)
class FunctionSpec:
    """How one graded function is graded.

    Attributes:
        name: the function name students define.
        points: points for a fully correct function.
        cases: number of Hypothesis-generated cases (explicit edge cases come on top).
        rtol, atol: elementwise tolerance, ``|got - expected| <= atol + rtol * |expected|``.
        timeout_s: wall-clock deadline of one call.
        kind: ``deterministic`` (compared with the reference case by case) or ``stochastic``
            (exact agreement under the course's seeding, else the defining properties).
        params: the parameter names of the graded signature, in order.
        returns: names of the outputs: one name for a single return value, several for a tuple.
        accept_prefix: a tuple return of at least this many leading outputs is accepted
            (Adam's older 3-tuple); equals ``len(returns)`` when only the full tuple is right.
        in_place: arguments the function updates; the update is accepted returned or in place.
        immutable: arguments that must not be modified; a mutation is reported and fails.
        stand_ins: names (graded functions or controlled helpers) the function may call, answered
            by the trusted parent instead of the student's own code.
        helpers: ``{name: "module.attr"}`` course helpers injected into the student's namespace.
        observed: ``{stand-in name: ("module.attr", ...)}`` (one target or a list in the spec):
            in a case whose world answers that stand-in with one of these very helpers (the same
            function), the parent answers its first call and hands the rest to that helper in the
            child, which records every stand-in call from then on (as the parent would: positional
            arguments by value, within the same byte budget) with the answers it gave, and sends
            them with the result: no round trip per call. The parent recomputes every such answer
            with the world's function (a different one makes the call a violation). The helper's
            time counts towards the call's deadline. Only code the sandbox loads: a module of
            ``course_helpers.COURSE_MODULES`` that learners do not write and that is not the
            grader's picture steps, and never a graded function or its reference.
        strategy: name of the strategy factory in the assignment's ``cases.py``.
        properties: name of the property check in ``properties.py`` (stochastic functions).
        reference: ``module:attr`` of the reference implementation.
        item_names: the course's names for the items of tuple values, ``{path pattern: names}``
            (``{"cache": ("Z1", "D1", ...)}``; ``[*]`` in a pattern is any position), used to
            label differences (:mod:`dnn_autograder.grader.grading.labels`).
        public_cases: how many of the function's cases (the first ones: edge cases, then the
            generated ones, in order) are public: shipped with expected outputs in the student
            handout's self-check. The final grade uses every case, public and hidden.
        reveal: what a report shows of a failing *hidden* case (:data:`REVEAL_CHOICES`):
            ``all`` (inputs, expected and got), ``inputs`` (inputs and what is wrong, no
            expected values) or ``mistake`` (only the named mistake, no case at all).
    """

    name: str
    points: float
    cases: int
    rtol: float
    atol: float
    timeout_s: float
    kind: GradingKind
    params: tuple[str, ...]
    returns: tuple[str, ...]
    accept_prefix: int
    in_place: tuple[str, ...] = ()
    immutable: tuple[str, ...] = ()
    stand_ins: tuple[str, ...] = ()
    helpers: Mapping[str, str] = field(default_factory=dict)
    observed: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    strategy: str = ""
    properties: str = ""
    reference: str = ""
    item_names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    public_cases: int = 3
    reveal: str = "all"
    #: ``call`` or ``script`` (:data:`Shape`); a script unit's cases carry ``steps``
    shape: Shape = "call"
    #: a backward unit's judge of last resort (:class:`NumericalGradient`), or None
    numerical_gradient: NumericalGradient | None = None
    #: ``module:attr`` of other implementations whose outputs are right too (the other one-sided
    #: derivative at a kink, an equivalent published form): a case whose outputs differ from the
    #: reference's but agree with one of these, within the same tolerances, passes
    accept: tuple[str, ...] = ()


@dataclass(frozen=True)
class Recognition:
    """How a submission file is recognised as this assignment (spec table ``[recognise]``).

    Attributes:
        file_names: regular expressions searched (case-insensitively) in the file's name and the
            notebook's title; they decide only when the file defines no graded function at all.
        shared_names: graded names that course helper modules also define
            (``forward_propagation``): defining them proves nothing alone.
        markers: regular expressions searched (multi-line) in the file's code: when several
            assignments grade the same names the file defines, those whose markers match win
            (two versions of a template that read an argument differently).
    """

    file_names: tuple[str, ...] = ()
    shared_names: tuple[str, ...] = ()
    markers: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: load_assignment caches it
class AssignmentSpec:
    """One assignment: its graded functions and where its data lives."""

    name: str
    title: str
    folder: Path
    helper_module: str
    case_seed: int
    functions: tuple[FunctionSpec, ...]
    digest: str  #: hash of every file in the folder that changes grading
    recognise: Recognition = Recognition()  #: the ``[recognise]`` table

    @property
    def max_score(self) -> float:
        return float(sum(f.points for f in self.functions))

    def function(self, name: str) -> FunctionSpec:
        for spec in self.functions:
            if spec.name == name:
                return spec
        raise KeyError(name)

    @property
    def function_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.functions)


def available_assignments(root: Path = ASSIGNMENTS_DIR) -> tuple[str, ...]:
    """Names of the assignment folders (those holding a ``spec.toml``), sorted."""
    return tuple(sorted(p.parent.name for p in root.glob("*/spec.toml")))


@cache
def load_assignment(name: str, root: Path = ASSIGNMENTS_DIR) -> AssignmentSpec:
    """Load and validate ``assignments/<name>/spec.toml``.

    Raises:
        UsageError: no such assignment.
        SpecError: the spec is invalid (the message names the file and key).
    """
    folder = root / name
    path = folder / "spec.toml"
    if not path.is_file():
        known = ", ".join(available_assignments(root)) or "none"
        raise UsageError(f"unknown assignment {name!r} (known: {known})")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: not valid TOML: {exc}") from exc
    defaults = data.get("defaults", {})
    if "reveal" in data:  # an assignment-wide choice, overridable per function
        defaults = {"reveal": data["reveal"], **defaults}
    functions = tuple(_function_spec(path, entry, defaults) for entry in data.get("functions", []))
    if not functions:
        raise SpecError(f"{path}: no [[functions]] entries")
    _no_graded_helpers(path, functions)
    return AssignmentSpec(
        name=_require(path, data, "name"),
        title=_require(path, data, "title"),
        folder=folder,
        helper_module=data.get("helper_module", ""),
        case_seed=int(data.get("case_seed", 0)),
        functions=functions,
        digest=_folder_digest(folder),
        recognise=_recognition(path, data.get("recognise", {}), functions),
    )


def load_all(root: Path = ASSIGNMENTS_DIR) -> tuple[AssignmentSpec, ...]:
    return tuple(load_assignment(name, root) for name in available_assignments(root))


def assignment_module(spec: AssignmentSpec, module: str) -> ModuleType:
    """Import ``cases``, ``mistakes`` or ``properties`` of an assignment folder (trusted code)."""
    if spec.folder.parent == ASSIGNMENTS_DIR:
        return importlib.import_module(f"dnn_autograder.assignments.{spec.name}.{module}")
    return _import_file(spec.folder / f"{module}.py", f"_assignment_bank.{spec.name}.{module}")


def resolve(target: str) -> Any:
    """Return the object named by ``"package.module:attr"``."""
    module_name, _, attr = target.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attr)


def _function_spec(path: Path, entry: Mapping[str, Any], defaults: Mapping[str, Any]) -> FunctionSpec:
    merged = {**defaults, **entry}
    name = _require(path, merged, "name")
    reference = merged.get("reference", f"dnn_autograder.reference:{name}")
    try:
        signature = inspect.signature(resolve(reference))
    except (ImportError, AttributeError) as exc:
        raise SpecError(f"{path}: function {name!r}: reference {reference!r} not found") from exc
    # keyword-only parameters are the reference's helper hooks, not part of the graded signature
    params = tuple(
        p.name for p in signature.parameters.values()
        if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    )
    stand_ins = tuple(merged.get("stand_ins", ()))
    returns = tuple(merged.get("returns", ("result",)))
    kind = merged.get("kind", "deterministic")
    if kind not in ("deterministic", "stochastic"):
        raise SpecError(f"{path}: function {name!r}: kind must be deterministic or stochastic")
    for key in ("in_place", "immutable"):
        unknown = set(merged.get(key, ())) - set(params)
        if unknown:
            raise SpecError(f"{path}: function {name!r}: {key} names unknown arguments {unknown}")
    shape = merged.get("shape", "call")
    if shape not in ("call", "script"):
        raise SpecError(f"{path}: function {name!r}: shape must be call or script")
    accept = merged.get("accept", [])
    if not isinstance(accept, list) or not all(isinstance(a, str) and ":" in a for a in accept):
        raise SpecError(f"{path}: function {name!r}: accept must be a list of \"module:attr\" implementations")
    for target in accept:
        try:
            resolve(target)
        except (ImportError, AttributeError) as exc:
            raise SpecError(f"{path}: function {name!r}: accepted variant {target!r} not found") from exc
    return FunctionSpec(
        accept=tuple(accept),
        shape=shape,
        numerical_gradient=_numerical_gradient(path, name, merged.get("numerical_gradient")),
        name=name,
        points=float(_require(path, merged, "points")),
        cases=int(merged.get("cases", 50)),
        rtol=float(merged.get("rtol", 1e-6)),
        atol=float(merged.get("atol", 1e-8)),
        timeout_s=float(merged.get("timeout_s", 5.0)),
        kind=kind,
        params=params,
        returns=returns,
        accept_prefix=int(merged.get("accept_prefix", len(returns))),
        in_place=tuple(merged.get("in_place", ())),
        immutable=tuple(merged.get("immutable", ())),
        stand_ins=stand_ins,
        helpers=dict(merged.get("helpers", {})),
        observed=_observed(path, name, merged.get("observed", {}), stand_ins),
        strategy=merged.get("strategy", f"{name}_cases"),
        properties=merged.get("properties", ""),
        reference=reference,
        item_names=_item_names(path, name, merged.get("names", {})),
        public_cases=_public_cases(path, name, merged.get("public_cases", 3)),
        reveal=_reveal(path, name, merged.get("reveal", "all")),
    )


def course_helper(target: str) -> Any:
    """The course helper ``"module.attr"`` names: ``module`` a key of ``COURSE_MODULES`` that is
    course-provided (not in ``GRADED_COURSE_MODULES``, which learners write, nor in
    ``GRADER_MODULES``, the grader's own). Raises ``LookupError`` otherwise."""
    from dnn_autograder import course_helpers

    module_name, _, attribute = str(target).rpartition(".")
    if module_name not in course_helpers.COURSE_MODULES or module_name in course_helpers.GRADED_COURSE_MODULES \
            or module_name in course_helpers.GRADER_MODULES:
        raise LookupError(f"{target!r} is not in a course-provided helper module")
    module = importlib.import_module(course_helpers.COURSE_MODULES[module_name], course_helpers.__name__)
    helper = getattr(module, attribute, None)
    if not callable(helper):
        raise LookupError(f"{target!r}: {module_name} has no function {attribute!r}")
    return helper


def _observed(path: Path, function: str, table: Any, stand_ins: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    where = f"{path}: function {function!r}: observed"
    if not isinstance(table, Mapping):
        raise SpecError(f"{where} must map stand-in names to \"module.attr\" course helpers")
    observed: dict[str, tuple[str, ...]] = {}
    for name, targets in table.items():
        targets = (targets,) if isinstance(targets, str) else targets
        if not isinstance(name, str) or not isinstance(targets, list | tuple) or not targets \
                or not all(isinstance(target, str) for target in targets):
            raise SpecError(f"{where} must map stand-in names to \"module.attr\" course helpers (or lists of them)")
        if name not in stand_ins:
            raise SpecError(f"{where}: {name!r} is not one of the function's stand_ins")
        for target in targets:
            try:
                course_helper(target)
            except LookupError as exc:
                raise SpecError(f"{where}: {exc} (only course-provided code may be observed)") from None
        observed[name] = tuple(targets)
    return observed


def _no_graded_helpers(path: Path, functions: tuple[FunctionSpec, ...]) -> None:
    """An observed helper runs in the child: it must be neither a graded function (by name) nor
    the reference implementation of one (by identity)."""
    graded = {f.name for f in functions}
    references = [resolve(f.reference) for f in functions]
    for fspec in functions:
        for target in (target for targets in fspec.observed.values() for target in targets):
            helper = course_helper(target)
            if target.rpartition(".")[2] in graded or any(helper is ref for ref in references):
                raise SpecError(f"{path}: function {fspec.name!r}: observed {target!r} is a graded function: "
                                "the sandbox must never hold a reference implementation")


def _numerical_gradient(path: Path, function: str, table: Any) -> NumericalGradient | None:
    if table is None:
        return None
    where = f"{path}: function {function!r}: numerical_gradient"
    if not isinstance(table, Mapping):
        raise SpecError(f"{where} must be a table")
    unknown = set(table) - {"output", "upstream", "wrt", "h", "rtol", "atol"}
    if unknown:
        raise SpecError(f"{where}: unknown keys {sorted(unknown)}")
    wrt = table.get("wrt")
    if not isinstance(wrt, Mapping) or not wrt or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in wrt.items()):
        raise SpecError(f"{where}: wrt must map case inputs to compared names, e.g. {{ x = \"dx\" }}")
    try:
        return NumericalGradient(output=str(_require(path, table, "output")),
                                 upstream=str(_require(path, table, "upstream")), wrt=dict(wrt),
                                 **{k: float(table[k]) for k in ("h", "rtol", "atol") if k in table})
    except (TypeError, ValueError) as exc:
        raise SpecError(f"{where}: {exc}") from exc


def _recognition(path: Path, table: Any, functions: tuple[FunctionSpec, ...]) -> Recognition:
    """The ``[recognise]`` table: lists of strings; patterns must compile; shared names must be graded."""
    where = f"{path}: [recognise]"
    if not isinstance(table, Mapping):
        raise SpecError(f"{where} must be a table")
    unknown = set(table) - {"file_names", "shared_names", "markers"}
    if unknown:
        raise SpecError(f"{where}: unknown keys {sorted(unknown)}")
    lists = {}
    for key in ("file_names", "shared_names", "markers"):
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise SpecError(f"{where}: {key} must be a list of strings")
        lists[key] = tuple(value)
    for key in ("file_names", "markers"):
        for pattern in lists[key]:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise SpecError(f"{where}: {key}: {pattern!r} is not a regular expression: {exc}") from exc
    ungraded = set(lists["shared_names"]) - {f.name for f in functions}
    if ungraded:
        raise SpecError(f"{where}: shared_names lists names that are not graded: {sorted(ungraded)}")
    return Recognition(**lists)


def _public_cases(path: Path, function: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise SpecError(f"{path}: function {function!r}: public_cases must be a whole number >= 0")
    return value


def _reveal(path: Path, function: str, value: Any) -> str:
    if value not in REVEAL_CHOICES:
        raise SpecError(f"{path}: function {function!r}: reveal must be one of {', '.join(REVEAL_CHOICES)}")
    return str(value)


def _item_names(path: Path, function: str, names: Any) -> dict[str, tuple[str, ...]]:
    """``names`` of a function entry: ``{path pattern: [item name, ...]}``."""
    if not isinstance(names, Mapping) or not all(
        isinstance(items, list) and all(isinstance(i, str) for i in items) for items in names.values()
    ):
        raise SpecError(f"{path}: function {function!r}: names must map a value to a list of item names")
    return {str(key): tuple(items) for key, items in names.items()}


def _require(path: Path, data: Mapping[str, Any], key: str) -> Any:
    if key not in data:
        raise SpecError(f"{path}: missing key {key!r}")
    return data[key]


def _folder_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for file in sorted(folder.glob("*.py")) + [folder / "spec.toml"]:
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def _import_file(path: Path, module_name: str) -> ModuleType:
    if module_name in sys.modules:
        return sys.modules[module_name]
    if not path.is_file():
        raise SpecError(f"{path}: missing")
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise SpecError(f"{path}: cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module
