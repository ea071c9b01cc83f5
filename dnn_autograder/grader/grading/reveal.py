"""What a graded function's result may show of a failing *hidden* case (the spec's ``reveal``).

The result of :func:`dnn_autograder.grader.grading.grade_function.grade_function` is redacted here,
once, so every output made from it (terminal, JSON, HTML report, Gradescope) follows the same
choice:

* ``all``: the case in full: inputs, expected values and the student's;
* ``inputs``: the inputs and what is wrong (which output, its shape or type, the property
  violated, an argument modified), but no expected value and none of the student's values
  (with them, a difference would give the expected one away);
* ``mistake``: no case at all; the recognised mistake's name and explanation when there is one.

A public case (one the handout's self-check ships with its answer) is always shown in full.
"""

from __future__ import annotations

import re
from dataclasses import replace

from dnn_autograder.grader.model import Counterexample, FunctionResult, Mismatch

#: mismatch kinds whose summary can state an expected value
_VALUE_KINDS = frozenset({"value"})
_COUNT = re.compile(r"^(\d+ of \d+ elements differ)")


def redact(result: FunctionResult, reveal: str) -> FunctionResult:
    """``result`` as the ``reveal`` choice allows it to be shown (see the module doc)."""
    example = result.counterexample
    if example is None or not example.hidden or reveal == "all":
        return result
    if reveal == "inputs":
        return replace(result, counterexample=_inputs_only(example))
    message = result.message
    if not result.diagnoses:
        message = _without_case_reference(message) + (
            " The failing case is one of the hidden ones, which this assignment does not show; no known mistake"
            " was recognised. Run the self-check of the handout on the public cases, and compare your formula"
            " with the one in the notebook.")
    return replace(result, counterexample=None, message=message)


def _inputs_only(example: Counterexample) -> Counterexample:
    return replace(example, expected={}, got={},
                   mismatches=tuple(_without_values(m) for m in example.mismatches))


def _without_values(mismatch: Mismatch) -> Mismatch:
    if mismatch.kind not in _VALUE_KINDS:
        return mismatch
    count = _COUNT.match(mismatch.summary)
    summary = f"{count.group(1)} from the expected values" if count else "differs from the expected value"
    return Mismatch(mismatch.where, mismatch.kind, summary)


def _without_case_reference(message: str) -> str:
    """The message without its pointer to a case the report no longer shows."""
    return message.replace(" Compare your formula with the one in the notebook on this case.", "")
