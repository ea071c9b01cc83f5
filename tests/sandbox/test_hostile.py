"""One hostile fixture per threat, graded through Sandbox/Session directly.

Each test asserts the precise outcome and message of the hostile call, that a well-behaved
function of the same submission still returns the right value afterwards, and (in the ``world``
fixture's teardown) that nothing changed outside: sentinels in the repo and /tmp, no new files
of the sandbox, no stray processes, the worker and this process alive.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from .support import HOSTILE, REPO, units


@dataclass(frozen=True)
class Case:
    id: str
    fixture: str
    function: str
    outcome: str
    message: str
    args: Callable[[Any], tuple] = field(default=lambda ctx: ())


def _paths(ctx: Any) -> tuple:
    return ([ctx.tmp_target, str(HOSTILE / "SENTINEL.txt"), str(HOSTILE / "pwned.py"),
             str(ctx.tmp_sentinel)],)


CASES = [
    Case("infinite-loop", "infinite_loop", "hostile", "timeout", "timed out after 1 s"),
    Case("sleep", "sleep_forever", "hostile", "timeout", "timed out after 1 s"),
    Case("ignores-signals", "ignore_signals", "hostile", "timeout", "timed out after 1 s"),
    Case("memory-at-once", "memory_bomb", "hostile", "memory",
         "exceeded the 512 MiB memory limit"),
    Case("memory-slowly", "memory_bomb", "hostile_slow", "memory",
         "exceeded the 512 MiB memory limit"),
    Case("fork-bomb", "fork_bomb", "hostile", "violation", "tried to start a process"),
    Case("recursion", "recursion_bomb", "hostile", "raised",
         "raised RecursionError: maximum recursion depth exceeded"),
    Case("c-stack-overflow", "recursion_bomb", "hostile_c_stack", "crashed",
         "killed by signal SIGSEGV"),
    Case("output-flood", "output_flood", "hostile", "output-limit",
         "printed more than 1 MiB of output"),
    Case("huge-return", "huge_return", "hostile", "unsupported-return",
         "returned larger than the 16 MiB limit"),
    Case("deep-return", "huge_return", "deep", "unsupported-return", "nested deeper than 32"),
    Case("cyclic-return", "huge_return", "cyclic", "unsupported-return", "nested deeper than 32"),
    Case("function-return", "huge_return", "a_function", "unsupported-return",
         "returned a function, which the grader cannot receive"),
    Case("generator-return", "huge_return", "a_generator", "unsupported-return",
         "returned a generator"),
    Case("object-return", "huge_return", "an_object", "unsupported-return",
         "returned an object of type Model"),
    Case("object-array-return", "huge_return", "object_array", "unsupported-return",
         "a numpy array of dtype object"),
    Case("sys-exit", "exits", "hostile", "exited", "exited the interpreter (sys.exit)"),
    Case("builtin-exit", "exits", "builtin_exit", "exited", "exited the interpreter (sys.exit)"),
    Case("os-exit", "exits", "hard_exit", "exited", "exited the interpreter (os._exit(7))"),
    Case("os-abort", "exits", "abort", "exited", "exited the interpreter (os.abort())"),
    Case("kill-parent", "kill_parent", "hostile", "violation",
         "tried to send a signal to another process"),
    Case("network", "network", "hostile", "violation", "tried to open a network connection",
         lambda ctx: (ctx.port,)),
    Case("write-outside", "write_outside", "hostile", "violation",
         "tried to write a file outside its scratch directory", _paths),
    Case("import-grader", "read_grader", "hostile", "violation", "tried to import the grader"),
    Case("import-reference", "read_grader", "import_reference", "violation",
         "tried to import the grader"),
    Case("import-package", "read_grader", "import_package", "violation",
         "tried to import the grader"),
    Case("read-reference", "read_grader", "read_file", "violation",
         "tried to read a file outside its scratch directory",
         lambda ctx: (str(REPO / "dnn_autograder" / "grader" / "sandbox" / "__init__.py"),)),
    Case("gc-scan", "read_grader", "scan_objects", "violation",
         "tried to inspect the interpreter's objects"),
    Case("subprocess", "escapes", "hostile", "violation", "tried to start a process"),
    Case("os-system", "escapes", "system", "violation", "tried to start a process"),
    Case("ctypes", "escapes", "native", "violation", "tried to call native code through ctypes"),
    Case("channel-garbage", "escapes", "channel_garbage", "violation",
         "sent malformed data to the grader"),
    Case("forged-array", "escapes", "forged_array", "violation",
         "sent malformed data to the grader"),
    Case("announced-flood", "escapes", "announced_flood", "unsupported-return",
         # return_bytes (16 MiB) + recorded stand-in calls and their answers (2 x 4 MiB) + 1 MiB
         "sent back 1024 GiB of data, over the grader's 25 MiB, more than the grader accepts; it was refused unread"),
    Case("pickle-object", "pickle_payload", "hostile", "unsupported-return",
         "returned an object of type Payload"),
    Case("pickle-bytes", "pickle_payload", "as_bytes", "unsupported-return",
         "returned a bytes object"),
    Case("pickle-nested", "pickle_payload", "nested", "unsupported-return",
         "an object of type Payload"),
]


class Listener:
    """A TCP server on localhost that records any connection (there must be none)."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.1)
        self.port = self.server.getsockname()[1]
        self.accepted = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while self.running:
            try:
                conn, _ = self.server.accept()
            except OSError:
                continue
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self.running = False
        self.thread.join()
        self.server.close()


class Context:
    def __init__(self, world: Any, listener: Listener) -> None:
        self.port = listener.port
        self.tmp_target = "/tmp/dnn_sandbox_pwned.txt"
        self.tmp_sentinel = world.tmp_sentinel


@pytest.fixture
def listener() -> Any:
    server = Listener()
    yield server
    server.close()
    assert server.accepted == 0, "the sandbox reached a server on localhost"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_call_is_contained(case: Case, sandbox: Any, world: Any, listener: Any) -> None:
    with sandbox.session(units(case.fixture)) as session:
        world.watch(session)
        record = session.call(case.function, case.args(Context(world, listener)))
        assert record.outcome == case.outcome, record
        assert case.message in record.message, record.message
        after = session.call("well_behaved", (20,))
        world.watch(session)
        assert (after.outcome, after.value) == ("returned", 41), after
    assert not (HOSTILE / "pwned.py").exists()


def test_hostile_output_is_cleaned(sandbox: Any, world: Any) -> None:
    with sandbox.session(units("binary_garbage")) as session:
        world.watch(session)
        record = session.call("hostile", (1,))
    assert (record.outcome, record.value) == ("returned", 3)
    assert "ALL TESTS PASSED" in record.output
    for raw in ("\x1b", "\x00", "\x07", "\u202e", "\xff"):
        assert raw not in record.output
    assert "\\x1b[2J" in record.output and "\\u202e" in record.output


def test_fake_results_are_only_output(sandbox: Any, world: Any) -> None:
    with sandbox.session(units("fake_results")) as session:
        record = session.call("hostile", (5,))
    assert record.value == 5 and "score = 100/100" in record.output


def test_chatty_function_keeps_its_value_and_a_capped_output(sandbox: Any, world: Any) -> None:
    with sandbox.session(units("output_flood")) as session:
        record = session.call("chatty", (2,))
    assert (record.outcome, record.value) == ("returned", 5)
    assert record.output.startswith("step 0: x = 2\n")
    assert record.output.endswith("more bytes dropped]")
    assert len(record.output) < 4096 + 100


def test_monkeypatching_does_not_reach_the_next_call(sandbox: Any, world: Any) -> None:
    import numpy as np

    a, b = np.arange(3.0), np.ones(3)
    with sandbox.session(units("monkeypatch")) as session:
        assert session.call("hostile", ()).value == "patched"
        record = session.call("uses_dot", (a, b))
    assert record.value == (3.0, 3)


def test_threads_left_running_are_gone_before_the_next_call(sandbox: Any, world: Any) -> None:
    import numpy as np

    with sandbox.session(units("threads_left")) as session:
        first = session.call("hostile", ())
        world.watch(session)
        pid = session._child.pid
        record = session.call("uses_add", (np.ones(2), np.ones(2)))
        world.watch(session)
        assert session._child.pid != pid
    assert first.value == "started"
    assert record.value.tolist() == [2.0, 2.0]


def test_no_grader_module_is_loaded_in_the_child(sandbox: Any, world: Any) -> None:
    with sandbox.session(units("read_grader")) as session:
        assert session.call("loaded_grader_modules", ()).value == []


def test_protections_as_this_user(sandbox: Any) -> None:
    import os

    layers = sandbox.protections
    for layer in ("process", "deadline", "rlimits", "no-new-privs", "audit-hook", "output-cap"):
        assert layer in layers
    if os.geteuid() == 0:
        for layer in ("uid-drop", "pidns", "netns", "chroot"):
            assert layer in layers
