"""Batch grading: a class of submissions graded in parallel, with exports and a gradebook.

``grade_batch(class_dir, out_dir)`` grades every student of a class folder (one sub-folder or
``.py``/``.ipynb`` file per student; its name is the student id) on N worker processes. Each
worker builds one grading engine (one sandbox, so the expensive imports happen once per
worker) and grades students one at a time, writing each student's ``report.html`` and
``result.json`` (atomically); results stream back to this process as they are done, with their
results JSON already encoded, and this process records each grade in the gradebook (one SQLite
transaction each; it alone writes the gradebook) and reports progress. At the end it writes
``summary.html``, ``grades.csv``, ``grades_wide.csv``, ``junit.xml`` and ``results.json``; the
CSVs and JUnit file also show the final grades of the gradebook (overrides, excusals, late
penalties: :func:`batch_finals`), and the report of a student with one of those shows the
"Final grade" block.

One student never stops the batch: a submission that cannot be read scores 0 with the reason
(the pipeline's doing), and a worker that raises, crashes (segfault, out of memory, killed) or
exceeds the per-student time limit gives that student a 0 with the reason; a fresh worker takes
its place. Such grades are recorded with status ``internal`` and retried by the next run.

Re-running resumes: a student whose files, spec digests and grader version are unchanged since
their current grade is skipped ("unchanged, skipped") and keeps it; a changed one is re-graded
and the old grade stays in the gradebook's history.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import hashlib
import importlib
import json
import os
import signal
import stat
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as connection_wait
from pathlib import Path
from typing import Any, Protocol, TextIO, overload

from dnn_autograder.grader import __version__, sandbox_start
from dnn_autograder.grader.classes import forkserver_start
from dnn_autograder.grader.classes.finals import FinalGrade, final_grades
from dnn_autograder.grader.classes.gradebook import Gradebook, GradeKey, spec_key
from dnn_autograder.grader.classes.gradebook_tables import adjustments, stored_policies
from dnn_autograder.grader.classes.roster import clash_reason, read_roster
from dnn_autograder.grader.errors import SandboxUnavailable, UsageError
from dnn_autograder.grader.grading.untrusted import visible
from dnn_autograder.grader.model import SubmissionResult
from dnn_autograder.grader.outputs.exports.class_outputs import (
    REPORT_NAME,
    RESULT_NAME,
    ResultText,
    load_summary_renderer,
    result_text,
    student_folders,
    write_class_files,
    write_student_report,
)
from dnn_autograder.grader.outputs.exports.csv_export import assignment_max_scores, student_of
from dnn_autograder.grader.outputs.exports.feedback import final_dict
from dnn_autograder.grader.outputs.exports.files import write_json_atomic, write_text_atomic
from dnn_autograder.grader.outputs.exports.from_json import submission_from_dict
from dnn_autograder.grader.outputs.results_json import submission_dict

__all__ = [
    "BatchSummary", "GradeTask", "Graded", "LineReporter", "PipelineEngine", "Reporter", "RichReporter",
    "StoredResults", "batch_finals", "class_view", "content_hash", "failure_result", "grade_batch", "grade_many",
    "nothing_graded", "resolve_jobs", "spec_digests", "student_entries",
]

GRADEBOOK_NAME = forkserver_start.GRADEBOOK_NAME
DEFAULT_ENGINE = forkserver_start.DEFAULT_ENGINE
DEFAULT_TIMEOUT_S = 900.0  #: one student, all assignments; the sandbox's own limits come first
STARTUP_TIMEOUT_S = 180.0
_THREAD_VARIABLES = forkserver_start.THREAD_VARIABLES
_FINAL_BLOCK_MARK = 'id="final-grades-heading"'  #: in a report showing the "Final grade" block
_HASHED_BYTES = 64 * 2**20  #: a file's first 64 MB are hashed (with its size): enough to tell
#: a class of more students than this is never held in memory: its class files are made from the
#: students' result files, read back one at a time (:class:`StoredResults`); a smaller class keeps
#: each result as :func:`class_view` makes it (reading them back would cost ~1 ms of CPU each)
IN_MEMORY_STUDENTS = 500


@dataclass(frozen=True)
class BatchSummary:
    """What a batch did. ``results`` holds every student's current result (skipped ones from
    the gradebook), sorted by student, as :func:`class_view` keeps it (no figure data or
    counterexamples: those are in each student's ``result.json``); for a class of more than
    :data:`IN_MEMORY_STUDENTS` it is a :class:`StoredResults`, which reads them from the output
    folder when they are used. The counts are of this run."""

    out_dir: Path
    gradebook: Path
    results: Sequence[SubmissionResult]
    graded: int  #: graded this run (including those that scored 0 because nothing was readable)
    unreadable: int  #: of ``graded``: nothing could be graded (unreadable, or no graded function)
    internal: int  #: of ``graded``: the grader failed (worker crash, time limit); retried next run
    skipped: int  #: unchanged since their current grade, not graded again
    ignored: tuple[str, ...]  #: files of the class folder that are not submissions
    duration_s: float
    jobs: int
    clashes: tuple[str, ...] = ()  #: student ids that two or more entries give (not graded)

    @property
    def per_minute(self) -> float:
        """Submissions graded per minute of wall time."""
        return 60.0 * self.graded / self.duration_s if self.duration_s > 0 else 0.0

    @property
    def graded_ok(self) -> int:
        """Graded this run with something to grade (``graded`` less the failures it counts)."""
        return self.graded - self.unreadable - self.internal

    def below(self, threshold: float) -> list[str]:
        """Students whose score is below ``threshold`` points (for ``--fail-under``)."""
        return [r.student or r.submission for r in self.results if r.score < threshold]

    def lines(self) -> list[str]:
        """The end-of-batch summary, for people."""
        lines = [  # the four counts add up to the number of students
            f"{len(self.results)} students: {self.graded_ok} graded,"
            f" {self.unreadable} failed to load or had nothing to grade,"
            f" {self.internal} failed in the grader, {self.skipped} unchanged (grade kept from the gradebook)",
            f"time: {self.duration_s:.1f} s on {self.jobs} worker(s),"
            f" {self.per_minute:.1f} submissions per minute",
            f"outputs: {self.out_dir}  gradebook: {self.gradebook}",
        ]
        if self.ignored:
            lines.append("ignored (not a folder, .py or .ipynb): " + ", ".join(self.ignored))
        if self.clashes:
            lines.append("not graded, several entries give the same student id: " + ", ".join(self.clashes))
        if self.internal:
            lines.append("the grader failed on some students: run the batch again to retry them")
        return lines


def grade_batch(
    class_dir: str | Path,
    out_dir: str | Path,
    *,
    assignment: str | None = None,
    jobs: int | None = None,
    gradebook_path: str | Path | None = None,
    progress: Reporter | str | None = "auto",
    force: bool = False,
    reports: bool = True,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    engine: str = DEFAULT_ENGINE,
    scheduler: str | None = None,
) -> BatchSummary:
    """Grade a class folder into ``out_dir`` (see the module doc); return what was done.

    Args:
        assignment: grade every student against this assignment (default: recognise).
        jobs: worker processes (default: the CPUs this process may use).
        gradebook_path: the SQLite gradebook (default ``out_dir/gradebook.sqlite``).
        progress: ``"auto"`` (a progress bar on a terminal, log lines otherwise), ``"bar"``,
            ``"lines"``, None for silence, or a :class:`Reporter`.
        force: grade every student again, even unchanged ones.
        reports: write each student's ``report.html``.
        timeout_s: wall-clock limit for one student; past it the worker is killed.
        engine: ``"module:factory"`` of the grading engine (tests use a fake one).
        scheduler: grade on the Dask cluster at this address instead of local processes
            (:mod:`dnn_autograder.grader.classes.dask_backend`; ``jobs`` is then not used).

    Raises:
        UsageError: ``class_dir`` is not a folder, or the assignment is unknown.
        SandboxUnavailable: no grading worker could be started.
    """
    started = time.monotonic()
    class_dir, out_dir = Path(class_dir), Path(out_dir)
    if not class_dir.is_dir():
        raise UsageError(f"a class must be a folder of student folders or files: {class_dir}")
    book_path = Path(gradebook_path) if gradebook_path else out_dir / GRADEBOOK_NAME
    if scheduler is None:  # the fork server loads the workers' modules while this process scans the class
        forkserver_start.start_for_batch(out_dir, assignment=assignment, gradebook_path=book_path, force=force,
                                         engine=engine)  # (found running if `grade` started it already)
    digests = engine_class(engine).spec_digests(assignment)
    roster = read_roster(class_dir)
    entries, ignored = roster.students, roster.ignored
    folders = student_folders([*entries, *roster.clashes])
    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(out_dir)
    reporter = make_reporter(progress)
    kept = len(entries) + len(roster.clashes) <= IN_MEMORY_STUDENTS  # else read back from disk at the end
    results: dict[str, SubmissionResult | None] = {}
    counts = dict.fromkeys(("graded", "unreadable", "internal"), 0)
    graded_now: set[str] = set(roster.clashes)  # graded or given an error this run (reports fresh)
    with Gradebook(book_path) as book:
        keys = {s: GradeKey(content_hash(p), spec_key(digests.items()), __version__)
                for s, p in entries.items()}
        tasks = []
        for student, path in entries.items():
            folder = out_dir / folders[student]
            if not force and book.is_unchanged(student, keys[student]):
                restored = _restore(book, student, folder, reports)
                results[student] = class_view(restored) if kept else None
            else:
                tasks.append(GradeTask(os.fspath(path), student, assignment,
                                       report_dir=os.fspath(folder) if reports else None,
                                       result_dir=os.fspath(folder)))
        for student, names in roster.clashes.items():  # never a silent merge: an error each
            clash = failure_result(GradeTask(os.fspath(class_dir / student), student, assignment),
                                   clash_reason(student, names))
            clash = dataclasses.replace(clash, extra={"id_clash": list(names)})
            write_json_atomic(out_dir / folders[student] / RESULT_NAME, submission_dict(clash))
            book.record(clash, GradeKey("clash:" + ",".join(names), spec_key(digests.items()), __version__),
                        status="unreadable")
            results[student] = clash if kept else None
            counts["graded"] += 1
            counts["unreadable"] += 1
        workers = resolve_jobs(jobs, len(tasks))
        reporter.start(total=len(tasks), skipped=len(results) - len(roster.clashes), jobs=workers)
        renderer = threading.Thread(target=load_summary_renderer, name="summary-imports", daemon=True)
        if tasks:  # while the workers grade
            renderer.start()
        try:
            if scheduler is None:
                graded = grade_many(tasks, jobs=workers, timeout_s=timeout_s, engine=engine)
            else:
                from dnn_autograder.grader.classes.dask_backend import grade_many_dask

                graded = grade_many_dask(tasks, scheduler=scheduler, timeout_s=timeout_s, engine=engine)
            for done in graded:
                student = done.task.student
                folder = out_dir / folders[student]
                if done.text is None:  # a result made here (a failure): its JSON too
                    data = submission_dict(done.result)  # made once for the file and the gradebook
                    write_json_atomic(folder / RESULT_NAME, data)
                    book.record(done.result, keys[student], status=done.status, data=data)
                else:  # made by the worker, which wrote result.json unless it could not
                    if done.text.pretty is not None:
                        write_text_atomic(folder / RESULT_NAME, done.text.pretty)
                    book.record(done.result, keys[student], status=done.status, text=done.text.compact)
                results[student] = class_view(done.result) if kept else None  # the full result is on disk
                graded_now.add(student)
                counts["graded"] += 1
                if done.status != "graded":
                    counts[done.status] += 1
                reporter.advance(done)
        finally:
            reporter.stop()  # Ctrl-C or a failure: leave the terminal as it was
        files = [out_dir / folders[s] / RESULT_NAME for s in sorted(results)]
        ordered: Sequence[SubmissionResult] = (
            tuple(r for _, r in sorted(results.items()) if r is not None) if kept else StoredResults(files))
        del results  # a big class's results are on disk only
        class_assignments = (assignment,) if assignment else None
        finals = batch_finals(book, ordered, class_assignments)
        if reports:
            _report_final_grades(book, out_dir, folders, finals, restored=set(entries) - graded_now)
    if renderer.is_alive():
        renderer.join()
    write_class_files(out_dir, ordered, folders, assignments=class_assignments, finals=finals,
                      result_files=files)
    summary = BatchSummary(out_dir, book_path, ordered, counts["graded"], counts["unreadable"],
                           counts["internal"], len(files) - counts["graded"], ignored,
                           round(time.monotonic() - started, 3), workers, tuple(roster.clashes))
    reporter.finish(summary)
    return summary


def batch_finals(book: Gradebook, results: Sequence[SubmissionResult],
                 assignments: Sequence[str] | None) -> dict[tuple[str, str], FinalGrade]:
    """``{(student, assignment): FinalGrade}`` of the class's students, from the gradebook the
    batch wrote to (overrides, excusals, late penalties; :mod:`dnn_autograder.grader.classes.finals`),
    for the same assignments as ``grades.csv``. Results are read back one student at a time."""
    names = list(assignment_max_scores(results, assignments))
    grades = final_grades(book, names, students=[student_of(r) for r in results])
    return {(g.student, g.assignment): g for g in grades}


def _report_final_grades(book: Gradebook, out_dir: Path, folders: dict[str, str],
                         finals: dict[tuple[str, str], FinalGrade], *, restored: set[str]) -> None:
    """Rewrite ``report.html`` of every student with an adjusted grade (override, excusal,
    comment, late penalty), with the feedback folder's "Final grade" block; and of an unchanged
    student whose report still shows a block that no longer applies (e.g. an extension given)."""
    mine: dict[str, list[FinalGrade]] = collections.defaultdict(list)
    for grade in finals.values():
        mine[grade.student].append(grade)
    adjusted = {s for s, grades in mine.items() if any(g.adjusted for g in grades)}
    for student in sorted(adjusted):
        result = book.stored_result(student)
        if result is None or student not in folders:
            continue
        extra = {**result.extra, "final_grades": [final_dict(g) for g in mine[student]]}
        write_student_report(out_dir / folders[student], dataclasses.replace(result, extra=extra))
    if not (stored_policies(book.connection) or adjustments(book.connection, active_only=False)):
        return  # no block was ever shown from this gradebook
    for student in sorted(restored - adjusted):
        report = out_dir / folders.get(student, "") / REPORT_NAME
        if student in folders and report.is_file() and _FINAL_BLOCK_MARK in report.read_text(
                encoding="utf-8", errors="replace"):
            result = book.stored_result(student)
            if result is not None:
                write_student_report(report.parent, result)


class StoredResults(Sequence[SubmissionResult]):
    """A class's results read from the students' ``result.json`` files, one at a time, each
    time one is used (as :func:`class_view` keeps them): a class of thousands is never all in
    memory, at the price of reading (~1 ms of CPU per student) on every pass over it."""

    def __init__(self, files: Sequence[Path]) -> None:
        self._files = tuple(files)

    def __len__(self) -> int:
        return len(self._files)

    @overload
    def __getitem__(self, index: int) -> SubmissionResult: ...
    @overload
    def __getitem__(self, index: slice) -> list[SubmissionResult]: ...

    def __getitem__(self, index: int | slice) -> SubmissionResult | list[SubmissionResult]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        data = json.loads(self._files[index].read_text(encoding="utf-8"))
        return class_view(submission_from_dict(data))


def class_view(result: SubmissionResult) -> SubmissionResult:
    """``result`` without what only its own report and result file need (figure data,
    counterexamples): what the batch keeps per student for the class files, so a batch of
    thousands keeps its memory flat while the full results stream to disk and the gradebook."""
    assignments = tuple(
        dataclasses.replace(a, figures={}, functions=tuple(
            dataclasses.replace(f, counterexample=None) if f.counterexample is not None else f
            for f in a.functions))
        for a in result.assignments)
    return dataclasses.replace(result, assignments=assignments)


def student_entries(class_dir: Path) -> tuple[dict[str, Path], tuple[str, ...]]:
    """``({student id: path}, ignored names)`` for a class folder, as
    :func:`dnn_autograder.grader.classes.roster.read_roster` finds them (ids without ``.py``/``.ipynb``;
    clashing ids are left out here: :func:`grade_batch` gives each an error result)."""
    roster = read_roster(class_dir)
    return roster.students, roster.ignored


def content_hash(path: Path) -> str:
    """sha256 over the relative names and bytes of a submission's files (the files the grader
    reads: a file itself, or a folder's ``.py``/``.ipynb`` files)."""
    digest = hashlib.sha256()
    for file in _submission_files(path):
        name = os.fsencode(file.relative_to(path).as_posix() if path.is_dir() else file.name)
        digest.update(len(name).to_bytes(8, "big") + name)
        digest.update(_file_digest(file))
    return digest.hexdigest()


def _submission_files(path: Path) -> Sequence[Path]:
    from dnn_autograder.grader.extract import submission_files

    return submission_files(path)


def _file_digest(file: Path) -> bytes:
    """sha256 of a regular file's size and first bytes; a marker for anything else (a FIFO or a
    device must not block the batch)."""
    try:
        fd = os.open(file, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)  # never a link
    except OSError as error:
        return hashlib.sha256(f"unreadable: {error.strerror}".encode()).digest()
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            return hashlib.sha256(b"not a regular file").digest()
        digest = hashlib.sha256(info.st_size.to_bytes(8, "big"))
        with open(fd, "rb") as stream:
            remaining = _HASHED_BYTES
            while remaining > 0 and (chunk := stream.read(min(remaining, 2**20))):
                digest.update(chunk)
                remaining -= len(chunk)
        return digest.digest()
    except OSError as error:
        return hashlib.sha256(f"unreadable: {error.strerror}".encode()).digest()


def spec_digests(assignment: str | None) -> dict[str, str]:
    """``{assignment: spec digest}`` of the specs a batch grades against."""
    from dnn_autograder.grader.assignment.spec import load_all, load_assignment

    specs = (load_assignment(assignment),) if assignment else load_all()
    return {spec.name: spec.digest for spec in specs}


def resolve_jobs(jobs: int | None, tasks: int) -> int:
    """Workers to start: ``jobs`` (default: the CPUs this process may use), at most one per
    task."""
    if jobs is not None and jobs < 1:
        raise UsageError(f"--jobs must be at least 1, not {jobs}")
    return max(1, min(forkserver_start.default_jobs(jobs), tasks))


def _remove_stale_temporaries(out_dir: Path) -> None:
    """Temporary files of a batch that was killed while writing (``.<name>.<random>.tmp``)."""
    for pattern in (".*.tmp", "*/.*.tmp"):
        for path in out_dir.glob(pattern):
            with contextlib.suppress(OSError):
                path.unlink()


def _restore(book: Gradebook, student: str, folder: Path, reports: bool) -> SubmissionResult:
    """An unchanged student's stored result; rewrite its files if the output folder lacks them."""
    stored = book.stored_json(student) or {}
    result = submission_from_dict(stored)
    if not (folder / RESULT_NAME).is_file():
        write_json_atomic(folder / RESULT_NAME, stored)
    if reports and not (folder / REPORT_NAME).is_file():
        write_student_report(folder, result)
    return result


def failure_result(task: GradeTask, reason: str, seconds: float = 0.0) -> SubmissionResult:
    """A zero result for a student the grader itself failed on, with the reason."""
    return SubmissionResult(
        submission=visible(task.path), score=0.0, max_score=_max_score(task.assignment),
        assignments=(),
        student=task.student, error=reason, grader_version=__version__,
        graded_at=time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
        duration_s=round(seconds, 3), extra={"internal_error": True},
    )


def _max_score(assignment: str | None) -> float:
    if assignment is None:
        return 0.0
    try:
        from dnn_autograder.grader.assignment.spec import load_assignment

        return load_assignment(assignment).max_score
    except Exception:  # noqa: BLE001 - a failure result must not fail
        return 0.0


# --- The worker pool ----------------------------------------------------------------------------

@dataclass(frozen=True)
class GradeTask:
    """One student to grade: where, as whom, against which assignment (None: recognise), the
    folder to write ``report.html`` into (None: no report), and the folder of the student's
    ``result.json`` (None: the caller wants the full result and writes nothing from it).

    With ``result_dir``, the worker makes the results JSON (:class:`ResultText`), a local worker
    writes ``result.json`` there itself (atomically), and the :class:`Graded` it returns carries
    the text and only :func:`class_view` of the result: the batch's process records the text in
    the gradebook without converting or encoding anything."""

    path: str
    student: str
    assignment: str | None = None
    report_dir: str | None = None
    result_dir: str | None = None


@dataclass(frozen=True)
class Graded:
    """A finished task: its result and ``status`` (``graded``, ``unreadable``: nothing could
    be graded, ``internal``: the grader failed), and the wall time it took; ``text``: the
    results JSON the worker made (tasks with a ``result_dir``; ``result`` is then
    :func:`class_view` of the result), None for a result made by the caller's process (a
    failure) or for a task without ``result_dir``."""

    task: GradeTask
    result: SubmissionResult
    status: str
    seconds: float
    text: ResultText | None = None


def engine_class(engine: str) -> Any:
    """The engine class named by ``"module:attr"`` (imported, not instantiated)."""
    module, _, attr = engine.partition(":")
    return getattr(importlib.import_module(module), attr)


class PipelineEngine:
    """The grading engine of a worker: one sandbox, reused for every student it grades.

    An engine has ``grade(task) -> SubmissionResult`` and ``close()``, and a static
    ``spec_digests(assignment)`` that the main process calls to key the gradebook. Its results
    carry file and folder names already cleaned (:mod:`dnn_autograder.grader.grading.untrusted`), as the
    pipeline cleans them where they enter.
    """

    spec_digests = staticmethod(spec_digests)
    #: each worker's engine runs one ``Sandbox()`` of the default configuration: :func:`grade_many`
    #: starts one zygote for all of them, with a control socket per worker, before it forks them
    #: (while the fork server may still be warming the grader), and hands each worker its socket
    SANDBOXED = True
    #: imported once by the fork server the workers are forked from (:func:`worker_context`)
    PRELOAD = ("dnn_autograder.grader.grading.pipeline", "dnn_autograder.grader.outputs.render.html")

    @staticmethod
    def warm(assignment: str | None) -> None:
        """Called once by the fork server before it forks the workers (:func:`worker_context`):
        the student-independent work of grading ``assignment`` (its suites, catalogue, the
        reference's side of its pictures, the report templates:
        :func:`dnn_autograder.grader.grading.prepare.prepare`), which every worker then inherits."""
        from dnn_autograder.grader.grading.prepare import prepare

        prepare(assignment)

    def __init__(self) -> None:
        from dnn_autograder.grader.grading import pipeline

        self._pipeline = pipeline
        self._sandbox = pipeline.Sandbox(pipeline.Limits())

    def grade(self, task: GradeTask) -> SubmissionResult:
        """Grade one student; a sandbox that has stopped working is replaced and the student
        graded again, once."""
        try:
            return self._grade(task)
        except SandboxUnavailable as exc:
            with contextlib.suppress(Exception):
                self._sandbox.close()
            self._sandbox = self._pipeline.Sandbox(self._pipeline.Limits())
            result = self._grade(task)
            extra = {**result.extra, "sandbox_restarted": str(exc)}
            return dataclasses.replace(result, extra=extra)

    def _grade(self, task: GradeTask) -> SubmissionResult:
        return self._pipeline.grade_submission(task.path, assignment=task.assignment,
                                               sandbox=self._sandbox, student=task.student)

    def close(self) -> None:
        self._sandbox.close()


def grade_many(
    tasks: Iterable[GradeTask],
    *,
    jobs: int | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    engine: str = DEFAULT_ENGINE,
) -> Iterator[Graded]:
    """Grade ``tasks`` on ``jobs`` worker processes; yield each as it finishes (any order).

    Every task yields exactly once. A task whose worker raises, dies or runs past ``timeout_s``
    yields a zero result with the reason (status ``internal``) and the worker is replaced.

    Raises:
        SandboxUnavailable: a worker could not build its engine (the reason is in the message).
    """
    queue = collections.deque(tasks)
    if not queue:
        return
    context = worker_context(engine, _common_assignment(queue))
    count = resolve_jobs(jobs, len(queue))
    if _sandboxed(engine):  # while the fork server may still be warming the grader
        sandbox_start.start_early(count)
    workers = [_Worker(context, engine) for _ in range(count)]
    try:
        while queue or any(w.task for w in workers):
            for worker in workers:
                if worker.ready and worker.task is None and queue:
                    worker.assign(queue.popleft())
            waitables = [w.conn for w in workers] + [w.process.sentinel for w in workers]
            ready = set(connection_wait(waitables, timeout=_next_deadline(workers, timeout_s)))
            finished: list[Graded] = []
            for index, worker in enumerate(list(workers)):
                if worker.conn in ready or worker.process.sentinel in ready:
                    finished.extend(worker.collect())
                if not worker.process.is_alive() or worker.overdue(timeout_s):
                    finished.extend(worker.stop(timeout_s))
                    workers[index] = _Worker(context, engine) if queue else _Worker.STOPPED
            workers = [w for w in workers if w is not _Worker.STOPPED]
            for worker in workers:  # their next student first: the caller writes files (fsync) meanwhile
                if worker.ready and worker.task is None and queue:
                    worker.assign(queue.popleft())
            yield from finished
    finally:
        workers = [w for w in workers if w is not _Worker.STOPPED]
        for worker in workers:  # all told first: they close their sandboxes at the same time
            worker.ask_to_stop()
        for worker in workers:
            worker.shutdown()
        sandbox_start.release()  # reap the zygote handed to the workers (closed with their sandboxes)


def _sandboxed(engine: str) -> bool:
    """Does the engine's class say each worker runs one default ``Sandbox()`` (``SANDBOXED``)?
    False when it cannot be loaded here: its workers then report why."""
    try:
        return bool(getattr(engine_class(engine), "SANDBOXED", False))
    except Exception:  # noqa: BLE001 - the workers' own import gives the error
        return False


def worker_context(engine: str, assignment: str | None = None) -> Any:
    """The multiprocessing context of the workers: a fork server that imported the engine's
    modules and warmed it once (:func:`dnn_autograder.grader.classes.forkserver_start.worker_context`)."""
    return forkserver_start.worker_context(engine, assignment)


def _common_assignment(tasks: Iterable[GradeTask]) -> str | None:
    """The assignment every task names, or None (none named, or several)."""
    named = {task.assignment for task in tasks}
    return named.pop() if len(named) == 1 else None


def _next_deadline(workers: Sequence[_Worker], timeout_s: float) -> float:
    now = time.monotonic()
    limits = [w.since + (timeout_s if w.ready else STARTUP_TIMEOUT_S) - now
              for w in workers if w.task or not w.ready]
    return max(0.0, min(limits)) if limits else 1.0


class _Worker:
    """A worker process and the pipe to it, seen from the main process."""

    STOPPED: Any = None  #: marks a slot whose worker was stopped and not replaced

    def __init__(self, context: Any, engine: str) -> None:
        self.conn, child = context.Pipe()
        early = sandbox_start.hand_over()  # a client of the zygote started for the workers, if any
        self.process = context.Process(target=_worker_main, args=(child, engine, list(sys.path), early),
                                       name="grade-worker")
        try:
            self.process.start()
        finally:
            if early is not None:
                sandbox_start.handed(early)  # the worker's copy of its socket is the only one left
        child.close()
        self.ready = False
        self.asked = False  #: told to stop
        self.task: GradeTask | None = None
        self.since = time.monotonic()

    def assign(self, task: GradeTask) -> None:
        self.conn.send(task)
        self.task, self.since = task, time.monotonic()

    def collect(self) -> Iterator[Graded]:
        """Handle every message waiting on the pipe."""
        try:
            while self.conn.poll():
                message = self.conn.recv()
                if message[0] == "ready":
                    self.ready, self.since = True, time.monotonic()
                elif message[0] == "fatal":
                    raise SandboxUnavailable(f"a grading worker could not start: {message[1]}")
                elif self.task is not None:
                    _, result, status, *text = message
                    task, self.task = self.task, None
                    yield Graded(task, result, status, time.monotonic() - self.since, *text)
        except (EOFError, OSError):
            self.process.join(timeout=5)

    def overdue(self, timeout_s: float) -> bool:
        limit = timeout_s if self.ready else STARTUP_TIMEOUT_S
        return (self.task is not None or not self.ready) and time.monotonic() - self.since > limit

    def stop(self, timeout_s: float) -> Iterator[Graded]:
        """Kill the process; its task, if any, gets a zero result saying why."""
        alive = self.process.is_alive()
        self.process.kill()
        self.process.join(timeout=10)
        self.conn.close()
        seconds = time.monotonic() - self.since
        if self.task is None:
            if not self.ready:
                raise SandboxUnavailable("a grading worker did not start "
                                         + (f"within {STARTUP_TIMEOUT_S:.0f} s" if alive
                                            else f"(exit code {self.process.exitcode})"))
            return
        if alive:
            reason = (f"grading took longer than {timeout_s:.0f} s, so it was stopped; the "
                      "submission was not graded (run the batch again to retry it)")
        else:
            reason = (f"the grader's worker process died ({_exit_reason(self.process.exitcode)}) "
                      "while grading this submission, so it was not graded; the machine may be "
                      "out of memory (run the batch again to retry it)")
        yield Graded(self.task, failure_result(self.task, reason, seconds), "internal", seconds)

    def ask_to_stop(self) -> None:
        """Tell an idle worker to close its engine and exit (:meth:`shutdown` waits for it)."""
        if self.task is None and not self.asked:
            self.asked = True
            with contextlib.suppress(OSError):
                self.conn.send(None)

    def shutdown(self) -> None:
        if self.process.is_alive() and self.task is None:
            self.ask_to_stop()
            self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)
        self.conn.close()


def _exit_reason(code: int | None) -> str:
    if code is not None and code < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-code).name}"
    return f"exit code {code}"


def _worker_main(conn: Connection, engine_ref: str, sys_path: list[str],
                 early: sandbox_start.Early | None = None) -> None:
    """A worker: build the engine once, then grade each task received until told to stop.
    ``early``: a client of the sandbox zygote the batch's process started for its workers, which
    the engine's Sandbox takes (:mod:`dnn_autograder.grader.sandbox_start`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the main process to handle
    sys.path[:] = sys_path
    for name in _THREAD_VARIABLES:  # N workers x N BLAS threads would oversubscribe the CPUs
        os.environ.setdefault(name, "1")
    if early is not None:
        sandbox_start.adopt(early)
    try:
        engine = engine_class(engine_ref)()
    except BaseException as exc:  # noqa: BLE001 - reported to the main process
        conn.send(("fatal", f"{type(exc).__name__}: {exc}"))
        return
    try:
        conn.send(("ready",))
        while (task := _receive(conn)) is not None:
            result, status = _grade_one(engine, task)
            if task.result_dir is not None and conn.poll():  # nothing is sent to a busy worker but
                break  # the end of the pipe: the batch's process is gone, the next run grades again
            try:
                conn.send(_done_message(task, result, status))
            except (TypeError, ValueError, AttributeError, RecursionError) as exc:  # not picklable
                reason = f"the grader could not return this result ({type(exc).__name__}: {exc})"
                conn.send(("done", failure_result(task, reason), "internal"))
    except OSError:  # the main process is gone
        pass
    finally:
        with contextlib.suppress(Exception):
            engine.close()


def _done_message(task: GradeTask, result: SubmissionResult, status: str) -> tuple[Any, ...]:
    """What a worker sends back: ``("done", result, status)``, or with the task's ``result_dir``
    ``("done", class_view(result), status, ResultText)`` once ``result.json`` is written there
    (the full result when its JSON cannot be made: the batch's process then tries, and reports)."""
    if task.result_dir is None:
        return ("done", result, status)
    try:
        text = result_text(result, Path(task.result_dir))
    except Exception:  # noqa: BLE001 - e.g. a value JSON cannot hold: the caller's write says why
        return ("done", result, status)
    return ("done", class_view(result), status, text)


def _receive(conn: Connection) -> GradeTask | None:
    try:
        return conn.recv()
    except EOFError:
        return None


def _grade_one(engine: object, task: GradeTask) -> tuple[SubmissionResult, str]:
    started = time.monotonic()
    try:
        result = engine.grade(task)  # type: ignore[attr-defined]  # names cleaned where they entered
    except Exception as exc:  # noqa: BLE001 - one student never stops the batch
        reason = f"the grader failed on this submission ({type(exc).__name__}: {exc})"
        return failure_result(task, reason, time.monotonic() - started), "internal"
    if task.report_dir is not None:
        problem = write_student_report(Path(task.report_dir), result)
        if problem and "not available" not in problem:
            result = dataclasses.replace(result, notes=(*result.notes, problem))
    return result, "unreadable" if nothing_graded(result) else "graded"


def nothing_graded(result: SubmissionResult) -> bool:
    """True when no graded function could even be found: the submission could not be read,
    or defines none of them (with a forced assignment the pipeline reports every function
    missing and the load problem in the notes rather than an error)."""
    return result.error is not None or all(
        f.status == "missing" for a in result.assignments for f in a.functions)


def not_graded_reason(result: SubmissionResult) -> str | None:
    """Why nothing was graded (the error, else the first note), or None when something was."""
    if not nothing_graded(result):
        return None
    return result.error or next(iter(result.notes), "none of the graded functions is defined")


# --- Progress -----------------------------------------------------------------------------------


class Reporter(Protocol):
    """What a batch tells about its progress."""

    def start(self, *, total: int, skipped: int, jobs: int) -> None: ...
    def advance(self, done: Graded) -> None: ...
    def stop(self) -> None: ...
    def finish(self, summary: BatchSummary) -> None: ...


class SilentReporter:
    def start(self, *, total: int, skipped: int, jobs: int) -> None:
        pass

    def advance(self, done: Graded) -> None:
        pass

    def stop(self) -> None:
        pass

    def finish(self, summary: BatchSummary) -> None:
        pass


class LineReporter:
    """One plain line per student: ``[12/200] alice: 27/30 (1.2 s)``, for logs and CI."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        self._total = self._done = 0

    def _print(self, text: str) -> None:
        stream = self._stream or sys.stdout
        print(text, file=stream, flush=True)

    def start(self, *, total: int, skipped: int, jobs: int) -> None:
        self._total, self._done = total, 0
        self._print(f"grading {total} submissions on {jobs} worker(s)"
                    + (f"; {skipped} unchanged, skipped" if skipped else ""))

    def advance(self, done: Graded) -> None:
        self._done += 1
        self._print(f"[{self._done}/{self._total}] {describe(done)}")

    def stop(self) -> None:
        pass

    def finish(self, summary: BatchSummary) -> None:
        for line in summary.lines():
            self._print(line)


class RichReporter(LineReporter):
    """A progress bar with ETA on a terminal; students that could not be graded are logged."""

    def start(self, *, total: int, skipped: int, jobs: int) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                             TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn())
        self._bar.start()
        note = f" ({skipped} unchanged, skipped)" if skipped else ""
        self._bar.console.print(f"grading {total} submissions on {jobs} worker(s){note}")
        self._task = self._bar.add_task("grading", total=total)

    def advance(self, done: Graded) -> None:
        if done.status != "graded":
            self._bar.console.print(describe(done), markup=False, highlight=False)
        self._bar.update(self._task, advance=1, description=done.task.student[:30])

    def stop(self) -> None:
        if hasattr(self, "_bar"):
            self._bar.stop()

    def finish(self, summary: BatchSummary) -> None:
        from dnn_autograder.grader.classes.class_table import class_table

        self.stop()
        console = self._bar.console if hasattr(self, "_bar") else None
        if console is not None and summary.results:
            console.print(class_table(summary.results))
        for line in summary.lines():
            if console is not None:
                console.print(line, markup=False, highlight=False)


def describe(done: Graded) -> str:
    """``alice: 27/30 (1.2 s)``, with the reason when nothing was graded."""
    result = done.result
    text = f"{done.task.student}: {result.score:g}/{result.max_score:g} ({done.seconds:.1f} s)"
    reason = not_graded_reason(result)
    return text + (f" - not graded: {reason}" if reason else "")


def make_reporter(progress: Reporter | str | None) -> Reporter:
    """``"auto"``: a bar when stdout is a terminal, else lines; ``"bar"``, ``"lines"``, None."""
    if progress is None or progress == "none":
        return SilentReporter()
    if progress == "auto":
        progress = "bar" if sys.stdout.isatty() else "lines"
    if progress == "bar":
        return RichReporter()
    if progress == "lines":
        return LineReporter()
    if isinstance(progress, str):
        raise UsageError(f"progress must be auto, bar, lines or none, not {progress!r}")
    return progress
