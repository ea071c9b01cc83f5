"""Class batches on a Dask distributed cluster: ``grade CLASS --out OUT --scheduler ADDRESS``.

:func:`grade_many_dask` is :func:`dnn_autograder.grader.classes.batch.grade_many` with the students
graded by the workers of a Dask cluster instead of local worker processes; ``grade_batch(...,
scheduler=ADDRESS)`` uses it, so everything else stays the local pool's: this (the parent)
process alone writes each result, report and gradebook row as results arrive, and a re-run
resumes (unchanged students are skipped), also after ``kill -9`` of the parent.

Each Dask worker thread builds one grading engine (one sandbox: the expensive imports happen
once per worker) and reuses it. A student's files are sent with the task (workers need not see
this machine's disk) and written to a temporary folder on the worker; the report is rendered on
the worker and sent back as text. A worker that dies mid-student is replaced by its nanny and
Dask re-runs the student elsewhere (up to ``distributed.scheduler.allowed-failures`` times;
then this backend sends the student once more, in case they were only queued on a worker another
student killed; after that the student gets a zero with the reason, status ``internal``, retried
by the next run).
A student that runs past ``timeout_s`` from the moment a worker started it is given up (a zero
with the reason) and that worker is restarted. Workers need this package installed (with its
``cluster`` extra) and the sandbox's requirements, as a grading machine does.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from dnn_autograder.grader.classes.batch import (
    DEFAULT_ENGINE,
    DEFAULT_TIMEOUT_S,
    Graded,
    GradeTask,
    _grade_one,
    class_view,
    engine_class,
    failure_result,
)
from dnn_autograder.grader.errors import SandboxUnavailable, UsageError
from dnn_autograder.grader.outputs.exports.class_outputs import REPORT_NAME, ResultText, result_text
from dnn_autograder.grader.outputs.exports.files import dumps_json, write_text_atomic

__all__ = ["grade_many_dask", "remote_grade", "pack_submission"]

TOPIC = "dnn-autograder-started"  #: worker events: a student's grading started (for time limits)
CONNECT_TIMEOUT_S = 30.0
_POLL_S = 1.0
RESTART_WAIT_S = 30.0  #: at the end, how long to wait for the restarts of stuck workers
#: a student whose workers kept dying is sent once more (it may only have been queued on a worker
#: that another student killed) before it gets a zero
RESUBMISSIONS = 1


@dataclasses.dataclass(frozen=True)
class Packed:
    """A submission's files as sent to a worker: the entry's name (a file or a folder) and
    ``{path relative to the class folder: bytes}``."""

    name: str
    is_dir: bool
    files: Mapping[str, bytes]


def pack_submission(path: str | Path) -> Packed:
    """The files the grader reads of a submission (see
    :func:`dnn_autograder.grader.extract.submission_files`), as bytes; an unreadable file is left
    out (the worker's grading then reports what is missing)."""
    from dnn_autograder.grader.extract import submission_files

    entry = Path(path)
    files: dict[str, bytes] = {}
    with contextlib.suppress(Exception):
        for file in submission_files(entry):
            with contextlib.suppress(OSError):
                files[file.relative_to(entry.parent).as_posix()] = file.read_bytes()
    return Packed(entry.name, entry.is_dir(), files)


def grade_many_dask(
    tasks: Iterable[GradeTask],
    *,
    scheduler: str,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    engine: str = DEFAULT_ENGINE,
) -> Iterator[Graded]:
    """Grade ``tasks`` on the Dask cluster at ``scheduler``; yield each as it finishes.

    Every task yields exactly once, as with the local pool; reports are written here from the
    text the workers send back.

    Raises:
        UsageError: ``distributed`` is not installed, or no scheduler answers at ``scheduler``.
    """
    queue = list(tasks)
    if not queue:
        return
    run = _Run(_connect(scheduler), engine, timeout_s)
    try:
        run.client.subscribe_topic(TOPIC, run.note_start)
        for task in queue:
            run.submit(task)
        yield from run.results()
    finally:
        run.close()


def _connect(scheduler: str) -> Any:
    try:
        from distributed import Client
    except ImportError as exc:
        raise UsageError("--scheduler needs Dask distributed: pip install 'dnn-autograder[cluster]'") from exc
    try:
        return Client(scheduler, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise UsageError(f"no Dask scheduler answered at {scheduler}: {exc}") from exc


class _Run:
    """The students of one batch on the cluster: their futures, when a worker began each, and
    the restarts of stuck workers."""

    def __init__(self, client: Any, engine: str, timeout_s: float) -> None:
        self.client, self.engine, self.timeout_s = client, engine, timeout_s
        self.pending: dict[str, tuple[Any, GradeTask, int]] = {}  # key -> (future, task, resubmissions)
        self.started: dict[str, tuple[float, str]] = {}  # key -> (when a worker last began it, worker)
        self.restarts: list[threading.Thread] = []
        self.finished = threading.Event()

    def submit(self, task: GradeTask, resubmitted: int = 0) -> None:
        future = self.client.submit(remote_grade, task, pack_submission(task.path), self.engine, list(sys.path),
                                    pure=False, key=f"grade-{os.urandom(8).hex()}")
        self.pending[future.key] = (future, task, resubmitted)
        future.add_done_callback(lambda _future: self.finished.set())

    def note_start(self, event: Any) -> None:
        message = event[1] if isinstance(event, tuple) else event
        with contextlib.suppress(Exception):  # a retry starts the clock again
            self.started[message["key"]] = (time.monotonic(), message["worker"])

    def results(self) -> Iterator[Graded]:
        """Each student's result as it arrives (or a zero: see the module doc)."""
        while self.pending:
            self.finished.wait(_POLL_S)
            self.finished.clear()
            for key, (future, task, resubmitted) in list(self.pending.items()):
                start = self.started.get(key)
                if future.done():
                    del self.pending[key]
                    if _killed_worker(future) and resubmitted < RESUBMISSIONS:
                        self.submit(task, resubmitted + 1)  # it may only have shared a dying worker
                    else:
                        yield _finished(future, task, start)
                elif start is not None and time.monotonic() - start[0] > self.timeout_s:
                    del self.pending[key]
                    future.cancel()
                    self.restarts.append(_restart_later(self.client, start[1]))
                    seconds = time.monotonic() - start[0]
                    reason = (f"grading took longer than {self.timeout_s:.0f} s, so it was stopped; the "
                              "submission was not graded (run the batch again to retry it)")
                    yield Graded(task, failure_result(task, reason, seconds), "internal", seconds)

    def close(self) -> None:
        for thread in self.restarts:  # the restart of a stuck worker is sent before we go
            thread.join(timeout=RESTART_WAIT_S)
        with contextlib.suppress(Exception):
            self.client.unsubscribe_topic(TOPIC)
        with contextlib.suppress(Exception):
            for future, _, _ in list(self.pending.values()):
                future.cancel()
        self.client.close()


def _killed_worker(future: Any) -> bool:
    """True when Dask gave the task up because workers died while running it."""
    with contextlib.suppress(Exception):
        return future.status == "error" and type(future.exception()).__name__ == "KilledWorker"
    return False


def _restart_later(client: Any, worker: str) -> threading.Thread:
    """Restart a worker stuck on a student, in the background (its nanny starts a fresh one;
    waiting for it here would hold up the results of the other workers)."""

    def restart() -> None:
        with contextlib.suppress(Exception):
            client.restart_workers([worker], timeout=120, raise_for_error=False)

    thread = threading.Thread(target=restart, name="restart-dask-worker", daemon=True)
    thread.start()
    return thread


def _finished(future: Any, task: GradeTask, start: tuple[float, str] | None) -> Graded:
    seconds = time.monotonic() - start[0] if start else 0.0
    try:
        result, status, report, *texts = future.result()
    except SandboxUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001 - a worker that died too often, or a grader failure
        reason = (f"the grader's worker failed while grading this submission ({type(exc).__name__}: "
                  f"{exc}); the worker may have run out of memory (run the batch again to retry it)")
        return Graded(task, failure_result(task, reason, seconds), "internal", seconds)
    if task.report_dir is not None and report is not None:
        try:
            write_text_atomic(Path(task.report_dir) / REPORT_NAME, report)
        except OSError as exc:
            problem = f"the HTML report could not be written ({type(exc).__name__}: {exc})"
            result = dataclasses.replace(result, notes=(*result.notes, problem))
            texts = [_with_note(text, problem) for text in texts]
    return Graded(task, result, status, seconds, *texts)


def _with_note(text: ResultText, note: str) -> ResultText:
    """``text`` with ``note`` added to the submission's notes (its ``result.json`` not written yet)."""
    data = json.loads(text.compact)
    data["notes"] = [*data.get("notes", ()), note]
    return ResultText(dumps_json(data), dumps_json(data, indent=2) + "\n")


# --- On the worker ------------------------------------------------------------------------------

_ENGINES = threading.local()


def remote_grade(task: GradeTask, packed: Packed, engine_ref: str,
                 sys_path: list[str]) -> tuple[Any, ...]:
    """Grade one student on a Dask worker: ``(result, status, report HTML or None)``; for a task
    with a ``result_dir``, ``(class_view(result), status, report, ResultText)``: the results JSON
    is made here, for this backend's caller to write (never on the worker's disk)."""
    from distributed import get_worker

    for entry in sys_path:  # the parent's import path (e.g. a test's fake engine), after ours
        if entry not in sys.path and os.path.isdir(entry):
            sys.path.append(entry)
    worker = get_worker()
    with contextlib.suppress(Exception):
        worker.log_event(TOPIC, {"key": worker.get_current_task(), "worker": worker.address})
    engine = _engine(engine_ref)
    scratch = Path(tempfile.mkdtemp(prefix="grade-"))
    try:
        local = _unpack(packed, scratch)
        result, status = _grade_one(engine, dataclasses.replace(task, path=os.fspath(local), report_dir=None,
                                                                result_dir=None))
        result = _renamed(result, str(local), task.path)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    report = None
    if task.report_dir is not None:
        try:
            from dnn_autograder.grader.outputs.render.html import render_report

            report = render_report(result)
        except Exception as exc:  # noqa: BLE001 - a report failure must not lose the grade
            problem = f"the HTML report could not be written ({type(exc).__name__}: {exc})"
            result = dataclasses.replace(result, notes=(*result.notes, problem))
    if task.result_dir is None:
        return result, status, report
    try:
        text = result_text(result)
    except Exception:  # noqa: BLE001 - e.g. a value JSON cannot hold: the caller's write says why
        return result, status, report
    return class_view(result), status, report, text


def _engine(engine_ref: str) -> Any:
    """This worker thread's engine for ``engine_ref``, built on first use."""
    engines = getattr(_ENGINES, "by_ref", None)
    if engines is None:
        engines = _ENGINES.by_ref = {}
    if engine_ref not in engines:
        for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(name, "1")
        engines[engine_ref] = engine_class(engine_ref)()
    return engines[engine_ref]


def _unpack(packed: Packed, scratch: Path) -> Path:
    entry = scratch / packed.name
    if packed.is_dir:
        entry.mkdir()
    for relative, data in packed.files.items():
        target = (scratch / relative).resolve()
        if scratch.resolve() not in target.parents:  # names come from our own packing; still
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return entry


def _renamed(result: Any, local: str, original: str) -> Any:
    """``result`` with the worker's temporary path replaced by the class folder's."""
    from dnn_autograder.grader.grading.untrusted import visible

    shown_local, shown = visible(local), visible(original)

    def fix(text: str) -> str:
        return text.replace(shown_local, shown) if isinstance(text, str) else text

    assignments = tuple(dataclasses.replace(a, source=fix(a.source), notes=tuple(map(fix, a.notes)))
                        for a in result.assignments)
    return dataclasses.replace(result, submission=fix(result.submission), assignments=assignments,
                               notes=tuple(map(fix, result.notes)), error=fix(result.error))
