"""``grade CLASS --out OUT`` starts the workers' fork server before its own work (layout, banks),
so the fork server's imports overlap it; a batch that will skip its students does not."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
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
