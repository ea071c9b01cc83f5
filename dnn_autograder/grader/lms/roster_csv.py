"""The class roster CSV: who the students are and their ids in each system.

A UTF-8 CSV (a byte-order mark is fine) with a header row; column names are matched without
regard to case, spaces or underscores. Required: ``id`` (the student id the grader uses: the
class folder's sub-folder names and the gradebook's student), ``name``, ``email``, ``lms_id``
(the LMS's user id: Canvas's user id, Moodle's participant id, or the GitHub username for GitHub
Classroom). Optional, used by the exports: ``sis_id``, ``login_id`` (Canvas's SIS User ID and SIS
Login ID), ``section``, ``idnumber`` (Moodle's ID number).

Ids must be usable as folder names (letters, digits, ``_ . -``, not starting with ``.`` or
``_``) and unique, as must LMS ids; a roster that breaks this is refused with the rows named.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from dnn_autograder.grader.errors import UsageError

REQUIRED = ("id", "name", "email", "lms_id")
OPTIONAL = ("sis_id", "login_id", "section", "idnumber")
_SAFE_ID = re.compile(r"[A-Za-z0-9][\w.-]*", re.ASCII)


@dataclass(frozen=True)
class Student:
    """One roster row."""

    id: str
    name: str
    email: str
    lms_id: str
    sis_id: str = ""
    login_id: str = ""
    section: str = ""
    idnumber: str = ""


@dataclass(frozen=True)
class ClassRoster:
    """The roster, with lookups by LMS id and by name."""

    students: tuple[Student, ...]

    def by_lms_id(self, lms_id: str) -> Student | None:
        """The student with this LMS id (GitHub usernames: case ignored)."""
        wanted = lms_id.strip().casefold()
        return next((s for s in self.students if s.lms_id.casefold() == wanted), None)

    def by_name(self, name: str) -> Student | None:
        """The only student with this name (Unicode-normalised, case ignored), else None."""
        found = [s for s in self.students if _name_key(s.name) == _name_key(name)]
        return found[0] if len(found) == 1 else None

    def by_id(self, student_id: str) -> Student | None:
        """The student with this grader id."""
        return next((s for s in self.students if s.id == student_id), None)


def read_roster_csv(path: str | Path) -> ClassRoster:
    """Read and check a roster CSV (see the module doc)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read the roster {path}: {error}") from error
    reader = csv.DictReader(text.splitlines())
    columns = {_column_key(c): c for c in reader.fieldnames or ()}
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise UsageError(f"the roster {path} lacks the column(s) {', '.join(missing)} "
                         f"(it needs {', '.join(REQUIRED)})")
    students = []
    for line, row in enumerate(reader, start=2):
        values = {key: (row.get(columns[key]) or "").strip() for key in (*REQUIRED, *OPTIONAL) if key in columns}
        if not any(values.values()):
            continue
        if not _SAFE_ID.fullmatch(values["id"]):
            raise UsageError(f"roster line {line}: the id {values['id']!r} cannot be a folder name "
                             "(letters, digits, '_', '.', '-')")
        students.append(Student(**values))
    _check_unique(students, "id", path)
    _check_unique([s for s in students if s.lms_id], "lms_id", path)
    return ClassRoster(tuple(students))


def _check_unique(students: list[Student], field: str, path: str | Path) -> None:
    seen: dict[str, str] = {}
    for student in students:
        key = getattr(student, field).casefold()
        if key in seen:
            raise UsageError(f"the roster {path}: {field} {getattr(student, field)!r} is given twice")
        seen[key] = student.id


def _column_key(name: str) -> str:
    return re.sub(r"[\s_-]+", "_", name.strip().lower())


def _name_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())
