"""A batch's own outputs show the gradebook's overrides and late penalties (issue 18: "in every
export"): ``grades.csv`` (override, penalty, final_score, needs_review), ``grades_wide.csv``
(final_total), ``junit.xml`` (final_score, override, penalty properties) and each adjusted
student's ``report.html`` (the "Final grade" block), after a re-grade that keeps unchanged students.

Grades three real notebooks (the initialization answer key and starter), about 10-20 s."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from pathlib import Path

from lms_samples import MASTER, POLICY, STARTER

from dnn_autograder.grader import cli
from dnn_autograder.grader.classes.gradebook import Gradebook
from dnn_autograder.grader.classes.gradebook_tables import SubmissionTime, record_times
from dnn_autograder.grader.errors import ExitCode

MARK = 'id="final-grades-heading"'


def grade(*argv: str) -> None:
    assert cli.main(list(argv)) == ExitCode.OK, argv


def long_csv(out: Path) -> tuple[list[str], dict[str, dict[str, str]]]:
    with (out / "grades.csv").open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        rows = {r["student"]: r for r in reader}
        return list(reader.fieldnames or ()), rows


def properties(out: Path, suite: str) -> dict[str, str]:
    root = ET.parse(out / "junit.xml").getroot()
    found = next(s for s in root.iter("testsuite") if s.get("name") == suite)
    return {p.get("name", ""): p.get("value", "") for p in found.iter("property")}


def report(out: Path, student: str) -> str:
    return (out / student / "report.html").read_text(encoding="utf-8")


def test_batch_outputs_show_overrides_and_late_penalties(tmp_path: Path) -> None:
    course, out = tmp_path / "class", tmp_path / "out"
    course.mkdir()
    for student, notebook in (("alice", MASTER), ("bob", MASTER), ("carol", STARTER)):
        (course / f"{student}.ipynb").write_bytes(notebook)
    db = str(out / "gradebook.sqlite")
    batch = (str(course), "--out", str(out), "--assignment", "initialization", "--jobs", "2", "--quiet")
    grade(*batch)
    header, rows = long_csv(out)
    assert header == ["student", "assignment", "score", "max_score", "status",
                      "override", "penalty", "final_score", "needs_review"]
    assert [rows["alice"][k] for k in ("score", "override", "penalty", "final_score")] == ["4", "", "", "4"]
    assert MARK not in report(out, "bob")

    (tmp_path / "late.toml").write_text(POLICY, encoding="utf-8")
    grade("late-policy", str(tmp_path / "late.toml"), "--db", db)
    with Gradebook(db) as book, book.transaction():  # bob 2 days late (grace 10 min, 10 %/day)
        record_times(book.connection, [
            SubmissionTime("alice", "initialization", "2026-12-04T20:00:00+00:00", "test", "", False),
            SubmissionTime("bob", "initialization", "2026-12-07T00:00:00+00:00", "test", "", False)])
    grade("override", "carol", "initialization", "initialize_parameters_zeros", "--score", "1",
          "--comment", "zeros correct, cell not run", "--by", "ta", "--db", db)
    grade(*batch)  # nothing changed: every student is kept from the gradebook

    header, rows = long_csv(out)
    assert header[:5] == ["student", "assignment", "score", "max_score", "status"]
    assert [rows["bob"][k] for k in ("score", "override", "penalty", "final_score", "needs_review")] == \
        ["4", "", "0.8", "3.2", ""]
    assert [rows["carol"][k] for k in ("score", "override", "penalty", "final_score")] == ["0", "1", "", "1"]
    assert [rows["alice"][k] for k in ("score", "override", "penalty", "final_score")] == ["4", "", "", "4"]
    with (out / "grades_wide.csv").open(encoding="utf-8", newline="") as stream:
        wide = {r["student"]: r for r in csv.DictReader(stream)}
    assert {s: (r["total"], r["final_total"]) for s, r in wide.items()} == {
        "alice": ("4", "4"), "bob": ("4", "3.2"), "carol": ("0", "1")}
    assert "Late by 2 day(s): -0.8 points" in report(out, "bob") and MARK in report(out, "bob")
    assert "Score set by the course staff: 1 / 4" in report(out, "carol")
    assert "zeros correct, cell not run" in report(out, "carol")
    assert MARK not in report(out, "alice")
    assert properties(out, "bob/initialization") == {"score": "4", "max_score": "4", "final_score": "3.2",
                                                     "penalty": "0.8"}
    assert properties(out, "carol/initialization") == {"score": "0", "max_score": "4", "final_score": "1",
                                                       "override": "1"}
    assert properties(out, "alice/initialization")["final_score"] == "4"

    # bob is given an extension: his penalty and his report's block go, though he is not re-graded
    (tmp_path / "late.toml").write_text(
        POLICY + "\n[initialization.extensions]\nbob = 2026-12-08T23:59:00Z\n", encoding="utf-8")
    grade("late-policy", str(tmp_path / "late.toml"), "--db", db)
    grade(*batch)
    _, rows = long_csv(out)
    assert [rows["bob"][k] for k in ("penalty", "final_score")] == ["", "4"]
    assert MARK not in report(out, "bob") and MARK in report(out, "carol")
    assert "final_score" in properties(out, "bob/initialization") and "penalty" not in properties(
        out, "bob/initialization")
