"""Student-independent work of grading, done ahead of the first student.

:func:`prepare` computes, once in this process, what the first student graded in a process
otherwise pays for: the assignment specs, and for a named assignment its suites (the reference
run on every case: :func:`dnn_autograder.grader.grading.suite.build_suites`), its catalogue of
mistakes and property checks, the reference's side of its pictures, and the compiled report
templates; and what a session sends or compares that is the same for every student: each
function's cases encoded for the sandbox (:attr:`FunctionSuite.calls`, run by run as
``Session.call_each`` sends them), each expected output prepared for the verdict
(:attr:`Expected.agreement`), the pictures' scripts kept encoded by ``figures.py``. Each step
fills a cache that grading reads anyway, from the same inputs, so no result changes; a process
that forks its grading workers after calling it (the batch's fork server:
:meth:`dnn_autograder.grader.classes.batch.PipelineEngine.warm`) gives every worker these for
free (copy-on-write pages) instead of each worker computing them.

The pictures are filled generically: every ``build`` of the assignment's ``figures.py`` runs
for a submission that defines no unit (:class:`_NoUnits`), which computes (and caches) the
reference's side, then for one that defines every unit but whose every call is refused
(:class:`_Refusing`), which computes (and caches) what the builder prepares before it calls the
student (a script encoded once); no code of any student runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dnn_autograder.grader.assignment.catalogue_index import mistakes_by_function, property_check
from dnn_autograder.grader.assignment.spec import load_all, load_assignment
from dnn_autograder.grader.grading.figures import compute_figures, drawers, kept_global_rng
from dnn_autograder.grader.grading.pipeline import hypothesis_version
from dnn_autograder.grader.grading.suite import FunctionSuite, build_suites
from dnn_autograder.grader.outputs.render.context import load_catalogue
from dnn_autograder.grader.outputs.render.env import compile_templates
from dnn_autograder.grader.sandbox.session import BATCH_BYTES, BATCH_CALLS


def prepare(assignment: str | None) -> None:
    """Fill this process's caches for grading ``assignment`` (None: not known yet, so only what
    serves every assignment: the specs and the report templates). numpy's global generator is
    left as it was.

    Raises:
        UsageError, SpecError: ``assignment`` is unknown or its folder is invalid (as grading
            would raise).
    """
    compile_templates()
    hypothesis_version()
    specs = (load_assignment(assignment),) if assignment else load_all()
    if assignment is None:
        return  # every assignment's suites would cost more than the first student of each worker
    spec = specs[0]
    with kept_global_rng():
        for suite in build_suites(spec).values():
            prepare_requests(suite)
        mistakes_by_function(spec)
        for name in spec.function_names:
            property_check(spec, name)
        compute_figures(_NoUnits(), spec.name, lambda _name: False)
        compute_figures(_Refusing(), spec.name, lambda _name: True)
    drawers(spec.name)
    load_catalogue(spec.name)


def prepare_requests(suite: FunctionSuite) -> None:
    """Encode ``suite``'s cases as ``Session.call_each`` sends them to a child that serves them
    all (runs of :data:`BATCH_BYTES` / :data:`BATCH_CALLS` from the first case; kept by
    :class:`~dnn_autograder.grader.sandbox.requests.PreparedCalls`), and prepare every expected
    output for the verdict (:attr:`~dnn_autograder.grader.grading.suite.Expected.agreement`)."""
    if not any(item.case.steps for item in suite.expected):  # only plain calls go as one batch
        first = 0
        while first < len(suite.calls):
            first = suite.calls.run(first, BATCH_BYTES, BATCH_CALLS).end
    for item in suite.expected:
        item.agreement  # noqa: B018 - a cached property: computed here, kept for every student


class _NoUnits:
    """A session of a submission that defines nothing: any call is refused (the builders do not
    call a unit the student lacks; one that did would get an omission, as for a student)."""

    def call(self, function: str, args: tuple, **kwargs: Any) -> Any:
        raise LookupError(f"{function} is not defined")


class _Refusing(_NoUnits):
    """A session of a submission that defines every unit but whose every call, batch of calls
    and script is refused (a batch yields nothing): the builders prepare what they send, then
    omit the student's series, as for a student whose calls fail."""

    def call_each(self, function: str, calls: Any, **kwargs: Any) -> Iterator[Any]:
        yield from ()

    def run_script(self, function: str, inputs: Any, steps: Any, **kwargs: Any) -> Any:
        raise LookupError(f"{function} cannot be run")
