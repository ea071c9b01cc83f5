"""A course helper that is a package (Deep Learning from Scratch's ``common``) ships as a folder of
the course's name, so ``from common.functions import softmax`` works in the handout."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat

from dnn_autograder.course_helpers import COURSE_MODULES
from dnn_autograder.grader.assignment.spec import load_assignment
from dnn_autograder.grader.handouts.handout import HELPERS_DIR, course_packages, helper_modules, write_handout


def test_a_course_package_ships_as_a_folder_and_not_as_the_flat_helper() -> None:
    assert COURSE_MODULES["common"] == ".dlfs_common"  # the course's name -> our package folder
    files = course_packages({"common", "numpy"})
    expected = {f"common/{p.name}" for p in (HELPERS_DIR / "dlfs_common").glob("*.py")}
    graded = {"common/layers.py", "common/util.py"}  # GRADED_COURSE_MODULES: only when imported by name
    assert set(files) == expected - graded and "common/__init__.py" in files
    assert set(course_packages({"common", "common.layers"})) == expected - {"common/util.py"}
    assert files["common/functions.py"] == (HELPERS_DIR / "dlfs_common" / "functions.py").read_text(encoding="utf-8")
    assert "common" not in helper_modules({"common"})  # the flat course_helpers/common.py is another module
    assert "common" in helper_modules({"reg_utils"})  # ... which reg_utils still needs


def test_a_notebook_importing_the_package_runs_in_the_handout(tmp_path: Path) -> None:
    starter = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import numpy as np\nfrom common.functions import softmax\n")])
    handout = write_handout(load_assignment("activations"), starter, tmp_path)
    assert (handout.folder / "common" / "functions.py").is_file()
    run = subprocess.run([sys.executable, "-c", "from common.functions import softmax; import numpy as np;"
                          " print(softmax(np.array([0.0, 0.0])))"], cwd=handout.folder, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "0.5" in run.stdout
