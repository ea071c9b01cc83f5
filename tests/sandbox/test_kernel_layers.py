"""The kernel layers hold on their own: the same hostile fixtures with the Python-level audit
hook (and seccomp, Landlock, the namespaces) switched off."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import pytest

from dnn_autograder.grader.sandbox import Sandbox

from .support import HOSTILE, LIMITS, REPO, descendants, open_sandbox, units
from .test_hostile import Listener

ALL_OPTIONAL = ("audit-hook", "seccomp", "landlock", "chroot", "tmpfs", "netns", "pidns",
                "ipcns", "userns")


@pytest.fixture(scope="module")
def fallback_sandbox() -> Any:
    """What an unprivileged grader without user namespaces gets (a container, say): no
    namespaces, no chroot, no audit hook; Landlock, seccomp and the rlimits must hold."""
    with open_sandbox(disable=("audit-hook", "userns", "chroot", "tmpfs", "netns", "pidns",
                               "ipcns")) as box:
        yield box


@pytest.fixture(scope="module")
def minimal_sandbox() -> Any:
    """Only the process, the deadline, the rlimits (and the uid drop as root)."""
    with open_sandbox(disable=ALL_OPTIONAL) as box:
        yield box


class ProcessCounter:
    """Samples how many processes a session's child and its descendants are, during a call."""

    def __init__(self, child_pid: int) -> None:
        self.root = child_pid
        self.most = 0
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        while self.running:
            self.most = max(self.most, 1 + len(descendants(self.root)))
            time.sleep(0.02)

    def stop(self) -> int:
        self.running = False
        self.thread.join()
        return self.most


@pytest.mark.parametrize("which", ["bare_sandbox", "minimal_sandbox"])
def test_fork_bomb_is_bounded_by_nproc(which: str, request: Any, world: Any) -> None:
    sandbox = request.getfixturevalue(which)
    with sandbox.session(units("fork_bomb")) as session:
        world.watch(session)
        counter = ProcessCounter(session._child.pid)
        record = session.call("hostile_quiet", ())
        most = counter.stop()
        assert (record.outcome, record.message) == ("timeout", "timed out after 1 s")
        assert most <= LIMITS.processes, f"{most} processes during the fork bomb"
        after = session.call("well_behaved", (1,))
        world.watch(session)
        assert after.value == 3
        made = session.call("count_forks", (100,))
        world.watch(session)
        assert made.outcome == "returned" and made.value <= LIMITS.processes, made


@pytest.mark.parametrize("which", ["kernel_sandbox", "bare_sandbox", "fallback_sandbox"])
def test_network_is_unreachable(which: str, request: Any, world: Any) -> None:
    sandbox = request.getfixturevalue(which)
    listener = Listener()
    try:
        with sandbox.session(units("network")) as session:
            world.watch(session)
            record = session.call("quiet", (listener.port,))
    finally:
        listener.close()
    assert record.outcome == "returned" and record.value != "connected", record
    assert listener.accepted == 0


@pytest.mark.parametrize("which", ["kernel_sandbox", "bare_sandbox", "fallback_sandbox",
                                   "minimal_sandbox"])
def test_files_outside_scratch_are_out_of_reach(which: str, request: Any, world: Any) -> None:
    sandbox = request.getfixturevalue(which)
    targets = [str(HOSTILE / "SENTINEL.txt"), str(world.tmp_sentinel)]
    if which == "minimal_sandbox":  # only the uid drop is left: world-writable places are not
        if os.geteuid() != 0:  # protected, and a non-root child writes as the grader's user
            pytest.skip("without any optional layer a non-root child writes as the grader")
    else:
        targets.append("/tmp/dnn_sandbox_pwned.txt")
    with sandbox.session(units("write_outside")) as session:
        world.watch(session)
        record = session.call("quiet", (targets,))
        inside = session.call("scratch_roundtrip", ("hello",))
        secret = session.call("quiet_read", (str(REPO / "dnn_autograder" / "reference" / "__init__.py"),))
    assert record.outcome == "returned" and "written" not in record.value, record
    assert inside.value == "hello"
    if which != "minimal_sandbox":
        assert secret.value in ("FileNotFoundError", "PermissionError"), secret


@pytest.mark.parametrize("which", ["kernel_sandbox", "bare_sandbox", "fallback_sandbox"])
def test_signals_cannot_reach_the_grader_or_the_worker(which: str, request: Any,
                                                       world: Any) -> None:
    sandbox = request.getfixturevalue(which)
    zygote = sandbox._worker.process.pid
    with sandbox.session(units("kill_parent")) as session:
        world.watch(session)
        record = session.call("kill_pids", ([os.getpid(), zygote],))
        after = session.call("well_behaved", (2,))
    assert record.outcome == "returned" and "sent" not in record.value[:2], record
    assert after.value == 5
    assert sandbox._worker.alive()


def test_bare_layers_reported(bare_sandbox: Sandbox, minimal_sandbox: Sandbox) -> None:
    bare, minimal = bare_sandbox.protections, minimal_sandbox.protections
    for layer in ("audit-hook", "seccomp", "landlock"):
        assert layer not in bare
    assert "pidns" not in minimal and "chroot" not in minimal
    assert {"process", "deadline", "rlimits"} <= set(minimal)


@pytest.mark.parametrize("which", ["sandbox", "bare_sandbox"])
def test_scratch_directory_is_size_capped(which: str, request: Any, world: Any) -> None:
    sandbox = request.getfixturevalue(which)
    if "tmpfs" not in sandbox.protections:
        pytest.skip("no mount namespace here: the scratch directory is on the host's disk")
    with sandbox.session(units("disk_bomb")) as session:
        world.watch(session)
        record = session.call("hostile", ())
        root = session._child.root
        assert os.listdir(os.path.join(root, "scratch")) == []  # nothing on the host's disk
    made, error = record.value
    assert made <= LIMITS.scratch_bytes >> 20 and error == "OSError", record
