"""A zygote started early (``dnn_autograder.grader.sandbox_start``): the Sandbox of the process
that started it takes it, another process can be handed it, and it always ends with the last
process holding its control socket. It is the same clean exec'd interpreter as a zygote a
Sandbox starts itself: started by the trusted process, never by a forked copy of one."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _run(code: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=120, check=False, cwd=REPO)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def _handed_to_a_worker(more_args: str = "") -> str:
    """The start of a script: a zygote started early and handed to a worker process forked from a
    fork server, which serves one call from it (``early_zygote_worker.serve(conn, early{more_args})``);
    ``ours`` is the script's end of the pipe to the worker."""
    return f"""
        import multiprocessing, sys
        sys.path.insert(0, "tests/sandbox")
        import early_zygote_worker
        from dnn_autograder.grader import sandbox_start

        context = multiprocessing.get_context("forkserver")
        sandbox_start.start_early(1)
        early = sandbox_start.hand_over()
        ours, theirs = context.Pipe()
        worker = context.Process(target=early_zygote_worker.serve, args=(theirs, early{more_args}))
        worker.start()
        sandbox_start.handed(early)
"""


def test_the_sandbox_of_the_process_takes_the_zygote_started_early() -> None:
    out = _run("""
        from dnn_autograder.grader import sandbox_start
        from dnn_autograder.grader.sandbox import Sandbox, units_from_source

        assert sandbox_start.start_early(1) == 1 and sandbox_start.start_early(1) == 0  # one is waiting
        early = sandbox_start._waiting[0]
        with Sandbox(disable=["audit-hook"]) as other:  # another configuration: not that zygote
            print(other._worker.process.pid != early.process.pid, len(sandbox_start._waiting))
        with Sandbox() as sandbox:
            print(sandbox._worker.process is early.process, len(sandbox_start._waiting))
            with sandbox.session(units_from_source("def f(x):\\n    return x + 1\\n", "f.py")) as session:
                print(session.call("f", (41,)).value)
        print(early.process.returncode)  # closed with the Sandbox, which waited for it
    """)
    assert out == ["True", "1", "True", "0", "42", "0"]


def test_a_zygote_handed_to_another_process_serves_it_and_ends_with_it() -> None:
    out = _run(_handed_to_a_worker() + """
        import os
        print(early.sock.fileno())  # our copy of the control socket is closed: the worker's is the only one
        zygote, value, served_by = ours.recv()
        worker.join(30)
        print(zygote == early.process.pid, value, served_by == worker.pid)
        with open(f"/proc/{zygote}/stat") as stat:  # still ours to reap: started here, not by the worker
            print(int(stat.read().rpartition(")")[2].split()[1]) == os.getpid())
        sandbox_start.release(wait_s=10)
        print(early.process.returncode)  # it exited on its own once the worker closed its Sandbox
    """)
    assert out == ["-1", "True", "42", "True", "True", "0"]


def test_a_zygote_ends_when_the_worker_holding_it_is_killed() -> None:
    out = _run(_handed_to_a_worker(", 600.0") + """
        print(ours.recv()[1])
        worker.kill()
        worker.join(30)
        print(early.process.wait(10))  # not killed by us: it saw its socket close and exited
    """)
    assert out == ["42", "0"]


def test_zygotes_not_taken_are_closed_and_reaped() -> None:
    out = _run("""
        from dnn_autograder.grader import sandbox_start

        sandbox_start.start_early(2)
        processes = [early.process for early in sandbox_start._waiting]
        sandbox_start.release(wait_s=10)
        # each exited on its own (not killed by a signal: a negative code) when its socket closed
        print(*(p.returncode is not None and p.returncode >= 0 for p in processes), len(sandbox_start._waiting))
    """)
    assert out == ["True", "True", "0"]


def test_one_zygote_serves_several_clients_each_on_its_own() -> None:
    """Zygotes started early together are one zygote with a control socket per client: each
    client's sessions work; a client may not wait for another's session; a client that goes away
    has its children killed while the others are still served; the last one gone, it exits."""
    out = _run("""
        import os, time
        from dnn_autograder.grader import sandbox_start
        from dnn_autograder.grader.sandbox import Sandbox, units_from_source

        sandbox_start.start_early(2)
        first, second = Sandbox(), Sandbox()
        zygote = first._worker.process
        print(second._worker.process is zygote, first._worker.shared and second._worker.shared)
        units = units_from_source("def f(x):\\n    return x + 1\\n", "f.py")
        session = first.session(units)
        print(session.call("f", (1,)).value)
        child = session._child.pid
        with second._lock:  # the first's session 1 is not the second's to wait for
            print(second._worker.request({"op": "wait", "sid": 1, "timeout": 0.1}).get("error"))
        first._worker.sock.close()  # the first client goes away, its session still open
        for _ in range(100):
            if not os.path.exists(f"/proc/{child}"):
                break
            time.sleep(0.05)
        print(os.path.exists(f"/proc/{child}"), zygote.poll())  # its child killed, the zygote serving
        with second.session(units) as other:
            print(other.call("f", (41,)).value)
        second.close()  # the last client: the zygote exits, and was waited for by no Sandbox
        print(zygote.wait(10))
    """)
    assert out == ["True", "True", "2", "unknown", "session", "False", "None", "42", "0"]
