"""Peak memory of a class batch as the class grows, measured (not asserted).

Run ``python benchmarks/bench_batch_memory.py --students 1000 10000``. For each size it builds a
class of that many small submissions and grades it with ``grade_batch(..., jobs=2)`` and the
batch tests' fake engine (``tests/batch/batch_fake_engine.py``: real extraction and result
handling, no grading), whose every result is a copy of a real one: the result of one wrong
optimization notebook graded by the real engine at the start (its failed function's
counterexample, the figure data, the messages), so the parent handles results of real size
without paying for real grading. Reports are off (``--reports`` turns them on: the workers
then render a real report per student, slowly). It prints, per size, the wall time and the peak
resident memory (psutil, sampled every 0.05 s) of the batch's process (the parent: it writes
every result file, gradebook row and class file) and of the largest other process (a worker,
or the fork server the workers are forked from). Flat memory means the peaks do not grow with
the class.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FAKE_DIR = ROOT / "tests" / "batch"
GOOD = "def forward(x):\n    return x\n\ndef backward(x):\n    return x\n\ndef update(x):\n    return x\n"


def real_result(scratch: Path) -> Path:
    """The result.json of one wrong optimization notebook graded by the real engine."""
    from dnn_autograder.grader.assignment.spec import load_assignment
    from dnn_autograder.grader.grading.pipeline import grade_submission
    from dnn_autograder.grader.handouts.mutant_submissions import mutants_by_id, write_mutant_submission
    from dnn_autograder.grader.outputs.exports.class_outputs import write_student_result

    spec = load_assignment("optimization")
    mistake = next(iter(mutants_by_id(spec).values()))
    path = write_mutant_submission(spec, mistake, scratch / "one")
    return write_student_result(scratch / "real", grade_submission(path, assignment="optimization"))


def build(class_dir: Path, students: int, result_json: Path) -> None:
    class_dir.mkdir(parents=True)
    for index in range(students):
        (class_dir / f"s{index:05d}.py").write_text(GOOD + f"# REAL={result_json}\n", encoding="utf-8")


def measure(class_dir: Path, out: Path, reports: bool) -> dict[str, float]:
    """Grade ``class_dir`` in a fresh process; its wall time and the peaks of its process tree."""
    import psutil

    command = [sys.executable, __file__, "--child", str(class_dir), str(out),
               "--reports" if reports else "--no-reports"]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT)
    parent = psutil.Process(process.pid)
    parent_rss = other_rss = 0
    while process.poll() is None:
        try:
            parent_rss = max(parent_rss, parent.memory_info().rss)
            for child in parent.children(recursive=True):
                other_rss = max(other_rss, child.memory_info().rss)
        except psutil.Error:
            pass
        time.sleep(0.05)
    if process.returncode != 0:
        raise SystemExit(f"the batch failed with exit status {process.returncode}")
    return {"wall_s": time.perf_counter() - started, "parent_mb": parent_rss / 2**20, "other_mb": other_rss / 2**20}


def child(class_dir: str, out: str, reports: bool) -> None:
    sys.path.insert(0, str(FAKE_DIR))
    from dnn_autograder.grader.classes.batch import grade_batch

    summary = grade_batch(class_dir, out, engine="batch_fake_engine:FakeEngine", jobs=2, progress=None,
                          reports=reports)
    assert summary.graded == len(list(Path(class_dir).iterdir())) and summary.internal == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--reports", action=argparse.BooleanOptionalAction, default=False)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child, args.reports)
        return 0
    scratch = Path(tempfile.mkdtemp(prefix="bench_memory_"))
    try:
        result_json = real_result(scratch)
        print(f"each result: a copy of {result_json} ({result_json.stat().st_size / 1024:.0f} kB of JSON)")
        for students in args.students:
            class_dir = scratch / f"class{students}"
            build(class_dir, students, result_json)
            measured = measure(class_dir, scratch / f"out{students}", args.reports)
            print(f"{students} submissions: {measured['wall_s']:.1f} s; peak resident memory: parent"
                  f" {measured['parent_mb']:.0f} MB, largest other process {measured['other_mb']:.0f} MB", flush=True)
            shutil.rmtree(class_dir)
            shutil.rmtree(scratch / f"out{students}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
