"""``prepare(assignment)``: the student-independent work of grading done ahead of the first student
(the batch's fork server runs it before forking the workers). Each check runs in a fresh
interpreter, whose caches start empty: after ``prepare`` the caches grading reads are full (the
suites, the reference's side of the pictures, the compiled report templates), numpy's global
generator is as it was, and no thread is left running (the process is about to fork)."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _run(code: str) -> None:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr


def test_prepare_fills_what_the_first_student_would_compute() -> None:
    _run("""
        import os, threading
        import numpy as np
        from dnn_autograder.grader.assignment.spec import load_assignment
        from dnn_autograder.grader.grading import suite
        from dnn_autograder.grader.grading.prepare import prepare
        from dnn_autograder.grader.outputs.render.env import environment
        from dnn_autograder.assignments.optimization import figures

        np.random.seed(123)
        before = np.random.get_state()
        prepare("optimization")
        after = np.random.get_state()
        assert (before[1] == after[1]).all() and before[2:] == after[2:], "global generator moved"
        assert threading.active_count() == 1, threading.enumerate()
        assert len(os.listdir("/proc/self/task")) == 1, "a native thread is left: unsafe to fork"

        assert suite.build_suites.cache_info().currsize == 1
        suites = suite.build_suites(load_assignment("optimization"))
        assert suite.build_suites.cache_info().hits == 1  # the first student's call: from the cache
        assert all(s.expected for s in suites.values())
        # the three optimizers' reference paths of the picture are computed already
        assert figures._reference_trajectory.cache_info().currsize == 3

        def refuse(*args):
            raise AssertionError("a template was read and compiled again")

        environment().loader.get_source = refuse
        for name in ("report.html.j2", "base.html.j2", "macros.html.j2"):
            environment().get_template(name)
    """)


def test_prepare_without_an_assignment_builds_no_suite() -> None:
    """Not knowing the class's assignment, building every assignment's suites would cost more
    than each worker building the one it grades."""
    _run("""
        from dnn_autograder.grader.assignment import spec
        from dnn_autograder.grader.grading import suite
        from dnn_autograder.grader.grading.prepare import prepare

        prepare(None)
        assert suite.build_suites.cache_info().currsize == 0
        assert spec.load_assignment.cache_info().currsize == len(spec.available_assignments())
    """)


def test_after_prepare_the_first_student_encodes_and_prepares_nothing_again() -> None:
    """What every session sends or compares is made by ``prepare``: each function's cases encoded
    run by run as ``call_each`` sends them, each expected output's verdict plan, and the scripts
    of the pictures (which only a submission defining the units reaches). Grading the master in
    a new Sandbox afterwards, with the encoders and the plan maker refusing, still gives full
    marks: nothing of it was left for the first student."""
    _run("""
        from dnn_autograder.assignments.optimization import figures
        from dnn_autograder.grader.assignment.spec import load_assignment
        from dnn_autograder.grader.grading import normalise, pipeline, suite
        from dnn_autograder.grader.grading.prepare import prepare
        from dnn_autograder.grader.sandbox import requests
        from dnn_autograder.grader.sandbox.session import BATCH_BYTES, BATCH_CALLS

        prepare("optimization")
        spec = load_assignment("optimization")
        for built in suite.build_suites(spec).values():
            first = 0
            while first < len(built.calls):
                assert (first, BATCH_BYTES, BATCH_CALLS) in built.calls.kept, (built.spec.name, first)
                first = built.calls.run(first, BATCH_BYTES, BATCH_CALLS).end
            assert all("agreement" in vars(item) for item in built.expected), built.spec.name
        assert figures._prepared.cache_info().currsize == 3  # the three optimizers' student scripts

        def refuse(*args, **kwargs):
            raise AssertionError("made again for the first student")

        requests.encode_run = requests.encode_script = refuse
        normalise.outputs_agreement = suite.outputs_agreement = refuse
        with pipeline.Sandbox(pipeline.Limits()) as sandbox:
            result = pipeline.grade_submission(spec.folder / "master.ipynb", assignment="optimization",
                                               sandbox=sandbox)
        assert result.score == result.max_score, [(f.name, f.message) for a in result.assignments
                                                  for f in a.functions]
        assert all(a.figures for a in result.assignments)
    """)
