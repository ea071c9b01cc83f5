"""The Sandbox object: its worker, its slots, its limits, its lifecycle."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import numpy as np
import pytest

from dnn_autograder.grader.errors import SandboxUnavailable
from dnn_autograder.grader.sandbox import Limits, Sandbox, units_from_source

from .support import REPO, open_sandbox

CODE = '''\
import time

import numpy as np


def draw():
    return np.random.rand(2)


def burn(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
    return seconds


def square(x):
    return x * x
'''


def test_limits_are_validated() -> None:
    with pytest.raises(ValueError, match="call_timeout_s"):
        Limits(call_timeout_s=0)
    with pytest.raises(ValueError, match="output_stop_bytes"):
        Limits(output_bytes=100, output_stop_bytes=10)
    with pytest.raises(ValueError, match="disabled"):
        Sandbox(disable=["rlimits"])


def test_fresh_sessions_are_deterministic(sandbox: Sandbox) -> None:
    values = []
    for _ in range(2):
        with sandbox.session(units_from_source(CODE)) as session:
            values.append(session.call("draw", ()).value)
    np.testing.assert_array_equal(values[0], values[1])


def test_worker_is_restarted_after_it_dies(world: Any) -> None:
    with open_sandbox() as sandbox:
        with sandbox.session(units_from_source(CODE)) as session:
            world.watch(session)
            assert session.call("square", (3,)).value == 9
            os.kill(sandbox._worker.process.pid, signal.SIGKILL)
            sandbox._worker.process.wait()
            _wait_until_dead(session._child.pid)  # the worker's children die with it
            lost = session.call("square", (4,))
            assert lost.outcome == "crashed", lost
            assert session.call("square", (5,)).value == 25
            world.watch(session)
        with sandbox.session(units_from_source(CODE)) as session:
            world.watch(session)
            assert session.call("square", (6,)).value == 36
    assert sandbox._closed


def _wait_until_dead(pid: int) -> None:
    for _ in range(200):
        try:
            state = open(f"/proc/{pid}/stat").read().rpartition(")")[2].split()[0]
        except OSError:
            return
        if state == "Z":
            return
        time.sleep(0.01)
    raise AssertionError(f"process {pid} is still alive")


def test_close_ends_open_sessions(world: Any) -> None:
    sandbox = open_sandbox()
    session = sandbox.session(units_from_source(CODE))
    world.watch(session)
    sandbox.close()
    sandbox.close()
    with pytest.raises(SandboxUnavailable):
        session.call("square", (2,))
    with pytest.raises(SandboxUnavailable):
        sandbox.session(())


def test_cpu_limit_kills_and_near_limit_recycles(world: Any) -> None:
    limits = Limits(call_timeout_s=10, cpu_seconds=1, memory_bytes=512 << 20)
    with open_sandbox(limits) as sandbox:
        with sandbox.session(units_from_source(CODE)) as session:
            world.watch(session)
            record = session.call("burn", (5.0,))
            assert (record.outcome, record.message) == (
                "timeout", "used more than its 1 s of CPU time"), record
            assert session.call("square", (2,)).value == 4
            world.watch(session)


def test_concurrent_sessions(sandbox: Sandbox, world: Any) -> None:
    results: dict[int, list[Any]] = {}

    def student(number: int) -> None:
        with sandbox.session(units_from_source(CODE)) as session:
            world.watch(session)
            results[number] = [session.call("square", (number,)).value,
                               session._uid[0] if session._uid else None]
            time.sleep(0.2)

    threads = [threading.Thread(target=student, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [results[n][0] for n in range(4)] == [0, 1, 4, 9]
    if os.geteuid() == 0:
        uids = [results[n][1] for n in range(4)]
        assert len(set(uids)) == 4 and all(60000 <= uid < 61000 for uid in uids)


def test_protections_are_reported_once(sandbox: Sandbox) -> None:
    assert sandbox.protections is sandbox.protections
    assert sandbox.protections[:2] == ("process", "deadline")


GRADER_THAT_DIES = '''
import sys
from dnn_autograder.grader.sandbox import Sandbox, units_from_source
sandbox = Sandbox()
session = sandbox.session(units_from_source("def f():\\n    return 1\\n"))
print(session._child.root, session._child.pid, sandbox._worker.process.pid, flush=True)
sys.stdin.read()
'''


def test_a_killed_grader_leaves_nothing_behind() -> None:
    grader = subprocess.Popen([sys.executable, "-c", GRADER_THAT_DIES], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, cwd=REPO)
    assert grader.stdout is not None
    root, child, worker = grader.stdout.readline().split()
    assert os.path.isdir(root)
    grader.kill()
    grader.wait()
    for pid in (int(child), int(worker)):
        _wait_until_dead(pid)
    for _ in range(200):
        if not os.path.exists(root):
            break
        time.sleep(0.01)
    assert not os.path.exists(root)
