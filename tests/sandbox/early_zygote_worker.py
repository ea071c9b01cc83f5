"""Run in another process by ``test_early_zygote.py``: adopt a zygote started early by the test's
process, grade one call in a Sandbox built on it, and say which zygote served it."""

from __future__ import annotations

import os
import time
from multiprocessing.connection import Connection

from dnn_autograder.grader import sandbox_start
from dnn_autograder.grader.sandbox import Sandbox, units_from_source


def serve(conn: Connection, early: sandbox_start.Early, linger_s: float = 0.0) -> None:
    """Adopt ``early``, call ``double(21)`` in a session of a Sandbox, send
    ``(zygote pid, value, this pid)``; then wait ``linger_s`` before closing (a test kills it)."""
    sandbox_start.adopt(early)
    with Sandbox() as sandbox:
        with sandbox.session(units_from_source("def double(x):\n    return 2 * x\n", "w.py")) as session:
            record = session.call("double", (21,))
        conn.send((sandbox._worker.process.pid, record.value, os.getpid()))
        time.sleep(linger_s)
