"""A fake grading engine for the batch tests: real extraction, fake scores, scripted failures.

The batch runs it in its worker processes (``engine="batch_fake_engine:FakeEngine"``). A
submission's text decides what happens: ``MARK=<folder>`` first creates
``<folder>/<student>.<pid>`` (so a test knows which process grades whom), ``CRASH`` kills the
worker, ``HANG`` sleeps for an hour, ``RAISE`` raises, ``SLEEP=<seconds>`` waits first,
``REAL=<result.json>`` returns that results JSON (a real engine's result, of real size) as this
student's, ``BIG=<n>`` attaches ``n`` floats of figure data to the result (a report-sized
payload, for the memory tests). Otherwise each of :data:`FUNCTIONS` scores its point when the
submission defines it and it does not contain ``WRONG``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import signal
import time
from datetime import UTC, datetime
from pathlib import Path

from dnn_autograder.grader.errors import SubmissionError
from dnn_autograder.grader.extract import extract_file, submission_files
from dnn_autograder.grader.grading.untrusted import visible
from dnn_autograder.grader.model import AssignmentResult, FunctionResult, SubmissionResult

FUNCTIONS = ("forward", "backward", "update")
ASSIGNMENT = "fake"


class FakeEngine:
    @staticmethod
    def spec_digests(assignment: str | None) -> dict[str, str]:
        return {ASSIGNMENT: "fake-digest"}

    def __init__(self) -> None:
        self.pid = os.getpid()

    def grade(self, task) -> SubmissionResult:
        path = Path(task.path)
        files = submission_files(path)
        text = b"".join(f.read_bytes() for f in files).decode("utf-8", "replace")
        if match := re.search(r"MARK=(\S+)", text):
            (Path(match.group(1)) / f"{task.student}.{os.getpid()}").touch()
        _act(text)
        if match := re.search(r"REAL=(\S+)", text):
            return _real(Path(match.group(1)), task.student, visible(str(path)))
        defined: set[str] = set()
        problems = []
        for file in files:
            try:
                defined |= set(extract_file(file).functions)
            except SubmissionError as exc:
                problems.append(f"{file.name}: {exc}")
        if not files:
            problems.append(f"no .py or .ipynb file found in {path}")
        functions = tuple(
            FunctionResult(name, 1.0 if name in defined and "WRONG" not in text else 0.0, 1.0,
                           ("passed" if "WRONG" not in text else "failed") if name in defined
                           else "missing", message="" if name in defined else "not defined")
            for name in FUNCTIONS)
        graded = bool(defined)
        big = re.search(r"BIG=([0-9]+)", text)
        figures = {"payload": [float(i) for i in range(int(big.group(1)))]} if big else {}
        assignments = (AssignmentResult(ASSIGNMENT, "Fake", sum(f.score for f in functions),
                                        3.0, functions, source=visible(str(path)),
                                        figures=figures),) if graded else ()
        return SubmissionResult(
            submission=visible(str(path)), score=sum(a.score for a in assignments),
            max_score=sum(a.max_score for a in assignments), assignments=assignments,
            student=task.student,
            error=None if graded else (problems[-1] if problems else "nothing to grade"),
            notes=tuple(problems), grader_version="fake",
            graded_at=datetime.now(UTC).isoformat(timespec="seconds"),
            extra={"worker_pid": self.pid})

    def close(self) -> None:
        pass


class PreloadingEngine(FakeEngine):
    """A fake engine whose fork server preloads :mod:`preload_probe`; each result's ``extra``
    says which process imported the probe (``probe_pid``) and which graded (``worker_pid``)."""

    PRELOAD = ("preload_probe",)

    def grade(self, task) -> SubmissionResult:
        import preload_probe

        result = super().grade(task)
        return dataclasses.replace(result, extra={**result.extra, "probe_pid": preload_probe.IMPORTED_IN})


def _real(result_json: Path, student: str, submission: str) -> SubmissionResult:
    from dnn_autograder.grader.outputs.exports.from_json import submission_from_dict

    result = submission_from_dict(json.loads(result_json.read_text(encoding="utf-8")))
    return dataclasses.replace(result, student=student, submission=submission)


def _act(text: str) -> None:
    if match := re.search(r"SLEEP=([0-9.]+)", text):
        time.sleep(float(match.group(1)))
    if "CRASH" in text:
        os.kill(os.getpid(), signal.SIGKILL)
    if "HANG" in text:
        time.sleep(3600)
    if "RAISE" in text:
        raise RuntimeError("scripted failure")


#: what :meth:`WarmingEngine.warm` ran in this process: ``[pid, assignment]`` (None: it did not)
WARMED: list | None = None


class WarmingEngine(FakeEngine):
    """A fake engine with a ``warm(assignment)``, which the batch's fork server calls before it
    forks the workers; each result's ``extra`` says what its worker inherited (``warmed``:
    ``[pid, assignment]`` of the warming process, or None) and whether the warm's input reached
    the worker's environment (``warm_variable``)."""

    @staticmethod
    def warm(assignment: str | None) -> None:
        global WARMED
        WARMED = [os.getpid(), assignment]

    def grade(self, task) -> SubmissionResult:
        result = super().grade(task)
        extra = {**result.extra, "warmed": WARMED,
                 "warm_variable": os.environ.get("DNN_AUTOGRADER_FORKSERVER_WARM")}
        return dataclasses.replace(result, extra=extra)


class FailingWarmEngine(WarmingEngine):
    """A fake engine whose ``warm`` raises after it started: the batch must grade all the same."""

    @staticmethod
    def warm(assignment: str | None) -> None:
        WarmingEngine.warm(assignment)
        raise RuntimeError("scripted failure of warm")
