"""A class benchmark, measured (not asserted): run `python benchmarks/bench_class.py`.

Builds a class like the one of issue 17: course-style optimization notebooks made from the
assignment's master notebook, each with a 2000-iteration training cell (which the grader never
runs); the first ones are correct, the rest each carry one catalogued mistake, the mutant of a
catalogue entry put in place of the master's function. Then it runs
``grade CLASS --out OUT --jobs N --assignment optimization`` (reports and summary included; the
assignment is named so that another assignment's case bank being rewritten cannot stop the run)
and prints the class wall time, the time per student, the CPU time of all the run's processes
(getrusage; this process is their subreaper), then, from a second run, the peak memory (psutil)
of the parent process and of its largest worker, and the machine's load average before and
after. Through Dask the CPU time is that of ``grade`` and what it started, not of the cluster's
workers. ``--scheduler local`` runs the same class
through the Dask backend on a local cluster too; ``--profile`` profiles one wrong submission
graded in a warm process (cProfile, top functions by cumulative time).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "optimization"

TRAINING_CELL = '''\
# Train a 2-layer network with Adam for 2000 iterations (the grader never runs this cell).
np.random.seed(3)
X = np.random.randn(2, 300)
Y = (X[0:1] * X[1:2] > 0).astype(float)
parameters = {"W1": np.random.randn(5, 2) * 0.1, "b1": np.zeros((5, 1)),
              "W2": np.random.randn(1, 5) * 0.1, "b2": np.zeros((1, 1))}
v, s = initialize_adam(parameters)
costs = []
for t in range(1, 2001):
    Z1 = parameters["W1"] @ X + parameters["b1"]
    A1 = np.maximum(0, Z1)
    A2 = 1 / (1 + np.exp(-(parameters["W2"] @ A1 + parameters["b2"])))
    costs.append(float(-np.mean(Y * np.log(A2 + 1e-12) + (1 - Y) * np.log(1 - A2 + 1e-12))))
    dZ2 = (A2 - Y) / X.shape[1]
    dA1 = parameters["W2"].T @ dZ2
    dZ1 = dA1 * (Z1 > 0)
    grads = {"dW1": dZ1 @ X.T, "db1": dZ1.sum(axis=1, keepdims=True),
             "dW2": dZ2 @ A1.T, "db2": dZ2.sum(axis=1, keepdims=True)}
    parameters, v, s, _, _ = update_parameters_with_adam(parameters, grads, v, s, t, 0.01)
print("final cost", costs[-1])
'''


def build_class(target: Path, students: int, wrong: int) -> dict[str, str]:
    """Write ``students`` notebooks into ``target``; return ``{student: mistake id or ""}``."""
    import nbformat

    from dnn_autograder.grader.assignment.spec import load_assignment
    from dnn_autograder.grader.handouts.mutant_submissions import mutant_source, mutants_by_id

    spec = load_assignment(ASSIGNMENT)
    master = nbformat.read(spec.folder / "master.ipynb", as_version=4)
    master.cells.append(nbformat.v4.new_code_cell(TRAINING_CELL))
    mistakes = list(mutants_by_id(spec).values())
    target.mkdir(parents=True)
    made: dict[str, str] = {}
    for index in range(students):
        notebook = copy.deepcopy(master)
        mistake = mistakes[index % len(mistakes)] if index >= students - wrong else None
        if mistake is not None:
            header = f"# GRADED FUNCTION: {mistake.function}"
            cell = next(c for c in notebook.cells if c.cell_type == "code" and c.source.startswith(header))
            cell.source = header + "\n\n" + mutant_source(spec, mistake)
        name = f"student{index:03d}"
        nbformat.write(notebook, target / f"{name}.ipynb")
        made[name] = mistake.id if mistake else ""
    return made


def run_grade(klass: Path, out: Path, extra: list[str]) -> dict[str, float]:
    """Run ``grade klass --out out ...`` twice in a fresh process: its wall time and the CPU time of
    all its processes (nothing else running in this process meanwhile), then, into a second output
    folder, its peak memory.

    ``cpu_s`` is the CPU time (user + system) of every process of the run (:func:`timed`: this
    process is the subreaper of the ones left behind). Unlike the wall time it hardly depends on
    what else the machine is doing, so it is the number to project from. Memory is sampled with
    psutil (every 0.1 s, resident set size) in the second run only, because sampling a tree of
    processes ten times a second itself costs CPU on 2 cores: the ``grade`` process itself (the
    parent) and the largest other process under this benchmark (a grading worker, a Dask worker
    of a local cluster, or a sandbox child)."""
    command = [sys.executable, "-m", "dnn_autograder.grader.cli", str(klass), "--out", str(out), "--quiet",
               "--assignment", ASSIGNMENT, *extra]

    def run() -> None:
        if subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL).returncode != 0:
            raise SystemExit("grade failed")

    wall, cpu = timed(run, orphans="--scheduler" not in extra)
    again = out.with_name(out.name + "_memory")
    shutil.rmtree(again, ignore_errors=True)  # else the second run skips the unchanged students
    memory = sampled_memory([*command[:5], str(again), *command[6:]])
    return {"wall_s": wall, "cpu_s": cpu, **memory}


def sampled_memory(command: list[str]) -> dict[str, float]:
    """Peak resident memory (MB) of the ``grade`` process and of its largest descendant, sampled
    every 0.1 s with psutil while ``command`` runs (zeros without psutil)."""
    try:
        import psutil
    except ImportError:
        return {"parent_mb": 0.0, "worker_mb": 0.0}
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
    parent = worker = 0
    while process.poll() is None:
        for proc in psutil.Process().children(recursive=True):
            try:
                rss = proc.memory_info().rss
            except psutil.Error:
                continue
            if proc.pid == process.pid:
                parent = max(parent, rss)
            else:
                worker = max(worker, rss)
        time.sleep(0.1)
    if process.returncode != 0:
        raise SystemExit(f"grade failed with exit status {process.returncode}")
    if "--scheduler" not in command:
        reap_orphans()
    return {"parent_mb": parent / 2**20, "worker_mb": worker / 2**20}


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def become_subreaper() -> bool:
    """Make this process the reaper of its orphaned descendants (Linux ``PR_SET_CHILD_SUBREAPER``).

    A process whose parent exits before it is adopted by us instead of by init, and reaping it
    (:func:`reap_orphans`) adds its CPU time, and that of the processes it reaped, to our
    ``RUSAGE_CHILDREN``: without it the CPU of processes left behind (a sandbox's zygote, a kernel)
    is not counted."""
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def reap_orphans(grace_s: float = 10.0) -> bool:
    """Wait for every remaining descendant (adopted orphans), at most ``grace_s``; whether some are left."""
    deadline = time.monotonic() + grace_s
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return False
        if pid == 0:
            if time.monotonic() > deadline:
                return True  # still running: not counted
            time.sleep(0.05)


def timed(run, orphans: bool = True) -> tuple[float, float]:
    """Wall time of ``run()``, and the CPU time of all the processes it started (once they are
    reaped; ``orphans=False``: not waiting for descendants this process keeps, a local Dask
    cluster's workers)."""
    cpu, started = children_cpu(), time.perf_counter()
    run()
    wall = time.perf_counter() - started
    if orphans and reap_orphans():
        print("  (some processes were still running 10 s after the tool ended: their CPU is not counted)")
    return wall, children_cpu() - cpu


def grades(out: Path) -> dict[str, float]:
    """``{student: score}`` from a class output folder's results.json."""
    data = json.loads((out / "results.json").read_text())
    return {s["student"]: s["score"] for s in data["submissions"]}


def profile_wrong(klass: Path, made: dict[str, str], top: int) -> None:
    """cProfile one wrong submission graded in a process that has graded one already."""
    import cProfile
    import pstats

    from dnn_autograder.grader.grading.pipeline import grade_submission
    from dnn_autograder.grader.outputs.exports.class_outputs import write_student_report
    from dnn_autograder.grader.sandbox import Limits, Sandbox

    wrong = next(s for s, m in made.items() if m)
    right = next(s for s, m in made.items() if not m)
    scratch = Path(tempfile.mkdtemp())
    with Sandbox(Limits()) as sandbox:
        warm = grade_submission(klass / f"{right}.ipynb", sandbox=sandbox)
        write_student_report(scratch / "warm", warm)
        profiler = cProfile.Profile()
        profiler.enable()
        result = grade_submission(klass / f"{wrong}.ipynb", sandbox=sandbox)
        write_student_report(scratch / "wrong", result)
        profiler.disable()
    shutil.rmtree(scratch)
    print(f"\nprofile of one wrong submission ({wrong}, mistake {made[wrong]}), warm process:")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(top)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--wrong", type=int, default=10, help="students with one catalogued mistake")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--scheduler", default=None,
                        help="also grade through Dask: a scheduler address, or 'local' for a LocalCluster")
    parser.add_argument("--profile", action="store_true", help="profile one wrong submission")
    parser.add_argument("--keep", default=None, help="build the class here and keep it")
    args = parser.parse_args()
    scratch = Path(args.keep or tempfile.mkdtemp(prefix="bench_class_"))
    klass = scratch / "class"
    if klass.exists():
        shutil.rmtree(klass)
    made = build_class(klass, args.students, args.wrong)
    become_subreaper()
    print(f"class: {args.students} notebooks ({args.wrong} with one catalogued mistake) in {klass}")
    print(f"cpus: {os.cpu_count()}, load average before: {os.getloadavg()}")
    out = scratch / "out_local"
    shutil.rmtree(out, ignore_errors=True)
    local = run_grade(klass, out, ["--jobs", str(args.jobs)])
    _print_run(f"grade CLASS --out OUT --jobs {args.jobs}", local, args.students)
    local_grades = grades(out)
    if args.scheduler:
        out_dask = scratch / "out_dask"
        shutil.rmtree(out_dask, ignore_errors=True)
        with _scheduler(args.scheduler, args.jobs) as address:
            dask = run_grade(klass, out_dask, ["--scheduler", address])
        _print_run(f"grade CLASS --out OUT --scheduler {args.scheduler} ({args.jobs} workers)", dask, args.students)
        same = grades(out_dask) == local_grades
        print(f"  grades identical to the local pool's: {same}")
    if args.profile:
        profile_wrong(klass, made, 30)
    if not args.keep:
        shutil.rmtree(scratch)
    return 0


def _print_run(title: str, measured: dict[str, float], students: int) -> None:
    print(title)
    print(f"  class wall time: {measured['wall_s']:.2f} s (Python start-up included);"
          f" {measured['wall_s'] / students:.3f} s per student")
    print(f"  CPU time of all its processes: {measured['cpu_s']:.2f} s; {measured['cpu_s'] / students:.3f} s per"
          " student (getrusage of the reaped processes)")
    print(f"  peak resident memory: parent {measured['parent_mb']:.0f} MB, largest other process"
          f" {measured['worker_mb']:.0f} MB (a second run, sampled every 0.1 s with psutil; 0 without it)")
    print(f"  load average after: {os.getloadavg()}")


class _scheduler:
    """A Dask scheduler address: the one given, or a LocalCluster of ``workers`` processes."""

    def __init__(self, spec: str, workers: int) -> None:
        self._spec, self._workers, self._cluster = spec, workers, None

    def __enter__(self) -> str:
        if self._spec != "local":
            return self._spec
        from distributed import LocalCluster

        self._cluster = LocalCluster(n_workers=self._workers, threads_per_worker=1, processes=True,
                                     host="127.0.0.1", dashboard_address=None)
        return self._cluster.scheduler_address

    def __exit__(self, *exc: object) -> None:
        if self._cluster is not None:
            self._cluster.close()


if __name__ == "__main__":
    sys.exit(main())
