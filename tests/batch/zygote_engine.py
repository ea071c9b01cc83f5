"""A fake engine (``batch_fake_engine``'s scores) that builds a real Sandbox, as the pipeline's
engine does; each result's ``extra`` says which sandbox zygote the worker's Sandbox runs
(``zygote_pid``), which process graded (``worker_pid``), and what ``double(21)`` returned in it."""

from __future__ import annotations

import dataclasses

from batch_fake_engine import FakeEngine

from dnn_autograder.grader.model import SubmissionResult
from dnn_autograder.grader.sandbox import Sandbox, units_from_source


class ZygoteEngine(FakeEngine):
    SANDBOXED = True  #: as the pipeline's engine: the batch starts the workers' zygote

    def __init__(self) -> None:
        super().__init__()
        self.sandbox = Sandbox()

    def grade(self, task) -> SubmissionResult:
        result = super().grade(task)
        with self.sandbox.session(units_from_source("def double(x):\n    return 2 * x\n", "w.py")) as session:
            value = session.call("double", (21,)).value
        extra = {**result.extra, "zygote_pid": self.sandbox._worker.process.pid, "double": value}
        return dataclasses.replace(result, extra=extra)

    def close(self) -> None:
        self.sandbox.close()
