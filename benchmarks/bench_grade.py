"""Speed of grading, measured (not asserted): run `python benchmarks/bench_grade.py`.

Prints the medians of:
- cold start: a fresh `grade FILE --quiet` process per assignment (Python start-up included);
- warm: one more submission through a grading process that already graded one (cases, expected
  values and the sandbox worker are warm), correct and wrong;
- the HTML report: rendering one report with its pictures;
- a class: submissions per minute through `grade CLASS --out DIR` with 1 and 2 workers.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENTS = ("initialization", "regularization", "gradient_checking", "optimization")


def median_time(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def cold_start(repeat: int) -> dict[str, float]:
    out = {}
    for name in ASSIGNMENTS:
        master = ROOT / "dnn_autograder" / "assignments" / name / "master.ipynb"
        out[name] = median_time(
            lambda m=master: subprocess.run([sys.executable, "-m", "dnn_autograder.grader.cli", str(m), "--quiet"],
                                            check=True, cwd=ROOT), repeat)
    return out


def warm(repeat: int) -> dict[str, tuple[float, float]]:
    from dnn_autograder.grader.assignment.spec import load_assignment
    from dnn_autograder.grader.grading.pipeline import grade_submission
    from dnn_autograder.grader.handouts.mutant_submissions import mutant_source, mutants_by_id
    from dnn_autograder.grader.sandbox import Limits, Sandbox

    out = {}
    scratch = Path(tempfile.mkdtemp())
    with Sandbox(Limits()) as sandbox:
        for name in ASSIGNMENTS:
            master = ROOT / "dnn_autograder" / "assignments" / name / "master.ipynb"
            spec = load_assignment(name)
            mistake = next(iter(mutants_by_id(spec).values()))
            wrong = scratch / f"{name}_wrong.py"
            wrong.write_text(mutant_source(spec, mistake))
            grade_submission(master, sandbox=sandbox)  # warm the suites
            right_s = median_time(lambda m=master: grade_submission(m, sandbox=sandbox), repeat)
            wrong_s = median_time(lambda w=wrong, n=name: grade_submission(w, assignment=n, sandbox=sandbox), repeat)
            out[name] = (right_s, wrong_s)
    shutil.rmtree(scratch)
    return out


def html(repeat: int) -> float:
    from dnn_autograder.grader.grading.pipeline import grade_submission
    from dnn_autograder.grader.outputs.render.html import render_report

    result = grade_submission(ROOT / "tests" / "fixtures" / "submissions" / "course_style_optimization.ipynb")
    render_report(result)  # matplotlib's import is paid once per process
    return median_time(lambda: render_report(result), repeat)


def batch(students: int) -> dict[int, float]:
    out = {}
    with tempfile.TemporaryDirectory() as scratch:
        klass = Path(scratch) / "class"
        sources = sorted((ROOT / "tests" / "fixtures" / "submissions").glob("solution_*.py"))
        for i in range(students):
            folder = klass / f"student{i:03d}"
            folder.mkdir(parents=True)
            shutil.copy(sources[i % len(sources)], folder / "solution.py")
        for jobs in (1, 2):
            target = Path(scratch) / f"out{jobs}"
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "dnn_autograder.grader.cli", str(klass), "--out", str(target),
                            "--jobs", str(jobs), "--quiet"], check=True, cwd=ROOT)
            out[jobs] = students / (time.perf_counter() - started) * 60
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--students", type=int, default=24)
    args = parser.parse_args()
    print("cold start, one assignment (s):")
    for name, seconds in cold_start(args.repeat).items():
        print(f"  {name:20s} {seconds:.2f}")
    print("warm, one more submission (s): correct / with a catalogued mistake")
    for name, (right, wrong) in warm(args.repeat).items():
        print(f"  {name:20s} {right:.3f} / {wrong:.3f}")
    print(f"HTML report with pictures (s): {html(args.repeat):.3f}")
    print(f"class of {args.students} (submissions per minute):")
    for jobs, rate in batch(args.students).items():
        print(f"  --jobs {jobs}: {rate:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
