"""Who forks the child: as root with a pid namespace, the worker clones it straight into its
namespaces (``layers.fork_into``); otherwise an intermediate process unshares them first (and,
without a pid namespace, reaps what the child leaves behind). Either way the same layers hold."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from dnn_autograder.grader.sandbox import Sandbox, units_from_source

SOURCE = "def twice(x):\n    return 2 * x\n"


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[1])


def _child_and_worker(sandbox: Sandbox) -> tuple[int, int, Any]:
    session = sandbox.session(units_from_source(SOURCE, "submission.ipynb"))
    assert session.call("twice", (21,)).value == 42
    return session._child.pid, sandbox._worker.process.pid, session


@pytest.mark.skipif(os.geteuid() != 0, reason="the direct clone is used as root")
def test_as_root_the_worker_clones_the_child_into_its_namespaces(sandbox: Sandbox) -> None:
    child, worker, session = _child_and_worker(sandbox)
    with session:
        assert _parent(child) == worker
        assert {"pidns", "netns", "ipcns", "tmpfs", "chroot", "uid-drop"} <= set(session.protections)


def test_without_a_pid_namespace_an_intermediate_reaps_the_child() -> None:
    with Sandbox(disable=["pidns"]) as sandbox:
        child, worker, session = _child_and_worker(sandbox)
        with session:
            intermediate = _parent(child)
            assert intermediate != worker and _parent(intermediate) == worker
            assert "pidns" not in session.protections
            status = sandbox._worker.request({"op": "ping"})
            assert status["ok"]
