"""Starting the class batch's fork server, from a module that imports nothing heavy.

The workers of a batch are forked from a fork server that imports the grader and warms the
engine once (:func:`worker_context`; ~0.5 s of CPU). The fork server does that in its own
process, so it can start as soon as the command line says a class is to be graded
(:func:`start_for_batch`, which ``grade`` calls before its own imports and the class folder's
recognition): its preload then overlaps that work instead of following it. This module imports
only the standard library, so calling it costs the ``grade`` process nothing it would not pay
anyway; :mod:`dnn_autograder.grader.classes.batch` uses the same functions when it starts its
workers (the fork server is one per process: a second call finds it running).
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import multiprocessing.forkserver
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

DEFAULT_ENGINE = "dnn_autograder.grader.classes.batch:PipelineEngine"
GRADEBOOK_NAME = "gradebook.sqlite"
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
#: imported last by the fork server: imports the engine's ``PRELOAD`` and calls its ``warm``
WARM_MODULE = "dnn_autograder.grader.classes.forkserver_warm"
WARM_VARIABLE = "DNN_AUTOGRADER_FORKSERVER_WARM"  #: its input, set while the fork server starts


def start_for_batch(out_dir: str | Path, *, assignment: str | None = None,
                    gradebook_path: str | Path | None = None, force: bool = False,
                    engine: str = DEFAULT_ENGINE) -> bool:
    """Start the fork server of a local batch about to grade into ``out_dir``, when it will grade
    (``force``, or no gradebook yet: else most students are likely unchanged and skipped, and
    the workers start only if some are not); whether it was started."""
    book = Path(gradebook_path) if gradebook_path else Path(out_dir) / GRADEBOOK_NAME
    if not force and book.exists():
        return False
    worker_context(engine, assignment)
    return True


def default_jobs(jobs: int | None) -> int:
    """The workers a batch starts for ``jobs`` when it has enough students: ``jobs``, by default
    the CPUs this process may use (at least 1)."""
    if jobs is not None:
        return max(1, jobs)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def worker_context(engine: str, assignment: str | None = None) -> Any:
    """The multiprocessing context of the workers: a fork server where there is one (else spawn).

    The fork server imports the engine's module and then :data:`WARM_MODULE`, which imports the
    modules the engine class lists in its ``PRELOAD`` and, when the engine class has a
    ``warm(assignment)``, calls it with ``assignment`` (the class's assignment, None when not
    known) before any worker is forked (:mod:`dnn_autograder.grader.classes.forkserver_warm`):
    every worker forked from it starts with those modules loaded and that work done (numpy, the
    grading pipeline, the report templates, the assignment's suites: ~0.5 s of CPU per worker
    otherwise). It is started with one BLAS/OpenMP thread per process (:data:`THREAD_VARIABLES`,
    unless set), as a worker's numerical libraries are loaded before the worker's own code runs.
    The fork server is one per process: a batch reuses the one an earlier batch (or
    :func:`start_for_batch`) started, as it was warmed (the workers compute anything else on
    first use). It imports from Python's default path (an installed package), not from this
    process's ``sys.path``: a module it cannot import is left to each worker (whose ``sys.path``
    is ours). Starting it does not wait for its imports: the first worker started does."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["__main__", engine.partition(":")[0], WARM_MODULE])
    variables = {name: "1" for name in THREAD_VARIABLES if name not in os.environ}
    variables[WARM_VARIABLE] = json.dumps([engine, assignment])
    with _environment(variables):
        multiprocessing.forkserver.ensure_running()  # type: ignore[attr-defined]
    return context


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """``os.environ`` with ``values`` added for the block (for a process started inside it)."""
    os.environ.update(values)
    try:
        yield
    finally:
        for name in values:
            os.environ.pop(name, None)
