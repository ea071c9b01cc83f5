"""The library entry point: grade one submission (a class: :func:`dnn_autograder.grader.classes.batch.grade_batch`).

``grade_submission(path)`` composes the stages: extract the files, recognise each file's
assignment, start one sandbox session per file, grade every function of the assignment, and
assemble a :class:`~dnn_autograder.grader.model.SubmissionResult`. A broken file costs that student the affected
functions, never the batch; student failures are data, never exceptions here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import importlib.metadata
import logging
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dnn_autograder.grader import __version__
from dnn_autograder.grader.assignment.catalogue_index import mistakes_by_function, property_check
from dnn_autograder.grader.assignment.choose import rank, why_not
from dnn_autograder.grader.assignment.combine import complete_from
from dnn_autograder.grader.assignment.helper_copies import helper_copy, helper_copy_reason
from dnn_autograder.grader.assignment.recognise import recognise_file
from dnn_autograder.grader.assignment.spec import AssignmentSpec, load_all, load_assignment
from dnn_autograder.grader.classes.layout import is_class_folder  # noqa: F401 - re-exported: its former home
from dnn_autograder.grader.errors import SubmissionError, UsageError
from dnn_autograder.grader.extract import ExtractedFile, extract_file
from dnn_autograder.grader.extract.walk import Listing, list_submission
from dnn_autograder.grader.grading import messages
from dnn_autograder.grader.grading.figures import compute_figures
from dnn_autograder.grader.grading.grade_function import grade_function
from dnn_autograder.grader.grading.import_notes import unavailable_notes
from dnn_autograder.grader.grading.suite import build_suites
from dnn_autograder.grader.grading.untrusted import visible
from dnn_autograder.grader.model import AssignmentResult, FunctionResult, IgnoredFile, SubmissionResult
from dnn_autograder.grader.sandbox import Limits, Sandbox

log = logging.getLogger(__name__)


def grade_submission(
    path: str | Path,
    *,
    assignment: str | None = None,
    sandbox: Sandbox | None = None,
    student: str | None = None,
) -> SubmissionResult:
    """Grade one student's submission (a ``.py``, an ``.ipynb`` or a folder of them).

    Raises:
        UsageError: the path does not exist or the assignment is unknown.
    """
    path = Path(path)
    if not os.path.lexists(path):  # a dangling link is graded (and refused), not a usage error
        raise UsageError(f"no such file or folder: {visible(str(path))}")
    specs = (load_assignment(assignment),) if assignment else load_all()
    with _sandbox(sandbox) as box:
        return _grade(path, specs, forced=assignment is not None, sandbox=box, student=student)


@contextlib.contextmanager
def _sandbox(sandbox: Sandbox | None) -> Iterator[Sandbox]:
    if sandbox is not None:
        yield sandbox
        return
    box = Sandbox(Limits())
    try:
        yield box
    finally:
        box.close()


def _grade(path: Path, specs: Sequence[AssignmentSpec], *, forced: bool, sandbox: Sandbox,
           student: str | None) -> SubmissionResult:
    started = time.monotonic()
    notes: list[str] = []
    listing = list_submission(path)
    extracted, ignored = _extract_all(listing)
    plan = _plan(extracted, specs, forced=forced, notes=notes)
    results: list[AssignmentResult] = []
    for spec, file, passed_over in plan:
        if file is None:
            results.append(_all_missing(spec, notes=(_nothing_note(ignored),), ignored=passed_over))
            continue
        results.append(_grade_completed(spec, file, extracted, passed_over, sandbox))
    error = None
    if not plan or not extracted:
        error = _nothing_error(path, listing, ignored, notes)
        notes = []  # the reason is the error: said once
    score = sum(r.score for r in results)
    max_score = sum(r.max_score for r in results)
    return SubmissionResult(
        submission=visible(str(path)),
        student=None if student is None else visible(student),
        score=round(score, 6),
        max_score=max_score,
        assignments=tuple(results),
        error=error,
        notes=tuple(notes),
        protections=sandbox.protections,
        grader_version=__version__,
        case_seed=_case_seed(item[0] for item in plan),
        graded_at=datetime.now(UTC).isoformat(timespec="seconds"),
        duration_s=round(time.monotonic() - started, 3),
        extra={"hypothesis_version": hypothesis_version()},
        ignored=tuple(ignored),
    )


@functools.cache
def hypothesis_version() -> str:
    """The installed Hypothesis's version (its ``__version__``), read from the package metadata:
    importing Hypothesis for it would cost ~0.25 s of CPU, and only shrinking needs Hypothesis.
    Without metadata (a source tree on the path) it is read from the module after all."""
    try:
        return importlib.metadata.version("hypothesis")
    except importlib.metadata.PackageNotFoundError:
        import hypothesis

        return hypothesis.__version__


def _grade_completed(spec: AssignmentSpec, file: _Candidate, extracted: Sequence[_Candidate],
                     passed_over: tuple[IgnoredFile, ...], sandbox: Sandbox) -> AssignmentResult:
    """Grade ``file``, completed with the graded functions it lacks from the passed-over files
    (:mod:`dnn_autograder.grader.assignment.combine`); a file used that way is no longer listed as ignored."""
    others = {i.file: i for i in passed_over}
    completed = complete_from(file.extracted, file.name,
                              [(c.extracted, c.name) for c in extracted if c.name in others], spec.function_names)
    result = grade_assignment(spec, completed.file, sandbox)
    used = {name for name, _ in completed.taken}
    return dataclasses.replace(result, ignored=tuple(i for i in passed_over if i.file not in used),
                               notes=result.notes + ((completed.note(),) if completed.taken else ()))


def _case_seed(graded: Iterator[AssignmentSpec]) -> int:
    """The case seed of the graded assignments' specs (0 when none, or when they differ: the
    report then shows each assignment's seed)."""
    seeds = {spec.case_seed for spec in graded}
    return seeds.pop() if len(seeds) == 1 else 0


@dataclass(frozen=True)
class _Candidate:
    """A file extracted from a submission, with its name for people."""

    extracted: ExtractedFile
    name: str


def _extract_all(listing: Listing) -> tuple[list[_Candidate], list[IgnoredFile]]:
    """The submission's files that could be read, and everything left out with the reason
    (the listing's refusals, then unreadable and empty files)."""
    ignored = list(listing.ignored)
    extracted = []
    for file, name in zip(listing.files, listing.names, strict=True):
        module = helper_copy(name)
        if module is not None:
            ignored.append(IgnoredFile(name, helper_copy_reason(module)))
            continue
        try:
            result = extract_file(file, name)
        except SubmissionError as exc:
            ignored.append(IgnoredFile(name, _reason(str(exc), name)))
            continue
        if result.hints.get("empty"):
            ignored.append(IgnoredFile(name, "empty file: nothing to grade"))
            continue
        extracted.append(_Candidate(result, name))
    return extracted, ignored


def _reason(message: str, name: str) -> str:
    """A file's refusal without its own name in front (the name is shown beside it)."""
    return message.removeprefix(f"{name} is ").removeprefix(f"{name} ")


def _nothing_note(ignored: Sequence[IgnoredFile]) -> str:
    if ignored:
        return "no submission file defines its functions (see the files left out)"
    return "no submission file defines its functions"


def _nothing_error(path: Path, listing: Listing, ignored: Sequence[IgnoredFile], notes: Sequence[str]) -> str:
    """Why nothing was graded, in one sentence (the files' own reasons when there is one file)."""
    if notes:
        return "; ".join(notes)
    if len(ignored) == 1:
        return f"{ignored[0].file}: {ignored[0].reason}"
    if ignored:
        return "no readable .py or .ipynb file: " + "; ".join(f"{i.file}: {i.reason}" for i in ignored)
    return f"no .py or .ipynb file found in {visible(path.name)}"


def _plan(extracted: Sequence[_Candidate], specs: Sequence[AssignmentSpec], *, forced: bool,
          notes: list[str]) -> list[tuple[AssignmentSpec, _Candidate | None, tuple[IgnoredFile, ...]]]:
    """Pair each assignment with the file that holds it, chosen by :mod:`dnn_autograder.grader.assignment.choose`
    among the files that hold it, with the other such files and why they were not graded."""
    holders: dict[str, list[_Candidate]] = {}
    for candidate in extracted:
        file = candidate.extracted
        names = recognise_file(file, specs) if not forced else (specs[0].name,)
        for name in names:
            holders.setdefault(name, []).append(candidate)
    if forced and not holders:
        return [(specs[0], None, ())]
    if not holders and extracted:
        notes.append("could not recognise the assignment: the submission defines none of the graded"
                     " functions; use --assignment NAME to grade it against a given assignment")
    by_name = {s.name: s for s in specs}
    plan: list[tuple[AssignmentSpec, _Candidate | None, tuple[IgnoredFile, ...]]] = []
    for name in sorted(holders):
        graded = by_name[name].function_names
        ordered = sorted(holders[name], key=lambda c: rank(c.extracted, graded, c.name))
        best = ordered[0]
        passed_over = tuple(IgnoredFile(c.name, why_not(best.extracted, c.extracted, graded, best.name, c.name))
                            for c in ordered[1:])
        plan.append((by_name[name], best, passed_over))
    return plan


def grade_assignment(spec: AssignmentSpec, file: ExtractedFile, sandbox: Sandbox) -> AssignmentResult:
    """Grade every graded function of ``spec`` defined in ``file``, in one sandbox session."""
    suites = build_suites(spec)
    mistakes = mistakes_by_function(spec)
    notes = [f"{s.where}: {s.reason}" for s in file.skipped if s.functions]
    results: list[FunctionResult] = []
    with sandbox.session(file.units) as session:
        notes += unavailable_notes(file.units, session.units, spec.function_names)
        for fspec in spec.functions:
            name = fspec.name
            if not session.defined(name):
                if name in file.broken_functions:
                    results.append(FunctionResult(name, 0.0, fspec.points, "error",
                                                  message=messages.broken_message(name, file.broken_functions[name])))
                else:
                    results.append(FunctionResult(name, 0.0, fspec.points, "missing",
                                                  message=messages.missing_message(name)))
                continue
            results.append(grade_function(session, suites[name], mistakes[name], property_check(spec, name)))
        runnable = {r.name for r in results if r.status in ("passed", "failed")}
        figures = compute_figures(session, spec.name, lambda n: n in runnable and session.defined(n))
    return AssignmentResult(
        assignment=spec.name,
        title=spec.title,
        score=round(sum(r.score for r in results), 6),
        max_score=spec.max_score,
        functions=tuple(results),
        source=file.path,
        notes=tuple(notes),
        figures=figures,
    )


def _all_missing(spec: AssignmentSpec, notes: tuple[str, ...],
                 ignored: tuple[IgnoredFile, ...] = ()) -> AssignmentResult:
    functions = tuple(FunctionResult(f.name, 0.0, f.points, "missing", message=messages.missing_message(f.name))
                      for f in spec.functions)
    return AssignmentResult(spec.name, spec.title, 0.0, spec.max_score, functions, notes=notes, ignored=ignored)

