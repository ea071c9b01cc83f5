"""Collecting LMS downloads into a class folder: Canvas, Moodle, GitHub Classroom, and hostile zips."""

from __future__ import annotations

import csv
import os
import zipfile
from pathlib import Path

import pytest
from lms_samples import (
    MASTER,
    MOODLE_ROSTER,
    POLISH,
    STARTER,
    add_symlink,
    write_canvas_zip,
    write_moodle_zip,
    write_roster,
    write_times,
)

from dnn_autograder.grader.classes.gradebook import Gradebook
from dnn_autograder.grader.classes.gradebook_tables import submission_times
from dnn_autograder.grader.errors import UsageError
from dnn_autograder.grader.lms import safezip
from dnn_autograder.grader.lms.canvas import parse_name
from dnn_autograder.grader.lms.collect import MANIFEST_NAME, read_manifest
from dnn_autograder.grader.lms.importer import collect
from dnn_autograder.grader.lms.roster_csv import read_roster_csv


@pytest.mark.parametrize(("name", "expected"), [
    ("doejane_4821_90001_Initialization.ipynb", ("doejane", False, "4821", 90001, "Initialization.ipynb", 0)),
    ("doejane_LATE_4821_90002_Initialization.ipynb", ("doejane", True, "4821", 90002, "Initialization.ipynb", 0)),
    ("doejane_4821_90003_Initialization-2.ipynb", ("doejane", False, "4821", 90003, "Initialization.ipynb", 2)),
    ("doejane_4821_90004_my_work_v2.py", ("doejane", False, "4821", 90004, "my_work_v2.py", 0)),
    ("żółćłukasz_LATE_4822_1_a-b-10.py", ("żółćłukasz", True, "4822", 1, "a-b.py", 10)),
], ids=["plain", "late", "resubmitted", "underscores-in-file", "non-ascii-late-resubmitted"])
def test_canvas_file_names_are_read_as_canvas_writes_them(name: str, expected: tuple) -> None:
    assert parse_name(name) == expected


@pytest.mark.parametrize("name", ["Initialization.ipynb", "doejane_Initialization.ipynb", "doejane_x_1_f.py"])
def test_names_not_in_canvas_form_are_not_parsed(name: str) -> None:
    assert parse_name(name) is None


def test_canvas_zip_keeps_the_latest_resubmission_and_never_drops_an_unknown_student(tmp_path: Path) -> None:
    out = tmp_path / "class"
    summary = collect("canvas", write_canvas_zip(tmp_path / "s.zip"), write_roster(tmp_path), out,
                      times=write_times(tmp_path), assignment="initialization", db=tmp_path / "gb.sqlite")
    assert (out / "s1001" / "Initialization.ipynb").read_bytes() == MASTER  # the -1 upload, not the first
    assert sorted(p.name for p in (out / "s1001").iterdir()) == ["Initialization.ipynb"]
    assert (out / "s1003" / "Initialization.ipynb").read_bytes() == STARTER
    assert (out / "canvas-4999" / "Initialization.ipynb").read_bytes() == MASTER  # kept, under its LMS id
    assert not (out / "s1004").exists()  # Ana submitted nothing
    assert [s.student for s in summary.unmatched] == ["canvas-4999"]
    rows = {r["student"]: r for r in csv.DictReader((out / MANIFEST_NAME).open(encoding="utf-8"))}
    assert set(rows) == {"s1001", "s1002", "s1003", "canvas-4999"}
    assert rows["canvas-4999"]["matched"] == "no" and rows["s1001"]["matched"] == "lms_id"
    assert rows["s1001"]["replaced"].startswith("Initialization.ipynb")
    assert rows["s1002"]["lms_late"] == "1" and rows["s1001"]["lms_late"] == "0"
    assert rows["s1002"]["submitted_at"] == "2026-12-07T00:00:00+00:00"
    assert rows["canvas-4999"]["submitted_at"] == "" and rows["canvas-4999"]["time_source"] == "unknown"
    with Gradebook(tmp_path / "gb.sqlite", readonly=True) as book:
        times = submission_times(book.connection)
    assert times[("s1002", "initialization")].submitted_at == "2026-12-07T00:00:00+00:00"
    assert times[("s1002", "initialization")].lms_late
    assert times[("canvas-4999", "initialization")].submitted_at is None


def test_without_a_times_file_times_are_unknown_whatever_the_zip_dates_say(tmp_path: Path) -> None:
    path = tmp_path / "s.zip"
    with zipfile.ZipFile(path, "w") as archive:
        info = zipfile.ZipInfo("doejane_4821_1_Initialization.ipynb", date_time=(2026, 12, 1, 12, 0, 0))
        archive.writestr(info, MASTER)
    collect("canvas", path, write_roster(tmp_path), tmp_path / "class")
    [row] = read_manifest(tmp_path / "class")
    assert (row.student, row.submitted_at, row.time_source) == ("s1001", None, "unknown")


def test_a_hostile_zip_writes_nothing_outside_the_class_folder(tmp_path: Path) -> None:
    path = write_canvas_zip(tmp_path / "s.zip", extra={
        "../../doejane_4821_5_escape.py": b"print('out')",
        "/etc/doejane_4821_6_abs.py": b"x",
        "doejane_4821_7_..": b"x",
    })
    add_symlink(path, "doejane_4821_8_link.py", "/etc/passwd")
    out = tmp_path / "deep" / "class"
    summary = collect("canvas", path, write_roster(tmp_path), out)
    written = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    assert written == {"s.zip", "roster.csv", f"deep/class/{MANIFEST_NAME}", "deep/class/s1001/Initialization.ipynb",
                       "deep/class/s1002/Initialization.ipynb", "deep/class/s1003/Initialization.ipynb",
                       "deep/class/canvas-4999/Initialization.ipynb"}
    assert not any(p.is_symlink() for p in out.rglob("*"))
    reasons = "\n".join(summary.skipped)
    assert "symbolic link" in reasons and reasons.count("outside the folder") == 2
    assert "doejane_4821_7_.." in reasons


def test_zip_caps_refuse_too_many_entries_or_bytes_and_skip_big_files(tmp_path: Path) -> None:
    path = write_canvas_zip(tmp_path / "s.zip")
    with zipfile.ZipFile(path) as archive:
        with pytest.raises(UsageError, match="entries"):
            safezip.members(archive, max_entries=3)
        with pytest.raises(UsageError, match="unpack"):
            safezip.members(archive, max_total_bytes=len(MASTER))
        kept, skipped = safezip.members(archive, max_file_bytes=len(STARTER))
    assert len(kept) == 2 and len(skipped) == 3 and all("bigger than" in s for s in skipped)


def test_a_member_longer_than_it_declares_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("doejane_4821_1_a.py", b"0" * 100_000)
    with zipfile.ZipFile(path) as archive:
        [member], _ = safezip.members(archive)
        lying = safezip.Member(member.parts, member.info)
        object.__setattr__(lying.info, "file_size", 10)  # the header says 10 bytes
        with pytest.raises(UsageError, match="lies about its size|more than it declares"):
            safezip.read(archive, lying)


def test_collect_refuses_to_mix_into_a_folder_that_already_holds_a_students_files(tmp_path: Path) -> None:
    out = tmp_path / "class"
    (out / "s1001").mkdir(parents=True)
    (out / "s1001" / "old.py").write_text("x = 1\n")
    with pytest.raises(UsageError, match="already holds"):
        collect("canvas", write_canvas_zip(tmp_path / "s.zip"), write_roster(tmp_path), out)


def test_moodle_download_matches_by_id_then_by_unicode_name_and_keeps_strangers(tmp_path: Path) -> None:
    roster = tmp_path / "moodle_roster.csv"
    roster.write_text(MOODLE_ROSTER, encoding="utf-8")
    out = tmp_path / "class"
    summary = collect("moodle", write_moodle_zip(tmp_path / "m.zip"), roster, out)
    matched = {s.student: s.matched for s in summary.students}
    assert matched == {"s1001": "lms_id", "s1002": "name", "s1003": "lms_id", "moodle-31009": "no"}
    assert (out / "s1001" / "Initialization.ipynb").read_bytes() == MASTER
    assert (out / "s1002" / "work" / "Initialization.ipynb").read_bytes() == STARTER  # sub-folder kept
    assert (out / "moodle-31009" / "Initialization.ipynb").is_file()
    assert any("onlinetext" in s for s in summary.skipped)
    assert not (out / "s1001" / "onlinetext.html").exists()
    assert {s.lms_name for s in summary.students if s.student == "s1002"} != {POLISH}  # as Moodle wrote it (NFD)


def test_an_unpacked_moodle_folder_is_read_without_following_links(tmp_path: Path) -> None:
    root = tmp_path / "download"
    folder = root / "Jane Doe_31001_assignsubmission_file_"
    folder.mkdir(parents=True)
    (folder / "Initialization.ipynb").write_bytes(MASTER)
    os.symlink("/etc/passwd", folder / "passwd.py")
    roster = tmp_path / "r.csv"
    roster.write_text(MOODLE_ROSTER, encoding="utf-8")
    summary = collect("moodle", root, roster, tmp_path / "class")
    assert [s.student for s in summary.students] == ["s1001"]
    assert sorted(p.name for p in (tmp_path / "class" / "s1001").iterdir()) == ["Initialization.ipynb"]
    assert any("passwd.py" in s for s in summary.skipped)


def test_github_classroom_repositories_map_usernames_and_skip_git(tmp_path: Path) -> None:
    root = tmp_path / "repos"
    for user, data in (("JaneDoe", MASTER), ("ghost", STARTER)):
        repo = root / f"init-{user}"
        (repo / ".git").mkdir(parents=True)
        (repo / ".git" / "config").write_text("[core]\n")
        (repo / "Initialization.ipynb").write_bytes(data)
    (root / "other-assignment-JaneDoe").mkdir()
    roster = tmp_path / "r.csv"
    roster.write_text("id,name,email,lms_id\ns1001,Jane Doe,jane@example.edu,janedoe\n", encoding="utf-8")
    summary = collect("github", root, roster, tmp_path / "class", prefix="init")
    assert {s.student: s.matched for s in summary.students} == {"s1001": "lms_id", "github-ghost": "no"}
    assert sorted(p.name for p in (tmp_path / "class" / "s1001").iterdir()) == ["Initialization.ipynb"]
    assert any("other-assignment-JaneDoe" in s for s in summary.skipped)


@pytest.mark.parametrize(("text", "message"), [
    ("id,name,email\ns1,A,a@x\n", "lacks the column"),
    ("id,name,email,lms_id\n../x,A,a@x,1\n", "folder name"),
    ("id,name,email,lms_id\n_hidden,A,a@x,1\n", "folder name"),
    ("id,name,email,lms_id\ns1,A,a@x,1\ns1,B,b@x,2\n", "given twice"),
    ("id,name,email,lms_id\ns1,A,a@x,1\ns2,B,b@x,1\n", "given twice"),
], ids=["missing-column", "traversal-id", "hidden-id", "duplicate-id", "duplicate-lms-id"])
def test_a_roster_that_cannot_map_students_safely_is_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "r.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError, match=message):
        read_roster_csv(path)


def test_roster_columns_are_matched_loosely_and_a_bom_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes("\ufeffID,Name,E-mail,LMS ID,SIS ID\ns1,Ana,a@x,77,S1\n".replace("E-mail", "Email").encode())
    roster = read_roster_csv(path)
    assert roster.by_lms_id("77") is not None and roster.by_lms_id("77").sis_id == "S1"


def test_two_lms_users_matching_one_student_are_never_merged(tmp_path: Path) -> None:
    path = tmp_path / "m.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Jane Doe_31001_assignsubmission_file_/a.py", b"x = 1\n")
        archive.writestr("Jane Doe_31077_assignsubmission_file_/a.py", b"x = 2\n")
    roster = tmp_path / "r.csv"
    roster.write_text("id,name,email,lms_id\ns1001,Jane Doe,jane@example.edu,\n", encoding="utf-8")
    summary = collect("moodle", path, roster, tmp_path / "class")
    assert {s.student: s.matched for s in summary.students} == {"s1001": "name", "moodle-31077": "no"}
    assert (tmp_path / "class" / "s1001" / "a.py").read_bytes() == b"x = 1\n"
    assert (tmp_path / "class" / "moodle-31077" / "a.py").read_bytes() == b"x = 2\n"
