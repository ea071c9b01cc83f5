"""CS231n assignment 2 end to end: a class of mixed submissions graded with ``grade CLASS --out OUT``.

``tests/fixtures/cs231n/class``: a package folder of the 2018+ template with the other package files
(``layer_utils.py`` importing ``from cs231n.layers import *``, ``fast_layers.py`` importing the compiled
``im2col_cython``, ``data_utils.py`` loading CIFAR-10 that is not there, an unfilled
``FullyConnectedNets.ipynb``) (alice); the loose files of the 2017 template, Adam's ``t`` incremented after
use (bob); notebooks with the code pasted into cells without the banners, dropout reading ``p`` as the drop
probability (carol); a 2017 package folder with Nesterov momentum and batch norm's test mode without gamma and
beta (dave); one notebook with the update rules only (erin).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from dnn_autograder.grader.cli import main

CLASS = Path(__file__).resolve().parents[1] / "fixtures" / "cs231n" / "class"

#: student -> {assignment: (score, {unit: diagnosis})} for the units that lose points
EXPECTED = {
    "alice_package": {"cs231n_optim": (4, {}), "cs231n_layers": (11, {})},
    "bob_2017_loose_files": {"cs231n_optim": (2, {"adam": "cs231n-adam-t-incremented-after-use"}),
                             "cs231n_layers_2017": (8, {})},
    "carol_notebooks": {"cs231n_optim": (4, {}),
                        "cs231n_layers": (9, {"dropout_forward": "cs231n-dropout-p-wrong-probability"})},
    "dave_2017_package": {"cs231n_optim": (3, {"sgd_momentum": "cs231n-momentum-nesterov"}),
                          "cs231n_layers_2017": (6, {"batchnorm_forward": "cs231n-batchnorm-test-without-gamma-beta"})},
    "erin_one_notebook": {"cs231n_optim": (4, {})},
}
TITLES = {"cs231n_layers": "CS231n layers (2018+ template: p keeps)",
          "cs231n_layers_2017": "CS231n layers (2017 template: p drops)"}


@pytest.mark.slow  # about 15 s on 2 busy cores
def test_a_mixed_class_grades_end_to_end(tmp_path):
    out = tmp_path / "out"
    assert main([str(CLASS), "--out", str(out), "--jobs", "2"]) == 0
    rows = list(csv.DictReader((out / "grades.csv").open(encoding="utf-8")))
    graded = {(r["student"], r["assignment"]): float(r["score"]) for r in rows if r["status"] == "graded"}
    for student, assignments in EXPECTED.items():
        result = json.loads((out / student / "result.json").read_text(encoding="utf-8"))
        assert not result.get("error"), (student, result.get("error"))
        by_name = {a["assignment"]: a for a in result["assignments"]}
        for name, (score, wrong) in assignments.items():
            assert graded[(student, name)] == score, (student, name, by_name[name]["functions"])
            losing = {f["name"]: f["diagnoses"] for f in by_name[name]["functions"] if f["status"] != "passed"}
            assert set(losing) == set(wrong), (student, name, losing)
            for unit, diagnosis in wrong.items():
                assert diagnosis in losing[unit], (student, unit, losing[unit])
            if name in TITLES:  # the contract used is said
                assert by_name[name]["title"] == TITLES[name]
            # the course package's imports that fail in the sandbox cost nothing and are not reported
            assert not any("not available" in n for n in by_name[name].get("notes", [])), by_name[name]["notes"]
        # no CS231n assignment graded twice, nor both template years for one file
        cs231n = [a for a in by_name if a.startswith("cs231n")]
        assert sorted(cs231n) == sorted(assignments), (student, cs231n)
    # the pictures come from the student's own code: bob's Adam (t used before it is incremented) diverges
    bob = {a["assignment"]: a for a in json.loads((out / "bob_2017_loose_files" / "result.json").read_text())[
        "assignments"]}
    curves = {s["unit"]: s for s in bob["cs231n_optim"]["figures"]["training_loss"]["series"]}
    assert curves["sgd_momentum"]["yours"] == pytest.approx(curves["sgd_momentum"]["reference"])
    assert any("Adam" in n for n in bob["cs231n_optim"]["figures"]["training_loss"]["notes"])
    assert "batchnorm_activations" in bob["cs231n_layers_2017"]["figures"]
    assert (out / "summary.html").is_file() and (out / "junit.xml").is_file()
