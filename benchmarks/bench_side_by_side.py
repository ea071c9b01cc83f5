"""nbgrader, Otter-Grader and ``grade`` on the same class, measured in one run (not asserted).

Run ``python benchmarks/bench_side_by_side.py --nbgrader-python P1 --otter-python P2``.

It builds the class of ``benchmarks/bench_class.py`` (``build_class``: course-style optimization
notebooks with a 2000-iteration training cell, the first ones correct, the others with one catalogued
mistake each) and grades it three ways, one tool after the other:

- **nbgrader**: a course directory (``source/``, ``release/``, ``submitted/<student>/<assignment>/``)
  whose source notebook is the assignment's master notebook with nbgrader's cell metadata, the
  ``### START CODE HERE ###`` blocks as solution regions, and after every graded function one locked
  test cell of ``assert`` statements calling the function on the notebook's published test inputs
  (the expected values computed in the cell from the formulas of the notebook's text);
  ``nbgrader generate_assignment`` once (setup, timed apart), then each student's notebook is the
  released one with the student's graded cells put in, and the timed part is
  ``nbgrader autograde ASSIGNMENT`` followed by ``nbgrader generate_feedback ASSIGNMENT`` (the HTML
  reports; timed separately too);
- **Otter-Grader**: a master notebook in Otter's format (one question per graded function, worth its
  points, with the same ``assert`` cells as its tests); ``otter assign`` once (setup), then
  ``otter run -a AUTOGRADER_ZIP`` on each student's notebook (the student notebook of ``otter assign``
  with the student's graded cells put in), ``--otter-jobs`` runs at a time. ``otter grade`` needs a
  Docker daemon (Otter 7 has no way to grade a batch without one); ``otter run`` is Otter's
  non-containerised grader of one submission;
- **ours**: ``grade CLASS --out OUT --jobs 2 --assignment optimization`` (reports and summary), from this
  source tree or from those given with ``--ours-root`` (e.g. ``git archive COMMIT | tar -x -C DIR``).

For each it prints the wall time, the time per student, the CPU time of all its processes
(``getrusage(RUSAGE_CHILDREN)`` before and after, this process being the subreaper of the tools'
orphans: every process a tool started, kernels and sandbox processes included), the machine's
load average before and after, then the ratios to ours and a table per student of who each tool finds
wrong (which graded functions lose points). ``--quiet-load L`` waits (at most ``--quiet-wait`` s)
before each tool for a 1-minute load average below L: the machine may be shared.

``--tests published`` (default) tests each function on the notebook's published inputs only, as the
course's own test cells do; ``--tests extended`` also checks the two learning-rate functions on the
epochs the notebook prints (0, 2, 10, 999, 1000, 2500).

The tools go into virtual environments of their own, never into this project's. Exact install
commands (run on 2026-12-06; nbgrader 0.9.6, otter-grader 7.0.0, numpy 2.4.6, ipykernel 7.4.0;
``otter run`` needs a Jupyter kernel, which otter-grader does not install)::

    python -m venv /tmp/h5sbs/venv-nbgrader
    /tmp/h5sbs/venv-nbgrader/bin/pip install nbgrader numpy
    python -m venv /tmp/h5sbs/venv-otter
    /tmp/h5sbs/venv-otter/bin/pip install otter-grader numpy
    /tmp/h5sbs/venv-otter/bin/pip install ipykernel

A tool whose ``--*-python`` is not given, or cannot import the tool, is skipped (and the script says so).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_class import ASSIGNMENT, ROOT, TRAINING_CELL, become_subreaper, build_class, timed  # noqa: E402

HEADER = "# GRADED FUNCTION: "
NOTEBOOK = "optimization.ipynb"  # the file name of the assignment's notebook in nbgrader's and Otter's folders
STUBS = ("public_tests.py", "testCases.py")  # course test modules the notebook imports (empty stand-ins)
STUB_TEXT = '"""Stand-in for the course module (the test cells are self-contained)."""\n'

# --- the test cells: course style, published inputs, expected values from the notebook's formulas ---

_NETWORK = """\
    np.random.seed(1)
    shapes = ((2, 3), (2, 1), (3, 3), (3, 1)) * 2
    W1, b1, W2, b2, dW1, db1, dW2, db2 = [np.random.randn(*shape) for shape in shapes]
    parameters = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
    before = {key: value.copy() for key, value in parameters.items()}
"""

_BODIES = {
    "update_parameters_with_gd": _NETWORK + """\
    got = update_parameters_with_gd(parameters, grads, 0.01)
    assert sorted(got) == sorted(before)
    for key in before:
        assert np.allclose(got[key], before[key] - 0.01 * grads["d" + key]), key
""",
    "random_mini_batches": """\
    np.random.seed(1)
    X = np.random.randn(12288, 148)
    Y = np.random.randn(1, 148) < 0.5
    batches = random_mini_batches(X, Y, 64)
    order = np.random.RandomState(0).permutation(148)
    assert len(batches) == 3, len(batches)
    for k, (batch_X, batch_Y) in enumerate(batches):
        columns = order[64 * k:64 * (k + 1)]
        assert batch_X.shape == (12288, len(columns)) and batch_Y.shape == (1, len(columns))
        assert np.array_equal(batch_X, X[:, columns]) and np.array_equal(batch_Y, Y[:, columns]), k
""",
    "initialize_velocity": _NETWORK + """\
    v = initialize_velocity(parameters)
    assert sorted(v) == ["dW1", "dW2", "db1", "db2"]
    for key, value in before.items():
        assert v["d" + key].shape == value.shape and not v["d" + key].any(), key
""",
    "update_parameters_with_momentum": _NETWORK + """\
    v = {"d" + key: np.zeros_like(value) for key, value in before.items()}
    got_parameters, got_v = update_parameters_with_momentum(parameters, grads, v, 0.9, 0.01)
    for key in before:
        expected_v = 0.1 * grads["d" + key]
        assert np.allclose(got_v["d" + key], expected_v), key
        assert np.allclose(got_parameters[key], before[key] - 0.01 * expected_v), key
""",
    "initialize_adam": _NETWORK + """\
    v, s = initialize_adam(parameters)
    assert sorted(v) == sorted(s) == ["dW1", "dW2", "db1", "db2"]
    for key, value in before.items():
        for moment in (v, s):
            assert moment["d" + key].shape == value.shape and not moment["d" + key].any(), key
""",
    "update_parameters_with_adam": _NETWORK + """\
    v = {"d" + key: np.random.randn(*value.shape) for key, value in before.items()}
    s = {"d" + key: np.random.rand(*value.shape) for key, value in before.items()}
    v0 = {key: value.copy() for key, value in v.items()}
    s0 = {key: value.copy() for key, value in s.items()}
    t, rate, beta1, beta2, epsilon = 2, 0.02, 0.8, 0.888, 1e-2
    got = update_parameters_with_adam(parameters, grads, v, s, t, rate, beta1, beta2, epsilon)
    assert len(got) == 5, len(got)
    for key in before:
        g = grads["d" + key]
        first = beta1 * v0["d" + key] + (1 - beta1) * g
        second = beta2 * s0["d" + key] + (1 - beta2) * g ** 2
        first_c, second_c = first / (1 - beta1 ** t), second / (1 - beta2 ** t)
        assert np.allclose(got[1]["d" + key], first) and np.allclose(got[2]["d" + key], second), key
        assert np.allclose(got[3]["d" + key], first_c) and np.allclose(got[4]["d" + key], second_c), key
        assert np.allclose(got[0][key], before[key] - rate * first_c / (np.sqrt(second_c) + epsilon)), key
""",
    "update_lr": """\
    assert np.isclose(update_lr(0.5, 2, 1), 0.5 / (1 + 1 * 2))
""",
    "schedule_lr_decay": """\
    assert np.isclose(schedule_lr_decay(0.5, 100, 1, time_interval=100), 0.5 / (1 + 1 * 1))
""",
}

_EXTENDED = {
    "update_lr": """\
    for epoch in (0, 2, 10, 999, 1000, 2500):
        assert np.isclose(update_lr(0.5, epoch, 1), 0.5 / (1 + epoch)), epoch
""",
    "schedule_lr_decay": """\
    for epoch in (0, 2, 10, 999, 1000, 2500):
        assert np.isclose(schedule_lr_decay(0.5, epoch, 0.3), 0.5 / (1 + 0.3 * (epoch // 1000))), epoch
""",
}


def check_cell_source(function: str, extended: bool) -> str:
    """The test cell of ``function``: one check function, defined and called (no global left behind
    but the check function itself)."""
    body = _BODIES[function] + (_EXTENDED.get(function, "") if extended else "")
    name = f"check_{function}"
    return f"def {name}():\n{body}\n{name}()\n"


def graded_function(cell) -> str | None:
    """The graded function a code cell holds (its ``# GRADED FUNCTION: name`` first line), or None."""
    if cell.cell_type != "code" or not cell.source.startswith(HEADER):
        return None
    return cell.source.splitlines()[0][len(HEADER):].strip()


def master_with_training():
    import nbformat

    from dnn_autograder.grader.assignment.spec import load_assignment

    spec = load_assignment(ASSIGNMENT)
    master = nbformat.read(spec.folder / "master.ipynb", as_version=4)
    master.cells.append(nbformat.v4.new_code_cell(TRAINING_CELL))
    master.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return master, {f.name: f.points for f in spec.functions}


def students_cells(klass: Path, made: dict[str, str]) -> dict[str, dict[str, str]]:
    """``{student: {graded function: source of the student's cell}}``."""
    import nbformat

    out = {}
    for student in made:
        notebook = nbformat.read(klass / f"{student}.ipynb", as_version=4)
        out[student] = {name: cell.source for cell in notebook.cells if (name := graded_function(cell))}
    return out


def fill_in(handout, cells: dict[str, str]):
    """A copy of the handout notebook with the student's graded cells in place of its own."""
    notebook = copy.deepcopy(handout)
    for cell in notebook.cells:
        name = graded_function(cell)
        if name is not None:
            cell.source = cells[name]
    return notebook


# --- measuring ---

@dataclass
class Measured:
    """One tool's run: its timed parts, their sums, and the load average around them."""

    wall_s: float = 0.0
    cpu_s: float = 0.0
    load_before: tuple[float, ...] = ()
    load_after: tuple[float, ...] = ()
    parts: dict[str, tuple[float, float]] = field(default_factory=dict)  # name -> (wall, cpu)

    def add(self, name: str, wall: float, cpu: float) -> None:
        self.parts[name] = (wall, cpu)
        self.wall_s += wall
        self.cpu_s += cpu


def call(command: list[str], cwd: Path, log: Path) -> None:
    with open(log, "a") as out:
        out.write(f"$ {' '.join(command)}\n")
        out.flush()
        # as in an activated environment: the tool's own scripts first on PATH (nbgrader runs `alembic`)
        path = os.pathsep.join([str(Path(command[0]).parent), os.environ.get("PATH", "")])
        done = subprocess.run(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                              env={**os.environ, "PATH": path, "PYTHONWARNINGS": "ignore"})
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed with exit status {done.returncode}: see {log}")


def has_module(python: str | None, module: str) -> bool:
    if not python:
        return False
    return subprocess.run([python, "-c", f"import {module}"], capture_output=True).returncode == 0


# --- nbgrader ---

def nbgrader_course(root: Path, master, points: dict[str, int], cells: dict[str, dict[str, str]],
                    python: str, extended: bool, log: Path) -> None:
    """Write the course directory, run ``nbgrader generate_assignment``, write the submissions."""
    import nbformat

    source = copy.deepcopy(master)
    built = []
    for cell in source.cells:
        built.append(cell)
        name = graded_function(cell)
        if name is None:
            continue
        cell.source = cell.source.replace("### START CODE HERE ###", "### BEGIN SOLUTION").replace(
            "### END CODE HERE ###", "### END SOLUTION")
        cell.metadata["nbgrader"] = {"solution": True, "grade": False, "locked": False, "grade_id": name,
                                     "schema_version": 3}
        test = nbformat.v4.new_code_cell(check_cell_source(name, extended))
        test.metadata["nbgrader"] = {"solution": False, "grade": True, "locked": True, "grade_id": f"test_{name}",
                                     "points": points[name], "schema_version": 3}
        built.append(test)
    source.cells = built
    folder = root / "source" / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(source, folder / NOTEBOOK)
    for stub in STUBS:
        (folder / stub).write_text(STUB_TEXT)
    (root / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.root = {str(root)!r}\nc.CourseDirectory.course_id = 'bench'\n")
    call([python, "-m", "nbgrader", "generate_assignment", ASSIGNMENT], root, log)
    release = nbformat.read(root / "release" / ASSIGNMENT / NOTEBOOK, as_version=4)
    for student, theirs in cells.items():
        target = root / "submitted" / student / ASSIGNMENT
        target.mkdir(parents=True)
        nbformat.write(fill_in(release, theirs), target / NOTEBOOK)
        for stub in STUBS:
            shutil.copy(folder / stub, target / stub)


_NBGRADER_SCORES = """
import json, sys
from nbgrader.api import Gradebook
out = {}
with Gradebook("sqlite:///" + sys.argv[1]) as gradebook:
    for student in gradebook.students:
        notebook = gradebook.find_submission_notebook(sys.argv[2], sys.argv[3], student.id)
        out[student.id] = {grade.name[len("test_"):]: [grade.score, grade.max_score] for grade in notebook.grades}
print(json.dumps(out))
"""


def run_nbgrader(root: Path, python: str, feedback: bool, log: Path) -> tuple[Measured, dict]:
    measured = Measured(load_before=os.getloadavg())
    measured.add("nbgrader autograde", *timed(lambda: call([python, "-m", "nbgrader", "autograde", ASSIGNMENT],
                                                           root, log)))
    if feedback:
        measured.add("nbgrader generate_feedback",
                     *timed(lambda: call([python, "-m", "nbgrader", "generate_feedback", ASSIGNMENT], root, log)))
    measured.load_after = os.getloadavg()
    scores = subprocess.run([python, "-c", _NBGRADER_SCORES, str(root / "gradebook.db"), NOTEBOOK[:-6], ASSIGNMENT],
                            capture_output=True, text=True, check=True).stdout
    return measured, json.loads(scores)


# --- Otter-Grader ---

def otter_master(master, points: dict[str, int], extended: bool):
    """The master notebook in Otter's format: a question per graded function, its test as a test cell."""
    import nbformat

    config = "\n".join([
        "# ASSIGNMENT CONFIG", f"name: {ASSIGNMENT}", "init_cell: true", "check_all_cell: false",
        "export_cell: false", "run_tests: false", "solutions_pdf: false", "generate: true",
        "files:", *[f"  - {stub}" for stub in STUBS]])
    raw = nbformat.v4.new_raw_cell
    built = [raw(config)]
    for cell in copy.deepcopy(master).cells:
        name = graded_function(cell)
        if name is None:
            built.append(cell)
            continue
        cell.source = cell.source.replace("### START CODE HERE ###", "# BEGIN SOLUTION").replace(
            "### END CODE HERE ###", "# END SOLUTION")
        built += [raw(f"# BEGIN QUESTION\nname: {name}\npoints: {points[name]}"),
                  nbformat.v4.new_markdown_cell(f"Implement `{name}`."), cell, raw("# BEGIN TESTS"),
                  nbformat.v4.new_code_cell(check_cell_source(name, extended)), raw("# END TESTS"),
                  raw("# END QUESTION")]
    notebook = copy.deepcopy(master)
    notebook.cells = built
    return notebook


def otter_setup(root: Path, master, points: dict[str, int], cells: dict[str, dict[str, str]], python: str,
                extended: bool, log: Path) -> Path:
    """``otter assign`` the master; write each student's notebook; return the autograder zip."""
    import nbformat

    (root / "master").mkdir(parents=True)
    nbformat.write(otter_master(master, points, extended), root / "master" / NOTEBOOK)
    for stub in STUBS:
        (root / "master" / stub).write_text(STUB_TEXT)
    call([python, "-m", "otter", "assign", NOTEBOOK, str(root / "dist")], root / "master", log)
    archive = next((root / "dist" / "autograder").glob("*.zip"))
    handout = nbformat.read(root / "dist" / "student" / NOTEBOOK, as_version=4)
    (root / "submissions").mkdir()
    for student, theirs in cells.items():
        nbformat.write(fill_in(handout, theirs), root / "submissions" / f"{student}.ipynb")
    return archive


def run_otter(root: Path, archive: Path, students: list[str], python: str, jobs: int,
              log: Path) -> tuple[Measured, dict]:
    measured = Measured(load_before=os.getloadavg())

    def one(student: str) -> None:
        out = root / "results" / student
        out.mkdir(parents=True)
        call([python, "-m", "otter", "run", "-a", str(archive), "-o", str(out), "--no-logo",
              str(root / "submissions" / f"{student}.ipynb")], root, root / "results" / f"{student}.log")

    def all_students() -> None:
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            list(pool.map(one, students))

    measured.add(f"otter run x{len(students)} ({jobs} at a time)", *timed(all_students))
    measured.load_after = os.getloadavg()
    scores = {}
    for student in students:
        data = json.loads((root / "results" / student / "results.json").read_text())
        scores[student] = {test["name"]: [test["score"], test["max_score"]] for test in data["tests"]
                           if "score" in test}  # an entry "Public Tests" has no score
    with open(log, "a") as out:
        out.write(f"otter run logs: {root / 'results'}\n")
    return measured, scores


# --- ours ---

def run_ours(klass: Path, out: Path, jobs: int, root: Path, log: Path) -> tuple[Measured, dict]:
    """``grade CLASS`` from the source tree ``root`` (this one, or e.g. a ``git archive`` of a commit);
    its CPU time from ``getrusage``, as ``bench_class.py`` measures it."""
    measured = Measured(load_before=os.getloadavg())
    command = [sys.executable, "-m", "dnn_autograder.grader.cli", str(klass), "--out", str(out), "--quiet",
               "--jobs", str(jobs), "--assignment", ASSIGNMENT]

    def run() -> None:
        with open(log, "a") as output:
            output.write(f"$ (cd {root}; {' '.join(command)})\n")
            output.flush()
            code = subprocess.run(command, cwd=root, stdout=output, stderr=subprocess.STDOUT).returncode
        if code != 0:
            raise SystemExit(f"grade failed with exit status {code}: see {log}")

    measured.add(f"grade CLASS --out OUT --jobs {jobs}", *timed(run))
    measured.load_after = os.getloadavg()
    data = json.loads((out / "results.json").read_text())
    scores = {}
    for submission in data["submissions"]:
        functions = [f for a in submission["assignments"] for f in a["functions"]]
        scores[submission["student"]] = {f["name"]: [f["score"], f["max_score"]] for f in functions}
    return measured, scores


# --- printing ---

def wait_for_quiet(limit: float | None, wait_s: float) -> None:
    """Wait until the 1-minute load average is below ``limit`` (at most ``wait_s``): the machine is shared."""
    if limit is None:
        return
    deadline = time.monotonic() + wait_s
    while os.getloadavg()[0] >= limit and time.monotonic() < deadline:
        time.sleep(5)


def _print(title: str, measured: Measured, students: int) -> None:
    print(title)
    for name, (wall, cpu) in measured.parts.items():
        print(f"  {name}: wall {wall:.2f} s, CPU {cpu:.2f} s")
    print(f"  total: wall {measured.wall_s:.2f} s = {measured.wall_s / students:.3f} s per student;"
          f" CPU {measured.cpu_s:.2f} s = {measured.cpu_s / students:.3f} s per student")
    print(f"  load average before {_load(measured.load_before)}, after {_load(measured.load_after)}")


def _load(load: tuple[float, ...]) -> str:
    return "/".join(f"{x:.2f}" for x in load)


def _wrong(scores: dict[str, list[float]]) -> list[str]:
    return sorted(name for name, (score, top) in scores.items() if (score or 0) < top)


def agreement(made: dict[str, str], tools: dict[str, dict]) -> None:
    """A row per student: the mistake put in, and for each tool its score and the functions it marks wrong."""
    print("\nper student: the mistake put in; each tool's score / max and the functions losing points"
          " (= same functions as ours)")
    names = list(tools)
    print(" | ".join(["student", "mistake", *names]))
    agree = dict.fromkeys(names, 0)
    for student, mistake in made.items():
        ours = _wrong(tools["ours"][student])
        row = [student, mistake or "-"]
        for name in names:
            scores = tools[name].get(student)
            if scores is None:
                row.append("(no result)")
                continue
            wrong = _wrong(scores)
            total = sum(s or 0 for s, _ in scores.values())
            top = sum(t for _, t in scores.values())
            same = wrong == ours
            agree[name] += same
            row.append(f"{total:g}/{top:g} {','.join(wrong) or 'none'}{'' if same else ' (differs)'}")
        print(" | ".join(row))
    for name in names:
        if name != "ours":
            print(f"{name}: same functions marked wrong as ours for {agree[name]} of {len(made)} students")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nbgrader-python", default=None, help="python of a virtual environment with nbgrader")
    parser.add_argument("--otter-python", default=None, help="python of a virtual environment with otter-grader")
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--wrong", type=int, default=10, help="students with one catalogued mistake")
    parser.add_argument("--jobs", type=int, default=2, help="our grading workers")
    parser.add_argument("--otter-jobs", type=int, default=2, help="otter run processes at a time")
    parser.add_argument("--no-feedback", action="store_true", help="skip nbgrader generate_feedback")
    parser.add_argument("--tests", choices=("published", "extended"), default="published")
    parser.add_argument("--only", default="nbgrader,otter,ours", help="comma-separated tools to run")
    parser.add_argument("--ours-root", action="append", default=None,
                        help="source tree to run `grade` from (default: this one; e.g. a `git archive` of a commit);"
                             " repeat to run several, the first is the one the ratios are to")
    parser.add_argument("--quiet-load", type=float, default=None,
                        help="before each tool, wait (at most --quiet-wait s) for a 1-minute load average below this")
    parser.add_argument("--quiet-wait", type=float, default=300)
    parser.add_argument("--keep", default=None, help="work here and keep everything (a fresh folder)")
    args = parser.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench_sbs_"))
    if work.exists() and any(work.iterdir()):
        raise SystemExit(f"{work} is not empty")
    work.mkdir(parents=True, exist_ok=True)
    log = work / "tools.log"
    only = set(args.only.split(","))
    subreaper = become_subreaper()
    extended = args.tests == "extended"

    klass = work / "class"
    made = build_class(klass, args.students, args.wrong)
    master, points = master_with_training()
    cells = students_cells(klass, made)
    print(f"class: {args.students} notebooks ({args.wrong} with one catalogued mistake) in {klass};"
          f" tests: {args.tests}")
    print(f"cpus: {os.cpu_count()}; tool output in {log}; CPU of orphaned processes counted: {subreaper}")

    runs: dict[str, Measured] = {}
    tools: dict[str, dict] = {}
    if "nbgrader" in only and has_module(args.nbgrader_python, "nbgrader"):
        wall, cpu = timed(lambda: nbgrader_course(work / "nbgrader", master, points, cells, args.nbgrader_python,
                                                  extended, log))
        print(f"nbgrader setup (course directory, generate_assignment, submissions; not counted):"
              f" wall {wall:.2f} s, CPU {cpu:.2f} s")
        wait_for_quiet(args.quiet_load, args.quiet_wait)
        runs["nbgrader"], tools["nbgrader"] = run_nbgrader(work / "nbgrader", args.nbgrader_python,
                                                           not args.no_feedback, log)
        _print("nbgrader (batch autograde" + ("" if args.no_feedback else " + generate_feedback") + ")",
               runs["nbgrader"], args.students)
    elif "nbgrader" in only:
        print("nbgrader: skipped (give --nbgrader-python, the python of an environment with nbgrader)")
    if "otter" in only and has_module(args.otter_python, "otter"):
        archive = None

        def setup() -> None:
            nonlocal archive
            archive = otter_setup(work / "otter", master, points, cells, args.otter_python, extended, log)

        wall, cpu = timed(setup)
        print(f"otter setup (otter assign, submissions; not counted): wall {wall:.2f} s, CPU {cpu:.2f} s")
        wait_for_quiet(args.quiet_load, args.quiet_wait)
        runs["otter"], tools["otter"] = run_otter(work / "otter", archive, list(made), args.otter_python,
                                                  args.otter_jobs, log)
        _print("Otter-Grader (otter run per student)", runs["otter"], args.students)
    elif "otter" in only:
        print("otter: skipped (give --otter-python, the python of an environment with otter-grader and ipykernel)")
    if "ours" in only:
        for index, tree in enumerate(args.ours_root or [str(ROOT)]):
            name = "ours" if index == 0 else f"ours@{Path(tree).name}"
            wait_for_quiet(args.quiet_load, args.quiet_wait)
            runs[name], tools[name] = run_ours(klass, work / f"out{index}", args.jobs, Path(tree), log)
            _print(f"{name} (grade CLASS --out OUT --jobs {args.jobs}, reports and summary; source tree {tree})",
                   runs[name], args.students)
        for name, measured in runs.items():
            if name != "ours":
                print(f"{name} / ours: wall {measured.wall_s / runs['ours'].wall_s:.1f}x,"
                      f" CPU {measured.cpu_s / runs['ours'].cpu_s:.1f}x")
        agreement(made, {"ours": tools["ours"], **{k: v for k, v in tools.items() if k != "ours"}})
    if not args.keep:
        shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
