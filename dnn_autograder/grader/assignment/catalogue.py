"""The misconception catalogue: known mistakes per graded function (DESIGN.md section 3).

Each assignment folder has a ``mistakes.py`` that defines ``MISTAKES``, a tuple of
:class:`Mistake`. An entry is recognised either by a *mutant* (an implementation of the mistake
with the reference's signature, run by the trusted parent on the failing cases and matched
against the student's outputs) or by a *structural check* (a predicate over the case and the
student's outputs), or both. Ids never change meaning once released.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: ``structural(inputs, student_output, observation) -> bool``: True when the evidence shows
#: this mistake. ``inputs`` is the case's ``{argument name: value}``, ``student_output`` the
#: normalised output (see :mod:`dnn_autograder.grader.grading.normalise`), ``observation`` what the grader saw of the
#: call (helper calls made through stand-ins, arguments after the call).
StructuralCheck = Callable[[Mapping[str, Any], Any, Mapping[str, Any]], bool]


@dataclass(frozen=True)
class Mistake:
    """One known mistake.

    Attributes:
        id: stable id, e.g. ``"adam-no-bias-correction"``; never reused with another meaning.
        function: the graded function it belongs to.
        title: one line, e.g. "Adam without bias correction".
        explanation: for the student: what the code did, why it is wrong, the correct formula.
        mutant: the mistake implemented with the reference's exact signature, or None.
        structural: a predicate that recognises the mistake from the outputs, or None.
        shows_on: a predicate over a case's inputs (``{argument name: value}``) that is True
            on the cases where this mistake shows clearly (bias correction: a small ``t``);
            the example shown for the diagnosis prefers them. None: no preference.
        also_costs: other graded units in which this mistake costs points too, by design, so
            the self-check accepts it there: a forward pass whose cache a backward pass reads
            changes what the backward differentiates (the backward is judged against numerical
            gradients of the student's own forward, as a course's gradient check is), and a
            backward written for the correct forward is then not the derivative of this one.
    """

    id: str
    function: str
    title: str
    explanation: str
    mutant: Callable[..., Any] | None = None
    structural: StructuralCheck | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)
    shows_on: Callable[[Mapping[str, Any]], bool] | None = None
    also_costs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.mutant is None and self.structural is None:
            raise ValueError(f"mistake {self.id!r} needs a mutant or a structural check")
