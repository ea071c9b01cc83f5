"""Realistic LMS downloads built in a temporary folder: a Canvas submissions zip, a Moodle
download, a GitHub Classroom folder, a roster and a times CSV.

The submissions are real notebooks: the answer key of ``initialization`` (``master.ipynb``,
full marks) and its starter (nothing implemented), so grading them gives known, different scores.
"""

from __future__ import annotations

import stat
import unicodedata
import zipfile
from pathlib import Path

import dnn_autograder
from dnn_autograder.grader.classes.gradebook import GradeKey
from dnn_autograder.grader.model import AssignmentResult, FunctionResult, SubmissionResult

PACKAGE = Path(dnn_autograder.__file__).parent
MASTER = (PACKAGE / "assignments" / "initialization" / "master.ipynb").read_bytes()
STARTER = (PACKAGE / "assignments" / "initialization" / "starter.ipynb").read_bytes()

#: A name with characters outside ASCII, written decomposed (NFD) by the LMS and composed in the roster.
POLISH = "Łukasz Żółć"

ROSTER = (
    "id,name,email,lms_id,sis_id,login_id,section,idnumber\n"
    's1001,"Doe, Jane",jane@example.edu,4821,S1001,jdoe,Section A,1001\n'
    f"s1002,{POLISH},lukasz@example.edu,4822,S1002,lzolc,Section A,1002\n"
    "s1003,Ngozi Okafor,ngozi@example.edu,4823,S1003,nokafor,Section B,1003\n"
    "s1004,Ana Lima,ana@example.edu,4824,S1004,alima,Section B,1004\n"
)

#: Canvas zip entry -> bytes. Jane resubmitted (the ``-1`` file is the newer, full-marks one),
#: Łukasz was late (Canvas's LATE marker), user 4999 is in no roster, Ana submitted nothing.
CANVAS_FILES = {
    "doejane_4821_90001_Initialization.ipynb": STARTER,
    "doejane_4821_90011_Initialization-1.ipynb": MASTER,
    "zolclukasz_LATE_4822_90002_Initialization.ipynb": MASTER,
    "okaforngozi_4823_90003_Initialization.ipynb": STARTER,
    "strangerpat_4999_90004_Initialization.ipynb": MASTER,
}

#: lms id -> submitted at (Canvas's submissions, exported): Łukasz 2 days and 1 minute late.
TIMES = (
    "lms_id,submitted_at\n"
    "4821,2026-12-04T20:00:00Z\n"
    "4822,2026-12-07T00:00:00Z\n"
    "4823,2026-12-04T23:59:00Z\n"
)

POLICY = """
[initialization]
deadline = 2026-12-04T23:59:00Z
grace_minutes = 10
penalty_per_day = 0.1
max_penalty = 0.5
cutoff = 2026-12-11T23:59:00Z
"""


def write_roster(folder: Path) -> Path:
    path = folder / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    return path


def write_times(folder: Path) -> Path:
    path = folder / "times.csv"
    path.write_text(TIMES, encoding="utf-8")
    return path


def write_canvas_zip(path: Path, extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in {**CANVAS_FILES, **(extra or {})}.items():
            archive.writestr(name, data)
    return path


def add_symlink(path: Path, name: str, target: str) -> None:
    """Append a zip entry that is a symbolic link (Unix mode in the external attributes)."""
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(info, target)


def write_moodle_zip(path: Path) -> Path:
    """A Moodle "download as folders" zip: participant ids differ from Canvas's, so Jane and Ngozi
    are matched by a Moodle roster, Łukasz by his (decomposed) name, and one person by nothing."""
    files = {
        "Jane Doe_31001_assignsubmission_file_/Initialization.ipynb": MASTER,
        "Jane Doe_31001_assignsubmission_onlinetext_/onlinetext.html": b"<p>see my notebook</p>",
        f"{unicodedata.normalize('NFD', POLISH)}_31002_assignsubmission_file_/work/Initialization.ipynb": STARTER,
        "Ngozi Okafor_31003_assignsubmission_file_/Initialization.ipynb": MASTER,
        "Pat Stranger_31009_assignsubmission_file_/Initialization.ipynb": STARTER,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


MOODLE_ROSTER = (
    "id,name,email,lms_id,idnumber\n"
    "s1001,Jane Doe,jane@example.edu,31001,1001\n"
    f"s1002,{POLISH},lukasz@example.edu,,1002\n"
    "s1003,Ngozi Okafor,ngozi@example.edu,31003,1003\n"
)


KEY = GradeKey("files", "initialization=digest", "test")


def graded(student: str, *, zeros: float = 1.0, he: float = 0.0) -> SubmissionResult:
    """An initialization-like result: ``zeros`` out of 1 and ``he`` out of 2."""
    functions = (FunctionResult("zeros", zeros, 1.0, "passed" if zeros else "failed"),
                 FunctionResult("he", he, 2.0, "passed" if he == 2 else "failed"))
    assignment = AssignmentResult("initialization", "Initialization", zeros + he, 3.0, functions)
    return SubmissionResult(submission=f"class/{student}", score=zeros + he, max_score=3.0,
                            assignments=(assignment,), student=student, graded_at="2026-12-05T00:00:00+00:00")
