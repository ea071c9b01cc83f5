"""The library entry points: grade one submission, or a class of them.

``grade_submission(path)`` composes the stages: extract the files, recognise each file's
assignment, start one sandbox session per file, grade every function of the assignment, and
assemble a :class:`~dnn_autograder.grader.model.SubmissionResult`. A broken file costs that student the affected
functions, never the batch; student failures are data, never exceptions here.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import hypothesis

from dnn_autograder.grader import __version__, messages
from dnn_autograder.grader.catalogue_index import mistakes_by_function, property_check
from dnn_autograder.grader.errors import SubmissionError, UsageError
from dnn_autograder.grader.extract import ExtractedFile, extract_file, submission_files
from dnn_autograder.grader.figures import compute_figures
from dnn_autograder.grader.grade_function import grade_function
from dnn_autograder.grader.model import AssignmentResult, FunctionResult, SubmissionResult
from dnn_autograder.grader.recognise import recognise
from dnn_autograder.grader.sandbox import Limits, Sandbox, UnitOutcome
from dnn_autograder.grader.spec import AssignmentSpec, load_all, load_assignment
from dnn_autograder.grader.suite import build_suites

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
    if not path.exists():
        raise UsageError(f"no such file or folder: {path}")
    specs = (load_assignment(assignment),) if assignment else load_all()
    with _sandbox(sandbox) as box:
        return _grade(path, specs, forced=assignment is not None, sandbox=box, student=student)


def grade_class(
    path: str | Path,
    *,
    assignment: str | None = None,
    sandbox: Sandbox | None = None,
    on_result: Callable[[SubmissionResult], None] | None = None,
) -> tuple[SubmissionResult, ...]:
    """Grade every student of a class folder (one sub-folder or file per student), one after
    another; a student whose grading fails gets a zero result with the reason."""
    path = Path(path)
    if not path.is_dir():
        raise UsageError(f"a class must be a folder: {path}")
    results = []
    with _sandbox(sandbox) as box:
        for entry in class_entries(path):
            result = grade_submission(entry, assignment=assignment, sandbox=box, student=entry.name)
            results.append(result)
            if on_result is not None:
                on_result(result)
    return tuple(results)


def is_class_folder(path: Path) -> bool:
    """True for a folder of per-student folders (or of several files of the same assignment)."""
    if not path.is_dir():
        return False
    subdirs = [p for p in _visible(path.iterdir()) if p.is_dir() and any(submission_files(p))]
    if subdirs:
        return True
    files = submission_files(path)
    if len(files) < 2:
        return False
    seen: set[str] = set()
    specs = load_all()
    for file in files:
        try:
            extracted = extract_file(file)
        except SubmissionError:
            continue
        for name in recognise(_defined(extracted), specs, extracted.hints)[:1]:
            if name in seen:
                return True
            seen.add(name)
    return False


def class_entries(path: Path) -> tuple[Path, ...]:
    """The students of a class folder: its visible sub-folders and submission files."""
    entries = [p for p in _visible(path.iterdir()) if p.is_dir() or p.suffix in (".py", ".ipynb")]
    return tuple(sorted(entries, key=lambda p: p.name))


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
    extracted = _extract_all(path, notes)
    plan = _plan(extracted, specs, forced=forced, notes=notes)
    results: list[AssignmentResult] = []
    for spec, file in plan:
        if file is None:
            results.append(_all_missing(spec, notes=("no submission file defines its functions",)))
            continue
        results.append(grade_assignment(spec, file, sandbox))
    error = None
    if not extracted or not plan:
        error = "; ".join(notes) if notes else "nothing to grade"
    score = sum(r.score for r in results)
    max_score = sum(r.max_score for r in results)
    return SubmissionResult(
        submission=str(path),
        student=student,
        score=round(score, 6),
        max_score=max_score,
        assignments=tuple(results),
        error=error,
        notes=tuple(notes),
        protections=sandbox.protections,
        grader_version=__version__,
        case_seed=specs[0].case_seed if len(specs) == 1 else 0,
        graded_at=datetime.now(UTC).isoformat(timespec="seconds"),
        duration_s=round(time.monotonic() - started, 3),
        extra={"hypothesis_version": hypothesis.__version__},
    )


def _extract_all(path: Path, notes: list[str]) -> list[ExtractedFile]:
    files = submission_files(path)
    if not files:
        notes.append(f"no .py or .ipynb file found in {path}")
    extracted = []
    for file in files:
        try:
            extracted.append(extract_file(file))
        except SubmissionError as exc:
            notes.append(f"{file.name}: {exc}")
    return extracted


def _plan(extracted: Sequence[ExtractedFile], specs: Sequence[AssignmentSpec], *, forced: bool,
          notes: list[str]) -> list[tuple[AssignmentSpec, ExtractedFile | None]]:
    """Pair each assignment with the file that holds it (the one defining most of its functions)."""
    chosen: dict[str, tuple[int, ExtractedFile]] = {}
    for file in extracted:
        names = recognise(_defined(file), specs, file.hints) if not forced else (specs[0].name,)
        for name in names:
            count = len(_defined(file) & set(load_assignment(name).function_names))
            if name not in chosen or count > chosen[name][0]:
                if name in chosen:
                    notes.append(f"{Path(chosen[name][1].path).name} ignored for {name}: "
                                 f"{Path(file.path).name} defines more of its functions")
                chosen[name] = (count, file)
    if forced and not chosen:
        return [(specs[0], None)]
    if not chosen and extracted:
        notes.append("could not recognise the assignment: the submission defines none of the graded"
                     " functions; use --assignment NAME to grade it against a given assignment")
    by_name = {s.name: s for s in specs}
    return [(by_name[name], file) for name, (_, file) in sorted(chosen.items())]


def grade_assignment(spec: AssignmentSpec, file: ExtractedFile, sandbox: Sandbox) -> AssignmentResult:
    """Grade every graded function of ``spec`` defined in ``file``, in one sandbox session."""
    suites = build_suites(spec)
    mistakes = mistakes_by_function(spec)
    notes = [f"{s.where}: {s.reason}" for s in file.skipped if s.functions]
    results: list[FunctionResult] = []
    with sandbox.session(file.units) as session:
        notes += [_unit_note(u) for u in session.units if not u.ok]
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


def _unit_note(unit: UnitOutcome) -> str:
    names = ", ".join(unit.names)
    return f"`{names}` not available ({unit.message}); only functions that use it are affected"


def _all_missing(spec: AssignmentSpec, notes: tuple[str, ...]) -> AssignmentResult:
    functions = tuple(FunctionResult(f.name, 0.0, f.points, "missing", message=messages.missing_message(f.name))
                      for f in spec.functions)
    return AssignmentResult(spec.name, spec.title, 0.0, spec.max_score, functions, notes=notes)


def _defined(file: ExtractedFile) -> set[str]:
    return set(file.functions) | set(file.broken_functions)


def _visible(paths: Iterator[Path]) -> list[Path]:
    return [p for p in paths if not p.name.startswith((".", "_")) and p.name != "__pycache__"]
