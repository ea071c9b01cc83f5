"""One week of a course through the ``grade`` command, with real grading: collect the LMS download,
grade the class, override, excuse, apply the late policy, hand back in the LMS's formats.

Each test grades 3-4 real notebooks (the initialization answer key and starter), about 10-20 s."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from lms_samples import MOODLE_ROSTER, POLICY, POLISH, write_canvas_zip, write_moodle_zip, write_roster, write_times

from dnn_autograder.grader import cli
from dnn_autograder.grader.errors import ExitCode


def grade(*argv: str) -> None:
    assert cli.main(list(argv)) == ExitCode.OK, argv


def rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.reader(stream))


def test_a_canvas_week_from_download_to_gradebook_import(tmp_path: Path) -> None:
    roster, db = str(write_roster(tmp_path)), str(tmp_path / "graded" / "gradebook.sqlite")
    (tmp_path / "late.toml").write_text(POLICY, encoding="utf-8")
    grade("collect", "canvas", str(write_canvas_zip(tmp_path / "submissions.zip")), "--roster", roster,
          "--out", str(tmp_path / "week1"), "--times", str(write_times(tmp_path)),
          "--assignment", "initialization", "--db", db)
    grade(str(tmp_path / "week1"), "--out", str(tmp_path / "graded"), "--assignment", "initialization",
          "--jobs", "2", "--quiet")
    raw = {r[0]: r[2] for r in rows(tmp_path / "graded" / "grades.csv")[1:]}
    assert raw == {"s1001": "4", "s1002": "4", "s1003": "0", "canvas-4999": "4"}  # latest upload graded for s1001
    grade("late-policy", str(tmp_path / "late.toml"), "--db", db)
    grade("override", "s1003", "initialization", "initialize_parameters_zeros", "--score", "1",
          "--comment", "zeros correct, cell not run", "--by", "ta", "--db", db)
    grade("excuse", "canvas-4999", "initialization", "--comment", "auditor", "--db", db)
    grade("export", "canvas", "--db", db, "--out", str(tmp_path / "canvas.csv"), "--roster", roster,
          "--column", "initialization=Initialization (48213)")
    grade("export", "grades", "--db", db, "--out", str(tmp_path / "final"))
    grade("export", "feedback", "--db", db, "--out", str(tmp_path / "feedback"))

    canvas = rows(tmp_path / "canvas.csv")
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Initialization (48213)"]
    assert canvas[1][0].strip() == "Points Possible" and canvas[1][5] == "4"
    # s1002 submitted 2 days late (grace 10 min, 10 %/day): 4 - 0.8; s1003 got 1 point by hand
    assert canvas[2:] == [["Doe, Jane", "4821", "S1001", "jdoe", "Section A", "4"],
                          [POLISH, "4822", "S1002", "lzolc", "Section A", "3.2"],
                          ["Ngozi Okafor", "4823", "S1003", "nokafor", "Section B", "1"]]
    final = {r["student"]: r for r in csv.DictReader((tmp_path / "final" / "grades_final.csv").open(encoding="utf-8"))}
    assert [final["s1002"][k] for k in ("raw_score", "days_late", "penalty", "final_score")] == ["4", "2", "0.8", "3.2"]
    assert [final["s1003"][k] for k in ("raw_score", "override", "final_score")] == ["0", "1", "1"]
    assert (final["canvas-4999"]["excused"], final["canvas-4999"]["final_score"]) == ("1", "")
    result = json.loads((tmp_path / "feedback" / "s1002" / "result.json").read_text(encoding="utf-8"))
    assert result["final_grades"][0]["penalty"] == 0.8
    assert "Late by 2 day(s)" in (tmp_path / "feedback" / "s1002" / "report.html").read_text(encoding="utf-8")

    (tmp_path / "week1" / "s1003" / "Initialization.ipynb").write_bytes(
        (tmp_path / "week1" / "s1001" / "Initialization.ipynb").read_bytes())  # a regrade after a fix
    grade(str(tmp_path / "week1"), "--out", str(tmp_path / "graded"), "--assignment", "initialization",
          "--jobs", "2", "--quiet")
    grade("export", "grades", "--db", db, "--out", str(tmp_path / "final"))
    again = {r["student"]: r for r in csv.DictReader((tmp_path / "final" / "grades_final.csv").open(encoding="utf-8"))}
    assert [again["s1003"][k] for k in ("raw_score", "override", "needs_review")] == ["4", "4", "1"]


def test_a_moodle_week_from_download_to_grade_import(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(MOODLE_ROSTER, encoding="utf-8")
    db = str(tmp_path / "graded" / "gradebook.sqlite")
    grade("collect", "moodle", str(write_moodle_zip(tmp_path / "moodle.zip")), "--roster", str(roster),
          "--out", str(tmp_path / "week2"))
    grade(str(tmp_path / "week2"), "--out", str(tmp_path / "graded"), "--assignment", "initialization",
          "--jobs", "2", "--quiet")
    grade("comment", "s1002", "initialization", "--comment", "Nothing implemented yet: come to office hours",
          "--db", db)
    grade("export", "moodle", "--db", db, "--out", str(tmp_path / "moodle.csv"), "--roster", str(roster))
    moodle = rows(tmp_path / "moodle.csv")
    assert moodle[0] == ["Email address", "ID number", "Full name", "initialization", "Feedback: initialization"]
    assert moodle[1:] == [["jane@example.edu", "1001", "Jane Doe", "4", ""],
                          ["lukasz@example.edu", "1002", POLISH, "0", "Nothing implemented yet: come to office hours"],
                          ["ngozi@example.edu", "1003", "Ngozi Okafor", "4", ""]]
