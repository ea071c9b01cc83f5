"""Student-independent work of grading, done ahead of the first student.

:func:`prepare` computes, once in this process, what the first student graded in a process
otherwise pays for: the assignment specs, and for a named assignment its suites (the reference
run on every case: :func:`dnn_autograder.grader.grading.suite.build_suites`), its catalogue of
mistakes and property checks, the reference's side of its pictures, and the compiled report
templates. Each step fills a cache that grading reads anyway, from the same inputs, so no
result changes; a process that forks its grading workers after calling it (the batch's fork
server: :meth:`dnn_autograder.grader.classes.batch.PipelineEngine.warm`) gives every worker
these for free (copy-on-write pages) instead of each worker computing them.

The pictures' reference sides are filled generically: every ``build`` of the assignment's
``figures.py`` runs for a submission that defines no unit (:class:`_NoUnits`), which computes
(and caches) what the builder computes for every student and calls nothing of a student's.
"""

from __future__ import annotations

from typing import Any

from dnn_autograder.grader.assignment.catalogue_index import mistakes_by_function, property_check
from dnn_autograder.grader.assignment.spec import load_all, load_assignment
from dnn_autograder.grader.grading.figures import compute_figures, drawers, kept_global_rng
from dnn_autograder.grader.grading.suite import build_suites
from dnn_autograder.grader.outputs.render.context import load_catalogue
from dnn_autograder.grader.outputs.render.env import environment, stylesheet


def prepare(assignment: str | None) -> None:
    """Fill this process's caches for grading ``assignment`` (None: not known yet, so only what
    serves every assignment: the specs and the report templates). numpy's global generator is
    left as it was.

    Raises:
        UsageError, SpecError: ``assignment`` is unknown or its folder is invalid (as grading
            would raise).
    """
    compile_report_templates()
    specs = (load_assignment(assignment),) if assignment else load_all()
    if assignment is None:
        return  # every assignment's suites would cost more than the first student of each worker
    spec = specs[0]
    with kept_global_rng():
        build_suites(spec)
        mistakes_by_function(spec)
        for name in spec.function_names:
            property_check(spec, name)
        compute_figures(_NoUnits(), spec.name, lambda _name: False)
    drawers(spec.name)
    load_catalogue(spec.name)


def compile_report_templates() -> None:
    """Compile every template of the reports' environment (kept in its cache) and read the
    stylesheet."""
    env = environment()
    for name in env.list_templates(extensions=["j2"]):
        env.get_template(name)
    stylesheet()


class _NoUnits:
    """A session of a submission that defines nothing: any call is refused (the builders do not
    call a unit the student lacks; one that did would get an omission, as for a student)."""

    def call(self, function: str, args: tuple, **kwargs: Any) -> Any:
        raise LookupError(f"{function} is not defined")
