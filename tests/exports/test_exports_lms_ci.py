"""Exports an LMS and a CI can use as they are: the CSV tells "not submitted" from "scored 0",
the wide CSV's maximum counts only the assignments being graded, and JUnit counts a missing
graded function as a failure under a class name without stray dots."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from pathlib import Path

from export_samples import class_results, function, optimization, regularization, submission
from junit_schema import junit_problems

from dnn_autograder.grader.model import AssignmentResult
from dnn_autograder.grader.outputs.exports import csv_export, junit


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def test_long_csv_tells_not_submitted_from_scored_zero(tmp_path: Path) -> None:
    path = tmp_path / "grades.csv"
    zero = AssignmentResult("regularization", "Regularization", 0.0, 10.0,
                            (function("compute_cost_with_regularization", "failed", 0.0),))
    results = [*class_results(), submission("erin", zero)]
    csv_export.write_long(path, results)
    with open(path, newline="", encoding="utf-8") as stream:
        header = next(csv.reader(stream))
    assert header[:4] == ["student", "assignment", "score", "max_score"]  # the contract, then additions
    assert "status" in header
    rows = {(r["student"], r["assignment"]): r for r in _read_csv(path)}
    assert rows["bob", "optimization"]["status"] == "not_submitted"  # no optimization file at all
    assert rows["erin", "regularization"]["status"] == "graded"  # submitted, scored 0
    assert rows["erin", "regularization"]["score"] == "0"
    assert rows["alice", "optimization"]["status"] == "graded"
    assert rows["dave.ipynb", "optimization"]["status"] == "error"  # could not be read
    assert rows["dave.ipynb", "regularization"]["status"] == "error"


def test_an_assignment_with_every_function_missing_is_not_submitted(tmp_path: Path) -> None:
    path = tmp_path / "grades.csv"
    missing = AssignmentResult("regularization", "Regularization", 0.0, 10.0,
                               (function("compute_cost_with_regularization", "missing", 0.0),))
    csv_export.write_long(path, [submission("frank", missing)])
    assert [r["status"] for r in _read_csv(path)] == ["not_submitted"]


def test_wide_csv_maximum_counts_only_the_assignments_being_graded(tmp_path: Path) -> None:
    path = tmp_path / "grades_wide.csv"
    # the class is graded on regularization; alice also handed in an optimization notebook
    results = [submission("alice", optimization(1.5), regularization()), submission("bob", regularization(8.0))]
    csv_export.write_wide(path, results, assignments=("regularization",))
    rows = _read_csv(path)
    assert list(rows[0]) == ["student", "regularization", "total", "max_total"]
    assert {r["student"]: (r["total"], r["max_total"]) for r in rows} == {"alice": ("10", "10"),
                                                                          "bob": ("8", "10")}


def test_junit_missing_function_is_a_failure(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    junit.write_junit(path, [submission("alice", optimization())])
    root = ET.parse(path).getroot()
    assert junit_problems(root) == []
    case = next(c for c in root.iter("testcase") if c.get("name") == "initialize_velocity")
    assert case.find("skipped") is None
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "missing"
    assert root.get("skipped") == "0" and root.get("failures") == "2"


def test_junit_class_names_have_no_stray_dots(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    junit.write_junit(path, [submission("bob.v2.ipynb", regularization()),
                             submission("a b/c", error="empty")])
    classnames = {c.get("classname") for c in ET.parse(path).getroot().iter("testcase")}
    for name in classnames:
        package, _, leaf = name.rpartition(".")
        assert "." not in package and " " not in name and "/" not in name, name
    assert "bob_v2_ipynb.regularization" in classnames
