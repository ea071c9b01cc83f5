"""From LMS entries to a class folder: match students, keep the latest files, write a manifest.

Every source (:mod:`.canvas`, :mod:`.moodle`, :mod:`.classroom`) yields :class:`Entry` items, one
per submitted file. :func:`write_class_folder`:

- maps each LMS user to a roster student (by LMS id, else, for sources that give names, by a
  unique name); a user matching nobody is *not dropped*: their files go to a folder named
  ``<source>-<lms id>`` (graded like everyone else), and the manifest and the summary list them;
  so does a second LMS user matching a student already matched (never a silent merge);
- keeps, for each student and file name, the latest resubmission (highest resubmission number,
  then highest LMS file id); the older ones are listed as replaced;
- writes ``CLASS_DIR/<student id>/<file>`` and ``CLASS_DIR/_collected.csv`` (the manifest; a
  leading ``_`` keeps it out of grading): one row per student with the LMS id and name, how they
  were matched, the files, the submission time and where it came from, and the LMS's late marker.

Submission times come only from the LMS: a times CSV exported from it (:func:`read_times`), or
none ("unknown"). File dates inside an archive and a notebook's own metadata are written by the
student's machine, so they are never used.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TextIO

from dnn_autograder.grader.classes.gradebook_tables import SubmissionTime
from dnn_autograder.grader.errors import UsageError
from dnn_autograder.grader.lms.roster_csv import ClassRoster
from dnn_autograder.grader.outputs.exports.files import atomic_path, write_atomic

MANIFEST_NAME = "_collected.csv"
MANIFEST_HEADER = ("student", "lms_id", "lms_name", "matched", "files", "replaced", "submitted_at",
                   "time_source", "lms_late")


@dataclass(frozen=True)
class Entry:
    """One file of one LMS user's submission.

    ``filename`` is the name the file gets in the student's folder (relative, ``/``-separated);
    ``version`` orders resubmissions of the same file (higher is newer); ``read`` returns the bytes.
    """

    source: str
    lms_id: str
    lms_name: str
    filename: str
    version: tuple[int, ...]
    read: Callable[[], bytes] = field(compare=False, repr=False)
    lms_late: bool = False


@dataclass(frozen=True)
class Collected:
    """One student's collected submission, as the manifest records it."""

    student: str
    lms_id: str
    lms_name: str
    matched: str  #: ``lms_id``, ``name`` or ``no``
    files: tuple[str, ...]
    replaced: tuple[str, ...]
    submitted_at: str | None
    time_source: str
    lms_late: bool


@dataclass(frozen=True)
class CollectSummary:
    """What :func:`write_class_folder` did; ``skipped`` names archive entries refused and why."""

    class_dir: Path
    students: tuple[Collected, ...]
    skipped: tuple[str, ...] = ()

    @property
    def unmatched(self) -> tuple[Collected, ...]:
        """Submissions that match no roster entry (kept, under ``<source>-<lms id>``)."""
        return tuple(s for s in self.students if s.matched == "no")

    def times(self, assignment: str) -> list[SubmissionTime]:
        """The submission times, for the gradebook."""
        return [SubmissionTime(s.student, assignment, s.submitted_at, s.time_source, s.lms_id, s.lms_late)
                for s in self.students]


def write_class_folder(entries: Iterable[Entry], roster: ClassRoster, class_dir: str | Path, *,
                       times: dict[str, str] | None = None, times_source: str = "",
                       skipped: Iterable[str] = ()) -> CollectSummary:
    """Write the class folder and its manifest (see the module doc); ``times``: ``{lms id: ISO time}``."""
    class_dir = Path(class_dir)
    by_user: dict[str, list[Entry]] = {}
    for entry in entries:
        by_user.setdefault(entry.lms_id, []).append(entry)
    matches: dict[str, tuple[str, str]] = {}
    for lms_id, files in sorted(by_user.items()):
        student, how = _match(roster, files[0])
        if any(taken == student for taken, _ in matches.values()):  # two LMS users, one student: no merge
            student, how = _unmatched(files[0]), "no"
        matches[lms_id] = (student, how)
    for student, _ in matches.values():  # check every folder before writing any
        if (class_dir / student).exists() and any((class_dir / student).iterdir()):
            raise UsageError(f"{class_dir / student} already holds files: collect into an empty folder")
    collected = []
    for lms_id, files in sorted(by_user.items()):
        student, matched = matches[lms_id]
        folder = class_dir / student
        latest, replaced = _latest(files)
        for entry in latest:
            target = folder.joinpath(*entry.filename.split("/"))
            with atomic_path(target) as tmp:
                tmp.write_bytes(entry.read())
        when = (times or {}).get(lms_id)
        collected.append(Collected(student, lms_id, files[0].lms_name, matched,
                                   tuple(e.filename for e in latest), replaced, when,
                                   times_source if when else "unknown", any(e.lms_late for e in latest)))
    collected.sort(key=lambda c: c.student)
    _write_manifest(class_dir / MANIFEST_NAME, collected)
    return CollectSummary(class_dir, tuple(collected), tuple(skipped))


def read_times(path: str | Path) -> dict[str, str]:
    """``{lms id: ISO 8601 time}`` from a times CSV exported from the LMS.

    The id column is the first of ``lms_id``, ``user_id``, ``id``, ``identifier`` (Moodle's
    ``Participant 123`` gives ``123``); the time column the first of ``submitted_at``,
    ``submitted``, ``submission_time``. Times must carry a UTC offset (``Z`` or ``+01:00``);
    an empty time means "not known".
    """
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read the times file {path}: {error}") from error
    reader = csv.DictReader(io.StringIO(text))
    columns = {c.strip().lower().replace(" ", "_"): c for c in reader.fieldnames or ()}
    id_column = next((columns[c] for c in ("lms_id", "user_id", "id", "identifier") if c in columns), None)
    time_column = next((columns[c] for c in ("submitted_at", "submitted", "submission_time") if c in columns), None)
    if id_column is None or time_column is None:
        raise UsageError(f"the times file {path} needs an id column (lms_id) and a time column (submitted_at)")
    times = {}
    for line, row in enumerate(reader, start=2):
        lms_id = (row.get(id_column) or "").strip().removeprefix("Participant ").strip()
        stamp = (row.get(time_column) or "").strip()
        if not lms_id or not stamp:
            continue
        try:
            moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError as error:
            raise UsageError(f"{path} line {line}: not an ISO 8601 time: {stamp!r}") from error
        if moment.utcoffset() is None:
            raise UsageError(f"{path} line {line}: the time {stamp!r} needs a UTC offset")
        times[lms_id] = moment.isoformat()
    return times


def _match(roster: ClassRoster, entry: Entry) -> tuple[str, str]:
    student = roster.by_lms_id(entry.lms_id)
    if student is not None:
        return student.id, "lms_id"
    student = roster.by_name(entry.lms_name) if entry.lms_name else None
    if student is not None:
        return student.id, "name"
    return _unmatched(entry), "no"


def _unmatched(entry: Entry) -> str:
    """The id of an LMS user matching no roster row: ``<source>-<lms id>`` (unsafe characters as ``_``)."""
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-.") else "_" for c in entry.lms_id)
    return f"{entry.source}-{safe or 'unknown'}"


def _latest(files: list[Entry]) -> tuple[list[Entry], tuple[str, ...]]:
    """The newest version of each file name, and labels of the older ones."""
    newest: dict[str, Entry] = {}
    replaced = []
    for entry in sorted(files, key=lambda e: e.version):
        if entry.filename in newest:
            replaced.append(f"{entry.filename} (an earlier upload)")
        newest[entry.filename] = entry
    return [newest[name] for name in sorted(newest)], tuple(replaced)


def _write_manifest(path: Path, rows: list[Collected]) -> None:
    def write(stream: TextIO) -> None:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(MANIFEST_HEADER)
        for c in rows:
            writer.writerow((c.student, c.lms_id, c.lms_name, c.matched, ";".join(c.files), ";".join(c.replaced),
                             c.submitted_at or "", c.time_source, int(c.lms_late)))

    write_atomic(path, write, newline="")


def read_manifest(class_dir: str | Path) -> list[Collected]:
    """The manifest a collect wrote into ``class_dir``."""
    path = Path(class_dir) / MANIFEST_NAME
    with open(path, encoding="utf-8", newline="") as stream:
        return [Collected(r["student"], r["lms_id"], r["lms_name"], r["matched"],
                          tuple(filter(None, r["files"].split(";"))), tuple(filter(None, r["replaced"].split(";"))),
                          r["submitted_at"] or None, r["time_source"], r["lms_late"] == "1")
                for r in csv.DictReader(stream)]


def safe_relative(parts: Iterable[str]) -> str | None:
    """``parts`` joined with ``/`` when every part is an ordinary name, else None."""
    cleaned = [p for p in parts if p not in ("", ".")]
    if not cleaned or any(p == ".." or p.startswith("/") or os.sep in p or "\x00" in p for p in cleaned):
        return None
    return "/".join(cleaned)
