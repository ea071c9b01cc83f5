"""A class of 30 with one hostile student of each kind grades the other students exactly as it
grades them on their own, in bounded time and memory (issue 11, "done when").

Every fixture in ``tests/fixtures/hostile/`` with a module-level ``CLASS_HOSTILE = True`` joins
the class: its source is appended to a correct submission of the assignment whose graded
function it redefines (``initialization`` when it redefines none), so its definition wins; its
top-level code runs when the submission loads, and its ``hostile()`` (if it has one and does not
define a graded function itself) runs at the start of ``initialize_parameters_he``. The honest
students are spread over the same assignments. The class is graded in a
separate Python process (one Sandbox, students one after another), which reports its own peak
resident memory: the sandbox worker and children are other processes, bounded by their limits.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from dnn_autograder.grader.assignment.spec import available_assignments, load_assignment

from .support import HOSTILE, REPO

ASSIGNMENT = "initialization"
SOLUTIONS = REPO / "tests" / "fixtures" / "submissions"
CLASS_SIZE = 30
ATTACKED = "initialize_parameters_he"
#: the grader's own process grading the class (a normal grading peaks at about 90 MiB)
PEAK_MIB = 400
TOTAL_S = 600

_GRADE = textwrap.dedent("""
    import json, resource, sys, time


    def peak_mib():
        # VmHWM: this process's peak resident memory since it started. Not ru_maxrss, which Linux
        # carries over from the parent across exec (it would report pytest's own peak).
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024

    from pathlib import Path
    from dnn_autograder.grader.grading.pipeline import grade_submission
    from dnn_autograder.grader.sandbox import Sandbox
    import dnn_autograder.course_helpers as helpers

    out = {}
    with Sandbox(helpers=Path(helpers.__file__).parent) as box:
        for path, assignment in json.loads(sys.argv[1]):
            started = time.monotonic()
            result = grade_submission(Path(path), assignment=assignment, sandbox=box)
            out[path] = {"score": result.score, "seconds": time.monotonic() - started,
                         "functions": [[f.name, f.status, f.score, f.message, list(f.diagnoses)]
                                       for a in result.assignments for f in a.functions]}
    print(json.dumps({"results": out,
                      "peak_mib": peak_mib()}))
""")


def class_fixtures() -> list[Path]:
    """The hostile fixtures marked ``CLASS_HOSTILE = True``."""
    found = []
    for path in sorted(HOSTILE.glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if (isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "CLASS_HOSTILE" for t in node.targets)
                    and isinstance(node.value, ast.Constant) and node.value.value is True):
                found.append(path)
    return found


def graded_assignment(source: str) -> str:
    """The assignment whose graded function ``source`` redefines (``initialization`` if none)."""
    defined = {node.name for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)}
    for name in available_assignments():
        if defined & set(load_assignment(name).function_names):
            return name
    return ASSIGNMENT


def solution(assignment: str) -> Path:
    return SOLUTIONS / f"solution_{assignment}.py"


def hostile_submission(fixture: Path, folder: Path) -> tuple[Path, str]:
    source = fixture.read_text()
    assignment = graded_assignment(source)
    defined = {node.name for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)}
    text = solution(assignment).read_text() + f"\n\n# --- {fixture.name} ---\n" + source
    if "hostile" in defined and assignment == ASSIGNMENT and ATTACKED not in defined:
        text += textwrap.dedent(f"""

            _graded_{ATTACKED} = {ATTACKED}


            def {ATTACKED}(*args, **kwargs):
                hostile()
                return _graded_{ATTACKED}(*args, **kwargs)
            """)
    path = folder / f"hostile_{fixture.stem}.py"
    path.write_text(text)
    return path, assignment


def _grade(roster: list[tuple[Path, str]]) -> dict:
    done = subprocess.run([sys.executable, "-W", "ignore", "-c", _GRADE,
                           json.dumps([[str(p), a] for p, a in roster])],
                          cwd=REPO, capture_output=True, text=True, timeout=TOTAL_S)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_a_class_with_hostile_students_grades_the_others_as_alone(tmp_path: Path) -> None:
    hostile = [hostile_submission(f, tmp_path) for f in class_fixtures()]
    assert hostile, "no fixture is marked CLASS_HOSTILE"
    assignments = sorted({a for _, a in hostile})
    good = []
    for i in range(CLASS_SIZE - len(hostile)):
        assignment = assignments[i % len(assignments)]
        path = tmp_path / f"student_{i:02d}.py"
        path.write_text(solution(assignment).read_text())
        good.append((path, assignment))
    alone = _grade([(solution(a), a) for a in assignments])["results"]
    roster = list(good)
    for n, entry in enumerate(hostile):  # spread through the class
        roster.insert(n * len(roster) // len(hostile), entry)
    started = time.monotonic()
    graded = _grade(roster)
    elapsed = time.monotonic() - started
    results = graded["results"]
    for path, assignment in good:
        mine, reference = results[str(path)], alone[str(solution(assignment))]
        assert (mine["score"], mine["functions"]) == (reference["score"], reference["functions"]), path.name
    for path, _ in hostile:
        assert str(path) in results  # graded, whatever it did
    slowest = max(r["seconds"] for r in results.values())
    print(f"class of {len(roster)} ({len(hostile)} hostile): {elapsed:.1f} s, slowest student "
          f"{slowest:.1f} s, grader peak {graded['peak_mib']:.0f} MiB")
    assert graded["peak_mib"] < PEAK_MIB, graded["peak_mib"]
    assert elapsed < TOTAL_S
