"""``grade CLASS --out OUT`` starts the workers' fork server before its own work (layout, banks),
so the fork server's imports overlap it; a batch that will skip its students does not. The
batch starts its workers' sandbox zygote (one, serving all of them) before it forks them and
hands each worker its control socket; ``grade FILE`` starts its zygote before it imports the
grader."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


#: what a script runs first to record each zygote started: ``started``, its ``(Popen, clients)``
_LAUNCHES = """\
from dnn_autograder.grader import sandbox_start as _spied

started = []
_launch = _spied.launch


def _spy(*args, **kwargs):
    process, socks = _launch(*args, **kwargs)
    started.append((process, len(socks)))
    return process, socks


_spied.launch = _spy
"""


def _run(code: str, *, launches: bool = False) -> str:
    """What ``code`` prints, run in a fresh Python (after :data:`_LAUNCHES` with ``launches``)."""
    script = (_LAUNCHES if launches else "") + textwrap.dedent(code)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300, check=False, cwd=HERE)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_fork_server_starts_only_for_a_batch_that_grades(tmp_path: Path) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "gradebook.sqlite").write_bytes(b"")
    out = _run(f"""
        import multiprocessing.forkserver as mf, sys
        sys.path.insert(0, {str(HERE)!r})
        from dnn_autograder.grader.classes.forkserver_start import start_for_batch
        engine = "batch_fake_engine:FakeEngine"
        print(start_for_batch({str(tmp_path / "old")!r}, engine=engine), mf._forkserver._forkserver_pid is None)
        print(start_for_batch({str(tmp_path / "new")!r}, engine=engine), mf._forkserver._forkserver_pid is None)
        print("heavy" if "dnn_autograder.grader.classes.batch" in sys.modules else "light")
    """)
    assert out.split("\n")[:3] == ["False True", "True False", "light"]


def test_grade_starts_the_fork_server_before_recognising_the_class(tmp_path: Path) -> None:
    """The command line's own steps (here the layout guess) run while the fork server preloads."""
    (tmp_path / "class" / "alice").mkdir(parents=True)
    (tmp_path / "class" / "alice" / "work.py").write_text("def f():\n    return 1\n", encoding="utf-8")
    out = _run(f"""
        import multiprocessing.forkserver as mf
        from dnn_autograder.grader import cli

        def layout(path, how):
            print("started" if mf._forkserver._forkserver_pid is not None else "not started")
            raise SystemExit(0)

        cli._is_class = layout
        cli.main([{str(tmp_path / "class")!r}, "--out", {str(tmp_path / "out")!r}, "--quiet"])
    """)
    assert out.strip() == "started"


def test_the_workers_share_one_zygote_started_before_they_are_forked(tmp_path: Path) -> None:
    """An engine that runs a Sandbox in each worker (``SANDBOXED``): the batch starts one zygote
    for its two workers before forking them, each worker's Sandbox is a client of it, and the
    batch's process reaps it at the end, once it exited on its own (not killed) with its last
    client. An engine without ``SANDBOXED`` gets no zygote from the batch."""
    for name in ("a", "b", "c", "d"):
        (tmp_path / "class").mkdir(exist_ok=True)
        (tmp_path / "class" / f"{name}.py").write_text("def forward():\\n    return 1\\n", encoding="utf-8")
    out = _run(f"""
        import json, subprocess, sys
        sys.path.insert(0, {str(HERE)!r})
        from dnn_autograder.grader import sandbox_start
        from dnn_autograder.grader.classes.batch import grade_batch

        grade_batch({str(tmp_path / "class")!r}, {str(tmp_path / "plain")!r},
                    engine="batch_fake_engine:FakeEngine", jobs=2, progress=None)
        plain = len(started)
        summary = grade_batch({str(tmp_path / "class")!r}, {str(tmp_path / "out")!r},
                              engine="zygote_engine:ZygoteEngine", jobs=2, progress=None)
        print(json.dumps({{
            "plain": plain, "launched": [count for _, count in started],
            "doubles": sorted({{r.extra["double"] for r in summary.results}}),
            "workers": len({{r.extra["worker_pid"] for r in summary.results}}),
            "zygote": {{r.extra["zygote_pid"] for r in summary.results}} == {{started[0][0].pid}},
            "exited": [p.returncode for p, _ in started],
            "left": len(sandbox_start._waiting) + len(sandbox_start._handed)}}))
    """, launches=True)
    assert json.loads(out) == {"plain": 0, "launched": [2], "doubles": [42], "workers": 2, "zygote": True,
                               "exited": [0], "left": 0}


def test_grade_starts_the_zygote_of_a_file_before_importing_the_grader(tmp_path: Path) -> None:
    (tmp_path / "work.py").write_text("def f():\n    return 1\n", encoding="utf-8")
    out = _run(f"""
        import sys
        from dnn_autograder.grader import cli, sandbox_start

        taken = []
        take = sandbox_start.take

        def spy(*args):
            early = take(*args)
            taken.append(early is not None and early.process.pid)
            return early

        sandbox_start.take = spy
        def layout(path, how):
            print(len(sandbox_start._waiting), "dnn_autograder.grader.grading.pipeline" in sys.modules)
            return False

        cli._is_class = layout
        cli.main([{str(tmp_path / "work.py")!r}, "--assignment", "optimization", "--quiet"])
        print(len(taken), bool(taken[0]))
    """)
    assert out.split() == ["1", "False", "1", "True"]


@pytest.mark.parametrize(("students", "clients"), [(4, 3), (1, 1)])
def test_grade_starts_the_workers_zygote_with_their_fork_server(tmp_path: Path, students: int,
                                                                 clients: int) -> None:
    """``grade CLASS --out OUT --jobs 3`` starts one zygote with a client for each worker it may
    start (no more than the class folder has entries), before recognising the class (so its
    start overlaps the command line's own work)."""
    for index in range(students):
        (tmp_path / "class" / f"s{index}").mkdir(parents=True)
        (tmp_path / "class" / f"s{index}" / "work.py").write_text("def f():\n    return 1\n", encoding="utf-8")
    out = _run(f"""
        import multiprocessing.forkserver as mf
        from dnn_autograder.grader import cli, sandbox_start

        def layout(path, how):
            waiting = sandbox_start._waiting
            print(mf._forkserver._forkserver_pid is not None, len(waiting),
                  len({{early.process.pid for early in waiting}}), all(early.shared for early in waiting))
            raise SystemExit(0)

        cli._is_class = layout
        cli.main([{str(tmp_path / "class")!r}, "--out", {str(tmp_path / "out")!r}, "--jobs", "3", "--quiet"])
    """)
    assert out.split() == ["True", str(clients), "1", str(clients > 1)]


def test_clients_of_the_early_zygote_a_small_class_does_not_need_are_closed(tmp_path: Path) -> None:
    """One student (beside a file that is no submission) and ``--jobs 2``: one worker takes one
    client; the other client is closed at the end, and the zygote exits on its own (status 0) and
    is reaped; nothing is left waiting."""
    (tmp_path / "class" / "alice").mkdir(parents=True)
    (tmp_path / "class" / "notes.txt").write_text("not a submission\n", encoding="utf-8")
    (tmp_path / "class" / "alice" / "work.py").write_text(
        "import numpy as np\n\ndef update_lr(learning_rate0, epoch_num, decay_rate):\n"
        "    return learning_rate0 / (1 + decay_rate * epoch_num)\n", encoding="utf-8")
    out = _run(f"""
        import json
        from dnn_autograder.grader import cli, sandbox_start

        code = cli.main([{str(tmp_path / "class")!r}, "--out", {str(tmp_path / "out")!r}, "--jobs", "2",
                         "--assignment", "optimization", "--quiet"])
        print(json.dumps({{"code": code, "launched": [n for _, n in started],
                          "exited": [p.returncode for p, _ in started],
                          "left": len(sandbox_start._waiting) + len(sandbox_start._handed)}}))
    """, launches=True)
    result = json.loads(out.strip().splitlines()[-1])
    assert result["launched"] == [2] and result["exited"] == [0] and result["left"] == 0, result
    score = json.loads((tmp_path / "out" / "alice" / "result.json").read_text(encoding="utf-8"))
    assert [f["status"] for a in score["assignments"] for f in a["functions"] if f["name"] == "update_lr"] == ["passed"]
