"""Hand-back exports checked against the formats the LMSs document (columns written out here, not
taken from the code): Canvas's gradebook import, Moodle's grade import, the feedback folder."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from lms_samples import KEY, POLISH, graded, write_roster

from dnn_autograder.grader.classes import adjust
from dnn_autograder.grader.classes.gradebook import Gradebook
from dnn_autograder.grader.commands import export as export_command
from dnn_autograder.grader.errors import ExitCode
from dnn_autograder.grader.outputs.handback import export

#: Canvas's gradebook import: these five columns first, then "Assignment name (assignment id)".
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


@pytest.fixture
def book_path(tmp_path: Path) -> Path:
    """s1001 full marks, s1002 (non-ASCII name) overridden, s1003 excused, s1004 not graded,
    canvas-4999 in no roster."""
    path = tmp_path / "gradebook.sqlite"
    with Gradebook(path) as book:
        for student, he in (("s1001", 2.0), ("s1002", 0.0), ("s1003", 1.0), ("canvas-4999", 2.0)):
            book.record(graded(student, he=he), KEY)
    adjust.override(path, "s1002", "initialization", 2.5, comment="partial credit, by hand", by="ta")
    adjust.excuse(path, "s1003", "initialization", by="prof")
    return path


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.reader(stream))


def test_canvas_import_csv_has_its_required_columns_points_row_and_ex(tmp_path: Path, book_path: Path) -> None:
    out = tmp_path / "canvas.csv"
    summary = export("canvas", book_path, out, roster=write_roster(tmp_path),
                     columns={"initialization": "Initialization (48213)"})
    rows = read_rows(out)
    assert rows[0] == [*CANVAS_COLUMNS, "Initialization (48213)"]
    assert rows[1][0].strip() == "Points Possible" and rows[1][-1] == "3"
    assert rows[2:] == [
        ["Doe, Jane", "4821", "S1001", "jdoe", "Section A", "3"],
        [POLISH, "4822", "S1002", "lzolc", "Section A", "2.5"],
        ["Ngozi Okafor", "4823", "S1003", "nokafor", "Section B", "EX"],
    ]
    assert summary.left_out == ("canvas-4999",)


def test_moodle_import_csv_has_an_identifier_column_and_one_column_per_grade_item(tmp_path: Path,
                                                                                  book_path: Path) -> None:
    out = tmp_path / "moodle.csv"
    export("moodle", book_path, out, roster=write_roster(tmp_path))
    rows = read_rows(out)
    assert rows[0] == ["Email address", "ID number", "Full name", "initialization", "Feedback: initialization"]
    assert [row[:4] for row in rows[1:]] == [["jane@example.edu", "1001", "Doe, Jane", "3"],
                                             ["lukasz@example.edu", "1002", POLISH, "2.5"],
                                             ["ngozi@example.edu", "1003", "Ngozi Okafor", ""]]
    assert rows[2][4] == "partial credit, by hand"


def test_final_grades_csv_shows_raw_override_penalty_and_final(tmp_path: Path, book_path: Path) -> None:
    export("grades", book_path, tmp_path / "final")
    rows = {r["student"]: r for r in csv.DictReader((tmp_path / "final" / "grades_final.csv").open(encoding="utf-8"))}
    assert {k: rows["s1002"][k] for k in ("raw_score", "override", "penalty", "final_score", "excused")} == {
        "raw_score": "1", "override": "2.5", "penalty": "0", "final_score": "2.5", "excused": "0"}
    assert (rows["s1003"]["excused"], rows["s1003"]["final_score"]) == ("1", "")
    wide = read_rows(tmp_path / "final" / "grades_final_wide.csv")
    assert wide[0] == ["student", "initialization", "total", "max_total"]
    assert ["s1003", "EX", "0", "0"] in wide and ["s1002", "2.5", "2.5", "3"] in wide


def test_feedback_folder_holds_a_report_and_result_per_student_with_the_final_grade(tmp_path: Path,
                                                                                     book_path: Path) -> None:
    out = tmp_path / "feedback"
    summary = export("feedback", book_path, out)
    assert summary.problems == ()
    assert sorted(p.name for p in out.iterdir()) == ["canvas-4999", "feedback.csv", "s1001", "s1002", "s1003"]
    for student in ("canvas-4999", "s1001", "s1002", "s1003"):
        assert sorted(p.name for p in (out / student).iterdir()) == ["report.html", "result.json"]
    data = json.loads((out / "s1002" / "result.json").read_text(encoding="utf-8"))
    [final] = data["final_grades"]
    assert (final["raw_score"], final["override"], final["final_score"]) == (1.0, 2.5, 2.5)
    assert "needs_review" not in final
    report = (out / "s1002" / "report.html").read_text(encoding="utf-8")
    assert "Final grade" in report and "partial credit, by hand" in report and "2.5 / 3" in report
    assert "excused" in (out / "s1003" / "report.html").read_text(encoding="utf-8")


def test_export_command_warns_about_students_missing_from_the_roster_and_needs_review(
        tmp_path: Path, book_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Gradebook(book_path) as book:
        book.record(graded("s1002", he=2.0), KEY)  # re-graded under the override
    code = export_command.main(["canvas", "--db", str(book_path), "--out", str(tmp_path / "c.csv"),
                                "--roster", str(write_roster(tmp_path))])
    err = capsys.readouterr().err
    assert code == ExitCode.OK
    assert "canvas-4999 is not in the roster" in err and "s1002/initialization needs review" in err
    assert export_command.main(["canvas", "--db", str(book_path), "--out", str(tmp_path / "c.csv")]) == ExitCode.USAGE
    assert "needs the roster" in capsys.readouterr().err
