"""Turn what a function returned into the spec's named outputs ``{return name: value}``.

A function may return its outputs or, for the arguments the spec lists as ``in_place``, update
them in place and return nothing: both are accepted. A tuple return may stop after
``accept_prefix`` outputs (Adam's older 3-tuple).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dnn_autograder.grader.assignment.spec import FunctionSpec
from dnn_autograder.grader.grading.compare import Agreement, agrees, compare
from dnn_autograder.grader.grading.labels import ItemNames, named_mismatches
from dnn_autograder.grader.model import Mismatch
from dnn_autograder.grader.values import type_name


@dataclass(frozen=True)
class Normalised:
    """The named outputs, or why the return value has the wrong form."""

    outputs: Mapping[str, Any]
    problem: Mismatch | None = None


def normalise(spec: FunctionSpec, value: Any, args_after: Mapping[str, Any]) -> Normalised:
    """Map a return value (and the arguments after the call) to ``{return name: value}``."""
    names = spec.returns
    if len(names) == 1:
        name = names[0]
        if value is None and name in spec.in_place and name in args_after:
            return Normalised({name: args_after[name]})
        return Normalised({name: value})
    if value is None:
        parts: Sequence[Any] = ()
    elif isinstance(value, list | tuple):
        parts = value
    else:
        problem = Mismatch("result", "type", f"expected a tuple ({', '.join(names)}), got {type_name(value)}")
        return Normalised({}, problem)
    outputs: dict[str, Any] = {}
    for index, name in enumerate(names):
        if index < len(parts):
            outputs[name] = parts[index]
        elif name in spec.in_place and name in args_after:
            outputs[name] = args_after[name]
    if len(parts) > len(names) or len(outputs) < spec.accept_prefix:
        expected = f"{len(names)}" if spec.accept_prefix == len(names) else f"{spec.accept_prefix} or {len(names)}"
        problem = Mismatch(
            "result", "shape", f"expected a tuple of {expected} values ({', '.join(names)}), got {len(parts)}"
        )
        return Normalised(outputs, problem)
    return Normalised(outputs)


def outputs_agreement(expected: Mapping[str, Any]) -> Agreement:
    """``expected`` (named outputs) prepared once for :func:`compare_outputs` (``agreement=``);
    ``expected`` must not change afterwards."""
    return Agreement(list(expected.values()))


def compare_outputs(
    expected: Mapping[str, Any], got: Mapping[str, Any], *, rtol: float, atol: float, exact_keys: bool = False,
    names: ItemNames | None = None, agreement: Agreement | None = None,
) -> tuple[Mismatch, ...]:
    """Compare named outputs; outputs the student legitimately left out (beyond the accepted
    prefix) are not compared. ``exact_keys``: dicts must have exactly the expected keys.
    ``names``: the course's names for tuple items (``FunctionSpec.item_names``), used as labels.
    ``agreement``: :func:`outputs_agreement` of ``expected`` (without ``exact_keys``), made once
    for many ``got``: the same answer, sooner."""
    compared = [name for name in expected if name in got]
    if agreement is not None and not exact_keys and len(compared) == len(expected):
        if agreement.agrees([got[name] for name in compared], rtol=rtol, atol=atol):
            return ()  # the usual answer, in one pass
    elif agrees([expected[name] for name in compared], [got[name] for name in compared], rtol=rtol, atol=atol,
                exact_keys=exact_keys):
        return ()  # the usual answer, in one pass
    out: list[Mismatch] = []
    for name, value in expected.items():
        if name in got:
            out.extend(compare(value, got[name], rtol=rtol, atol=atol, where=name, exact_keys=exact_keys))
    return named_mismatches(out, names or {})
