"""The self-check's data: what a handout may know about each graded function, computed here.

A function's cases are split in two: the first ``public_cases`` of them (edge cases first, then
the generated ones, in the order they are graded) are *public*; the rest are *hidden*. The final
grade uses both. :func:`kit_data` is everything the student kit (``student_kit/selfcheck.py``)
needs for the public ones, as plain data:

* each public case's inputs, seed, label and expected outputs (the reference's, computed here);
* for every catalogued mistake that has a mutant, the mutant's outputs on each public case
  (None where it raised), so a student's wrong output can be matched to the mistake without
  the kit holding the mutant's code;
* for functions with stand-ins (helpers the grader answers, such as ``forward_propagation``
  inside ``gradient_check``), the answers to every call the reference and the mutants made on
  the public cases: the kit replays them by lookup;
* the comparison semantics: tolerances, output names, in-place and immutable arguments;
* for functions with accepted variants (spec ``accept``: another answer as right as the
  reference's), each variant's outputs on each public case (None where it raised): outputs that
  match a variant's pass, as in the grade;
* for random functions, each public case's property checks as data: a generic kind the kit
  implements (``gaussian_weights``, ``zero_arrays``, ``dropout_masks``, ``partition``) with its
  parameters and statistical bounds, computed here by the assignment's ``KIT_PROPERTIES``
  (``properties.py``), so the kit holds numbers, not the property code;
* for script units (``shape = "script"``), each public case's steps as the interpreter's plain
  data (:func:`dnn_autograder.grader.grading.scripts.plain_steps`), the lines of code each step stands
  for (shown by the kit), and the ``numerical_gradient`` judge's settings: the kit runs the
  steps with the copy of ``sandbox/child/script.py`` that the handout ships, and its expected
  outputs are the flat ``{"step 2: config": value}`` mapping the grader compares.

Hidden cases contribute nothing but their number. :func:`encode` writes values as JSON (arrays
as dtype, shape and a flat list of numbers; never pickle); the kit's ``decode`` reads them back.
"""

from __future__ import annotations

import inspect
import json
import warnings
from collections.abc import Callable, Mapping
from dataclasses import asdict, replace
from typing import Any

import numpy as np

from dnn_autograder.grader.assignment.catalogue_index import mistakes_by_function
from dnn_autograder.grader.assignment.spec import AssignmentSpec, FunctionSpec, assignment_module
from dnn_autograder.grader.grading.scripts import plain_steps, script_lines
from dnn_autograder.grader.grading.suite import Expected, FunctionSuite, build_suites
from dnn_autograder.grader.model import Case
from dnn_autograder.grader.values import deep_copy

FORMAT = 1


def encode(value: Any) -> Any:
    """``value`` as plain JSON data that keeps NumPy arrays (dtype, shape), scalars, tuples and
    dict key order."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise TypeError(f"cannot ship an array of dtype {value.dtype}")
        return {"__ndarray__": {"dtype": value.dtype.str, "shape": list(value.shape),
                                "data": value.ravel().tolist()}}
    if isinstance(value, np.generic):
        return {"__scalar__": {"dtype": value.dtype.str, "value": value.item()}}
    if isinstance(value, Mapping):
        return {"__dict__": [[encode(key), encode(item)] for key, item in value.items()]}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(item) for item in value]}
    if isinstance(value, list):
        return [encode(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"cannot ship a value of type {type(value).__name__}")


def public_items(suite: FunctionSuite) -> tuple[Expected, ...]:
    """The public cases of a function (the first ``public_cases`` of its graded cases)."""
    return suite.expected[: suite.spec.public_cases]


def hidden_items(suite: FunctionSuite) -> tuple[Expected, ...]:
    """The hidden cases of a function: every graded case that is not public."""
    return suite.expected[suite.spec.public_cases:]


class _Recorder:
    """Wraps a case's stand-in callables and keeps ``(arguments, answer)`` of every call."""

    def __init__(self) -> None:
        self.answers: dict[str, list[tuple[list[Any], Any]]] = {}
        self._seen: set[str] = set()

    def wrap(self, world: Mapping[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
        return {name: self._recording(name, fn) for name, fn in world.items()}

    def _recording(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            given = deep_copy([*args, *kwargs.values()])
            value = fn(*args, **kwargs)
            key = name + json.dumps(encode(given))
            if key not in self._seen:
                self._seen.add(key)
                self.answers.setdefault(name, []).append((given, deep_copy(value)))
            return value
        return call


def _run(suite: FunctionSuite, impl: Callable[..., Any], item: Expected, recorder: _Recorder) -> Mapping[str, Any]:
    """Like :meth:`FunctionSuite.run`, with the stand-ins' calls recorded (a script case calls
    no stand-in: the names it calls besides the unit are the student's own)."""
    from dnn_autograder.grader.grading.normalise import normalise

    if item.case.steps:
        return suite.run(impl, item.case)
    args = deep_copy(dict(item.case.args))
    value = impl(*args.values(), **recorder.wrap(suite.world(item.case)))
    return normalise(suite.spec, value, args).outputs


def _property_note(spec: AssignmentSpec, function: FunctionSpec) -> str:
    """The first line of the property check's docstring: prose, not code."""
    if function.kind != "stochastic" or not function.properties:
        return ""
    check = getattr(assignment_module(spec, "properties"), function.properties, None)
    doc = inspect.getdoc(check) or ""
    first = doc.split("\n\n", 1)[0].replace("\n", " ").strip().rstrip(".")
    return f"the defining properties ({first})" if first else ""


def _kit_properties(spec: AssignmentSpec, function: FunctionSpec) -> Callable[[Mapping[str, Any]], list[Any]]:
    """``inputs -> the kit's properties`` of a random function (no properties: an empty list)."""
    if function.kind != "stochastic" or not function.properties:
        return lambda inputs: []
    table = getattr(assignment_module(spec, "properties"), "KIT_PROPERTIES", {})
    return table.get(function.properties, lambda inputs: [])


def function_data(spec: AssignmentSpec, suite: FunctionSuite) -> dict[str, Any]:
    """The kit's data of one graded function (plain Python and NumPy values, not yet encoded)."""
    fspec = suite.spec
    public = public_items(suite)
    recorder = _Recorder()
    for item in public:  # the reference's own calls: what a correct solution asks the stand-ins
        _run(suite, suite.reference, item, recorder)
    properties = _kit_properties(spec, fspec)
    mistakes = []
    for mistake in mistakes_by_function(spec)[fspec.name]:
        if mistake.mutant is None:
            continue  # a structural check is code: the kit cannot hold it
        outputs: list[dict[str, Any] | None] = []
        for item in public:
            try:
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    outputs.append(dict(_run(suite, mistake.mutant, item, recorder)))
            except Exception:  # noqa: BLE001 - a mutant that cannot run on a case predicts nothing there
                outputs.append(None)
        mistakes.append({"id": mistake.id, "title": mistake.title, "explanation": mistake.explanation,
                         "outputs": outputs})
    variants = [[_outputs_or_none(suite, variant, item, recorder) for item in public]
                for variant in suite.variants.values()]
    return {
        "returns": list(fspec.returns),
        "accept_prefix": fspec.accept_prefix,
        "in_place": list(fspec.in_place),
        "immutable": list(fspec.immutable),
        "stand_ins": list(fspec.stand_ins),
        "kind": fspec.kind,
        "rtol": fspec.rtol,
        "atol": fspec.atol,
        "property_note": _property_note(spec, fspec),
        "hidden_cases": len(hidden_items(suite)),
        "cases": [{"args": dict(item.case.args), "seed": item.case.seed, "label": item.case.label,
                   "expected": dict(item.outputs), "properties": properties(item.case.args), **_script(item.case)}
                  for item in public],
        "answers": recorder.answers,
        "mistakes": mistakes,
        "variants": variants,
        "shape": fspec.shape,
        "numerical_gradient": asdict(fspec.numerical_gradient) if fspec.numerical_gradient is not None else None,
    }


def _outputs_or_none(suite: FunctionSuite, impl: Callable[..., Any], item: Expected,
                     recorder: _Recorder) -> dict[str, Any] | None:
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return dict(_run(suite, impl, item, recorder))
    except Exception:  # noqa: BLE001 - an implementation that cannot run on a case predicts nothing there
        return None


def _script(case: Case) -> dict[str, Any]:
    """A script case's ``steps`` (plain data) and ``script`` (the lines of code of each step;
    a seeded step has two); nothing for a one-call case."""
    if not case.steps:
        return {}
    return {"steps": plain_steps(case.steps),
            "script": [list(script_lines(replace(case, steps=(step,)))) for step in case.steps]}


def kit_data(spec: AssignmentSpec) -> dict[str, Any]:
    """The whole ``selfcheck_data.json`` of an assignment, encoded (ready for ``json.dumps``)."""
    suites = build_suites(spec)
    functions = {f.name: function_data(spec, suites[f.name]) for f in spec.functions}
    data = {"assignment": spec.name, "title": spec.title, "functions": functions}
    return {"format": FORMAT, "data": encode(data)}
