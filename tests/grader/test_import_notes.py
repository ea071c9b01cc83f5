"""Import notes say the true thing once: a module missing from the grading sandbox is named
once per assignment, as missing *inside the sandbox*, and only when a graded function uses it
(directly or through the student's own helpers); unused plotting or sklearn imports say nothing."""

from __future__ import annotations

from pathlib import Path

from dnn_autograder.grader.extract import extract_source
from dnn_autograder.grader.grading.import_notes import unavailable_notes
from dnn_autograder.grader.grading.pipeline import grade_submission
from dnn_autograder.grader.sandbox import UnitOutcome

SOLUTION = Path(__file__).resolve().parents[1] / "fixtures" / "submissions" / "solution_initialization.py"

IMPORTS = """\
import numpy as np
import matplotlib.pyplot as plt
import sklearn
import sklearn.datasets
from scipy import special
"""

USES_SKLEARN = """

def _moons():
    return sklearn.datasets.make_moons(3)


def initialize_parameters_zeros(layers_dims):
    _moons()
    return {}
"""


def _outcomes(file, missing: dict[str, str]) -> list[UnitOutcome]:
    outcomes = []
    for unit in file.units:
        module = next((m for m in missing if unit.kind == "import" and m in unit.source), None)
        outcomes.append(UnitOutcome(unit.names, module is None,
                                    f"ModuleNotFoundError: No module named '{missing[module]}'" if module else ""))
    return outcomes


MISSING = {"matplotlib": "matplotlib", "sklearn": "sklearn", "scipy": "scipy"}
GRADED = ("initialize_parameters_zeros", "initialize_parameters_random", "initialize_parameters_he")


def test_unused_missing_modules_say_nothing() -> None:
    file = extract_source(IMPORTS + SOLUTION.read_text(encoding="utf-8"), "solution.py")
    assert unavailable_notes(file.units, _outcomes(file, MISSING), GRADED) == ()


def test_a_used_missing_module_is_named_once_as_missing_in_the_sandbox() -> None:
    file = extract_source(IMPORTS + SOLUTION.read_text(encoding="utf-8") + USES_SKLEARN, "solution.py")
    notes = unavailable_notes(file.units, _outcomes(file, MISSING), GRADED)
    assert len(notes) == 1, notes
    note = notes[0]
    assert "`sklearn`" in note and "inside the grading sandbox" in note
    assert "initialize_parameters_zeros" in note  # who is affected, found through the helper
    assert "plt" not in note and "scipy" not in note


def test_a_graded_function_that_failed_to_load_is_named() -> None:
    file = extract_source(SOLUTION.read_text(encoding="utf-8"), "solution.py")
    outcomes = [UnitOutcome(u.names, "initialize_parameters_he" not in u.names,
                            "" if "initialize_parameters_he" not in u.names else "timed out after 5 s")
                for u in file.units]
    notes = unavailable_notes(file.units, outcomes, GRADED)
    assert len(notes) == 1 and "initialize_parameters_he" in notes[0] and "timed out" in notes[0], notes


def test_notes_of_a_graded_submission(sandbox, tmp_path: Path) -> None:
    path = tmp_path / "solution.py"
    path.write_text(IMPORTS + SOLUTION.read_text(encoding="utf-8") + USES_SKLEARN, encoding="utf-8")
    result = grade_submission(path, assignment="initialization", sandbox=sandbox)
    notes = [n for a in result.assignments for n in a.notes]
    about_modules = [n for n in notes if "not available" in n]
    assert len(about_modules) == 1, notes
    assert "`sklearn`" in about_modules[0] and "inside the grading sandbox" in about_modules[0]
    assert not any("matplotlib" in n or "`plt`" in n or "scipy" in n for n in notes), notes


# A notebook with the course's package imports (``from cs231n.layers import *``, ``from cs231n.optim import
# adam`` in a test cell) beside the student's own definitions: when those imports fail, nothing the graded
# functions need is lost, and a note saying they "cannot run" would be false.
COURSE_PACKAGE = """\
import numpy as np
from course_pkg.layers import *

def adam(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-3)
    t = config.get("t", 0) + 1
    return w - config["learning_rate"] * np.sign(dw), dict(config, t=t)

from course_pkg.optim import adam
"""
NEEDS_THE_PACKAGE = """

def sgd_momentum(w, dw, config=None):
    return affine_forward(w, dw, 0.0), config
"""


def _package_outcomes(file) -> list[UnitOutcome]:
    return [UnitOutcome(u.names, "course_pkg" not in u.source,
                        "ModuleNotFoundError: No module named 'course_pkg'" if "course_pkg" in u.source else "")
            for u in file.units]


def test_failed_imports_of_names_the_file_defines_or_does_not_need_say_nothing() -> None:
    file = extract_source(COURSE_PACKAGE, "optim.py")
    assert unavailable_notes(file.units, _package_outcomes(file), ("sgd_momentum", "adam")) == ()


def test_a_failed_star_import_is_named_when_a_graded_function_needs_a_name_from_it() -> None:
    file = extract_source(COURSE_PACKAGE + NEEDS_THE_PACKAGE, "optim.py")
    notes = unavailable_notes(file.units, _package_outcomes(file), ("sgd_momentum", "adam"))
    assert len(notes) == 1 and "`course_pkg`" in notes[0] and "`sgd_momentum`" in notes[0], notes
    assert "`adam`" not in notes[0]
