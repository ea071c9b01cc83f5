"""A correct submission is graded without importing Hypothesis (issue 17: a cold ``grade`` under 1 s).

Its cases come from the case bank; a strategy is built (and Hypothesis imported, ~0.25 s of CPU)
only to shrink an unknown bug or to draw a bank. The cases.py modules take ``st``, ``hnp``,
``composite`` and ``assume`` from :mod:`dnn_autograder.grader.assignment.strategies`, which imports
Hypothesis at the first use (:mod:`dnn_autograder.grader.assignment.deferred`).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import hypothesis
import numpy as np
from hypothesis import strategies as real_st

from dnn_autograder.grader.assignment.sampling import draw_cases
from dnn_autograder.grader.assignment.spec import ASSIGNMENTS_DIR, load_assignment
from dnn_autograder.grader.grading.suite import FunctionSuite, build_suites
from dnn_autograder.grader.model import Case


def _run(code: str) -> dict:
    """Run ``code`` in a fresh interpreter; it prints one JSON line, returned parsed."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_building_every_assignment_from_its_bank_imports_no_hypothesis() -> None:
    found = _run("""
        import json, sys
        from dnn_autograder.grader.grading import pipeline  # noqa: F401 - the engine a grade imports
        from dnn_autograder.grader.assignment.catalogue_index import mistakes_by_function, property_check
        from dnn_autograder.grader.assignment.spec import available_assignments, assignment_module, load_assignment
        from dnn_autograder.grader.grading.suite import build_suites
        names = list(available_assignments())
        for name in names:
            spec = load_assignment(name)
            assignment_module(spec, "cases")
            build_suites(spec)
            mistakes_by_function(spec)
            for fspec in spec.functions:
                property_check(spec, fspec.name)
        print(json.dumps({"names": names, "hypothesis": sorted(m for m in sys.modules if m.startswith("hypothesis"))}))
    """)
    assert len(found["names"]) == len([p for p in ASSIGNMENTS_DIR.glob("*/spec.toml")])
    assert found["hypothesis"] == []


def test_grading_a_master_imports_no_hypothesis_and_reports_its_version() -> None:
    master = ASSIGNMENTS_DIR / "initialization" / "master.ipynb"
    found = _run(f"""
        import json, sys
        from dnn_autograder.grader.grading.pipeline import grade_submission
        result = grade_submission({str(master)!r})
        print(json.dumps({{"score": result.score, "max": result.max_score, "extra": result.extra,
                          "hypothesis": sorted(m for m in sys.modules if m.startswith("hypothesis"))}}))
    """)
    assert found["score"] == found["max"] > 0
    assert found["hypothesis"] == []
    assert found["extra"]["hypothesis_version"] == hypothesis.__version__  # this process imported it


def test_shrinking_still_imports_hypothesis_and_shrinks() -> None:
    """An unknown bug is still shrunk: the smallest failing case is a (1, 1) array, whatever the
    banked failing cases were (relu wrong only where ``Z > 2.5``, a bug no catalogue names)."""
    found = _run(f"""
        import json, sys
        import numpy as np
        sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})
        from inprocess import session_of
        from dnn_autograder.grader.assignment.catalogue_index import mistakes_by_function
        from dnn_autograder.grader.assignment.spec import load_assignment
        from dnn_autograder.grader.grading.grade_function import grade_function
        from dnn_autograder.grader.grading.suite import build_suites
        spec = load_assignment("activations")
        suite = build_suites(spec)["relu"]
        before = "hypothesis" in sys.modules
        source = "import numpy as np\\ndef relu(Z):\\n    return np.where(Z > 2.5, Z + 0.5, np.maximum(0, Z))\\n"
        result = grade_function(session_of(source), suite, mistakes_by_function(spec)["relu"])
        shape = list(np.shape(result.counterexample.inputs["Z"]))
        print(json.dumps({{"before": before, "after": "hypothesis" in sys.modules, "status": result.status,
                          "diagnoses": list(result.diagnoses), "shape": shape}}))
    """)
    assert found["before"] is False and found["after"] is True
    assert found["status"] == "failed" and found["diagnoses"] == []
    assert found["shape"] == [1, 1]


def test_the_suite_builds_its_strategy_at_the_first_use_only() -> None:
    suite = build_suites(load_assignment("initialization"))["initialize_parameters_zeros"]
    calls = []

    def factory():
        calls.append(1)
        return real_st.just(Case({"layers_dims": [2, 1]}))

    lazy = FunctionSuite(suite.spec, suite.expected, factory, suite.reference, suite.worlds)
    assert calls == []
    assert lazy.strategy is lazy.strategy and calls == [1]


def test_the_deferred_names_import_hypothesis_only_when_used() -> None:
    found = _run("""
        import json, sys
        from dnn_autograder.grader.assignment.strategies import assume, composite, hnp, matrices, st

        @composite
        def pairs(draw, n):
            return draw(st.integers(0, n)), draw(st.integers(0, n))

        quiet = "hypothesis" in sys.modules
        strategy = pairs(3)
        print(json.dumps({"quiet": quiet, "loud": "hypothesis" in sys.modules,
                          "type": type(strategy).__module__}))
    """)
    assert found["quiet"] is False
    assert found["loud"] is True and found["type"].startswith("hypothesis.")


def test_a_deferred_composite_draws_what_hypothesis_composite_draws() -> None:
    """The cases a bank stores must not depend on the deferral: same seed, same examples."""
    from dnn_autograder.grader.assignment.strategies import composite, matrices

    def cases(draw, rows):
        cols = draw(real_st.integers(1, 4))
        return Case({"Z": draw(matrices(rows, cols, places=2)), "k": draw(real_st.sampled_from((1, 5, 9)))})

    deferred = draw_cases(composite(cases)(2), 25, seed=7)
    direct = draw_cases(real_st.composite(cases)(2), 25, seed=7)
    assert len(deferred) == len(direct) == 25
    for a, b in zip(deferred, direct, strict=True):
        assert a.args["k"] == b.args["k"]
        np.testing.assert_array_equal(a.args["Z"], b.args["Z"])


def test_no_cases_module_imports_hypothesis_itself() -> None:
    """The convention of docs/authoring.md, checked on the source: Hypothesis's names come from the
    strategies vocabulary, and no module-level ``@st.composite`` (which would import it)."""
    for path in sorted(ASSIGNMENTS_DIR.glob("*/cases.py")):
        text = path.read_text(encoding="utf-8")
        assert "from hypothesis" not in text and "import hypothesis" not in text, path
        assert "\n@st.composite" not in text, path

