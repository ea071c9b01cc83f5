"""Canvas's "Download Submissions" zip.

Canvas names every file of the zip ``<name>_<user id>_<file id>_<original file name>``, with
``LATE_`` after the name when Canvas counted the submission late:
``doejane_LATE_4821_99120_Regularization.ipynb``. ``<name>`` is the student's sortable name
squashed to lower case, so students are matched by the user id (the roster's ``lms_id``). When a
student uploads a file under a name they used before, Canvas adds ``-1``, ``-2`` ... before the
extension (``Regularization-2.ipynb``): those are resubmissions of one file, and only the
latest (highest number, then highest file id) is kept, under the original name.

The zip holds no submission times (the dates of its entries are when the zip was made or what
the student's machine said): give them in a times CSV (``--times``), or they are "unknown".
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from dnn_autograder.grader.errors import UsageError
from dnn_autograder.grader.lms import safezip
from dnn_autograder.grader.lms.collect import Entry, safe_relative

SOURCE = "canvas"
_NAME = re.compile(r"(?P<name>.*?)_(?P<late>LATE_)?(?P<user>\d+)_(?P<file_id>\d+)_(?P<file>.+)", re.DOTALL)
_RESUBMISSION = re.compile(r"(?P<stem>.+)-(?P<n>\d{1,3})(?P<suffix>\.[^.]+)?")


def parse_name(name: str) -> tuple[str, bool, str, int, str, int] | None:
    """``(name, late, user id, file id, original file name, resubmission number)`` of a zip entry's
    file name, or None when it is not in Canvas's form."""
    match = _NAME.fullmatch(name)
    if match is None:
        return None
    original, number = match["file"], 0
    again = _RESUBMISSION.fullmatch(original)
    if again is not None:
        original, number = again["stem"] + (again["suffix"] or ""), int(again["n"])
    return match["name"], bool(match["late"]), match["user"], int(match["file_id"]), original, number


def read_canvas_zip(path: str | Path) -> tuple[list[Entry], list[str]]:
    """``(entries, "name: reason" of entries skipped)`` of a Canvas submissions zip."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        raise UsageError(f"cannot read the Canvas zip {path}: {error}") from error
    members, skipped = safezip.members(archive)
    entries = list(_entries(archive, members, skipped))
    return entries, skipped


def _entries(archive: zipfile.ZipFile, members: list[safezip.Member], skipped: list[str]) -> Iterator[Entry]:
    for member in members:
        parsed = parse_name(member.parts[-1])
        filename = safe_relative([parsed[4]]) if parsed else None
        if parsed is None or filename is None:
            skipped.append(f"{member.info.filename!r}: not named <name>_<user id>_<file id>_<file> as Canvas does")
            continue
        name, late, user, file_id, _, number = parsed
        yield Entry(SOURCE, user, name, filename, (number, file_id), _reader(archive, member), lms_late=late)


def _reader(archive: zipfile.ZipFile, member: safezip.Member) -> Callable[[], bytes]:
    return lambda: safezip.read(archive, member)
