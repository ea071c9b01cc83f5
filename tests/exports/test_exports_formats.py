"""The exports against their formats: JUnit XML (structure and counts), Gradescope's
results.json (keys and types), CSV (header, rows, round trip), and the results JSON round trip."""

from __future__ import annotations

import csv
import json
import math
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from export_samples import HOSTILE, class_results, optimization, submission
from junit_schema import junit_problems

from dnn_autograder.grader.outputs.exports import csv_export, gradescope, junit
from dnn_autograder.grader.outputs.exports.class_outputs import CLASS_FILES, student_folders, write_class_files
from dnn_autograder.grader.outputs.exports.files import atomic_path, write_text_atomic
from dnn_autograder.grader.outputs.exports.from_json import submission_from_dict
from dnn_autograder.grader.outputs.exports.text import csv_cell, unsurrogate, xml_text
from dnn_autograder.grader.outputs.results_json import submission_dict


def _strict_json(text: str):
    def no_constants(name: str):
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=no_constants)


# --- JUnit --------------------------------------------------------------------------------------


def test_junit_is_valid_and_counts_add_up(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    junit.write_junit(path, class_results())
    root = ET.parse(path).getroot()
    assert junit_problems(root) == []
    # alice 8 cases, bob 4, the hostile id 4, dave 1 (could not be read)
    # a missing function is a failure (it costs points): 3 wrong results + 2 missing
    assert root.get("tests") == "17" and root.get("failures") == "5"
    assert root.get("errors") == "3" and root.get("skipped") == "0"


def test_junit_maps_each_status_to_its_element(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    junit.write_junit(path, [submission("alice", optimization())])
    suite = ET.parse(path).getroot().find("testsuite")
    assert suite is not None and suite.get("name") == "alice/optimization"
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert cases["update_parameters_with_gd"].find("*") is None
    failure = cases["update_parameters_with_adam"].find("failure")
    assert failure is not None and failure.get("type") == "adam-no-bias-correction"
    assert "bias correction" in failure.get("message", "")
    assert 'parameters["W1"]: 1 of 2 elements differ' in (failure.text or "")
    assert cases["random_mini_batches"].find("error") is not None
    assert cases["initialize_velocity"].find("failure").get("type") == "missing"
    assert {c.get("classname") for c in cases.values()} == {"alice.optimization"}
    assert cases["update_parameters_with_adam"].find("system-out") is not None


def test_junit_unreadable_submission_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    junit.write_junit(path, [submission("dave", error="not valid notebook JSON")])
    root = ET.parse(path).getroot()
    assert junit_problems(root) == []
    error = root.find("testsuite/testcase/error")
    assert error is not None and error.get("message") == "not valid notebook JSON"


def test_junit_survives_hostile_text(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    junit.write_junit(path, class_results())
    text = path.read_text(encoding="utf-8")
    assert "\x00" not in text and "\x1b" not in text and "\ufffe" not in text
    root = ET.fromstring(text.encode("utf-8"))
    outputs = [e.text or "" for e in root.iter("system-out")]
    assert any("<b>&amp;</b>" in out and "]]>" in out for out in outputs)  # escaped, not lost
    names = [s.get("name") for s in root.iter("testsuite")]
    assert any("caf\\xe9" in (name or "") for name in names)


def test_junit_schema_check_catches_bad_documents() -> None:
    bad = ET.fromstring('<testsuites tests="2"><testsuite name="s" tests="2" failures="0" '
                        'errors="0" skipped="0" time="x"><testcase name="a" time="0"/>'
                        "</testsuite></testsuites>")
    problems = junit_problems(bad)
    assert any("time='x'" in p for p in problems)
    assert any("tests=2 but it holds 1" in p for p in problems)
    assert any("no classname" in p for p in problems)


# --- Gradescope ---------------------------------------------------------------------------------


def test_gradescope_results_have_the_documented_keys_and_types(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    result = class_results()[0]
    gradescope.write_results(path, result)
    data = _strict_json(path.read_text(encoding="utf-8"))
    assert isinstance(data["score"], float) and data["score"] == result.score
    assert isinstance(data["execution_time"], int) and data["execution_time"] == 2
    assert isinstance(data["output"], str) and data["stdout_visibility"] == "visible"
    assert data["visibility"] == "visible"
    assert len(data["tests"]) == 8
    for test in data["tests"]:
        assert isinstance(test["name"], str) and test["name"]
        assert isinstance(test["score"], float) and isinstance(test["max_score"], float)
        assert 0 <= test["score"] <= test["max_score"]
        assert test["status"] in ("passed", "failed") and test["visibility"] == "visible"
        assert isinstance(test["output"], str)
    assert math.isclose(sum(t["score"] for t in data["tests"]), data["score"])
    adam = next(t for t in data["tests"] if t["name"].endswith("update_parameters_with_adam"))
    assert adam["status"] == "failed" and "adam-no-bias-correction" in adam["output"]


def test_gradescope_unreadable_submission_explains_why(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    gradescope.write_results(path, class_results()[3])
    data = _strict_json(path.read_text(encoding="utf-8"))
    assert data["score"] == 0 and len(data["tests"]) == 1
    assert "not valid notebook JSON" in data["tests"][0]["output"]
    assert "\\ud800" not in path.read_text(encoding="utf-8")  # written as valid UTF-8


# --- CSV ----------------------------------------------------------------------------------------


def _read_csv(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as stream:
        return list(csv.reader(stream))


def test_long_csv_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "grades.csv"
    results = class_results()
    csv_export.write_long(path, results)
    rows = _read_csv(path)
    assert rows[0] == ["student", "assignment", "score", "max_score", "status"]
    parsed = [(s, a, float(x), float(m), t) for s, a, x, m, t in rows[1:]]
    expected = [(csv_cell(s), a, x, m, t) for s, a, x, m, t in csv_export.long_rows(results)]
    assert parsed == expected
    assert len(parsed) == 2 * len(results)  # every student, every class assignment
    assert ("alice", "optimization", 3.5, 8.0, "graded") in parsed
    assert ("bob", "optimization", 0.0, 8.0, "not_submitted") in parsed  # zero, with the max
    assert ("dave.ipynb", "regularization", 0.0, 10.0, "error") in parsed


def test_wide_csv_has_one_column_per_assignment(tmp_path: Path) -> None:
    path = tmp_path / "grades_wide.csv"
    csv_export.write_wide(path, class_results())
    rows = _read_csv(path)
    assert rows[0] == ["student", "optimization", "regularization", "total", "max_total"]
    by_student = {row[0]: row[1:] for row in rows[1:]}
    assert by_student["alice"] == ["3.5", "10", "13.5", "18"]
    assert by_student["bob"] == ["0", "8", "8", "18"]
    assert len(rows) == 5


def test_csv_neutralises_formulas_and_bad_text(tmp_path: Path) -> None:
    path = tmp_path / "grades.csv"
    csv_export.write_long(path, class_results())
    students = {row[0] for row in _read_csv(path)[1:]}
    hostile = next(s for s in students if "HYPERLINK" in s)
    assert hostile.startswith("'=") and "caf\\xe9" in hostile
    path.read_bytes().decode("utf-8")  # valid UTF-8 despite the surrogate


def test_csv_of_a_class_with_nothing_graded(tmp_path: Path) -> None:
    path = tmp_path / "grades.csv"
    csv_export.write_long(path, [submission("x", error="empty")])
    assert _read_csv(path) == [["student", "assignment", "score", "max_score", "status"],
                               ["x", "", "0", "0", "error"]]


# --- text, files, folders, JSON -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("plain é ✓", "plain é ✓"), ("caf\udce9", "caf\\xe9"), ("x\ud800y", "x\\xed\\xa0\\x80y")],
    ids=["unchanged", "escaped-byte", "lone-surrogate"],
)
def test_unsurrogate(text: str, expected: str) -> None:
    assert unsurrogate(text) == expected
    unsurrogate(text).encode("utf-8")


def test_xml_text_removes_what_xml_cannot_hold() -> None:
    assert xml_text("a\x00b\x08c\td\ne\x1b\ufffe") == "abc\td\ne"


def test_student_folders_are_safe_unique_and_stable() -> None:
    students = ["alice", "Alice", "../etc", "caf\\xe9", "a b/c", ".hidden", "summary.html",
                "ok-1.py"]
    folders = student_folders(students)
    assert folders["ok-1.py"] == "ok-1.py"
    assert folders["alice"].startswith("alice-") and folders["Alice"].startswith("Alice-")
    assert len({f.casefold() for f in folders.values()}) == len(students)
    for folder in folders.values():
        assert "/" not in folder and "\\" not in folder and not folder.startswith(".")
        assert folder not in CLASS_FILES
    assert student_folders(reversed(students)) == folders


def test_atomic_write_leaves_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    write_text_atomic(target, "old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("killed")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_results_json_round_trips() -> None:
    for result in class_results():
        data = json.loads(json.dumps(submission_dict(result)))
        assert submission_dict(submission_from_dict(data)) == data


def test_class_files_are_written(tmp_path: Path) -> None:
    results = class_results()
    folders = student_folders(r.student for r in results)
    paths = write_class_files(tmp_path, results, folders)
    assert {p.name for p in paths} == {"grades.csv", "grades_wide.csv", "junit.xml",
                                       "results.json", "summary.html"}
    summary = (tmp_path / "summary.html").read_text(encoding="utf-8")
    assert "<evil>" not in summary and "alice" in summary
    assert len(_strict_json((tmp_path / "results.json").read_text())["submissions"]) == 4
    assert HOSTILE  # the samples do carry hostile text


def test_atomic_writes_get_the_usual_permissions(tmp_path: Path) -> None:
    target = tmp_path / "grades.csv"
    write_text_atomic(target, "x")
    mask = os.umask(0o022)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask  # not mkstemp's 0600
