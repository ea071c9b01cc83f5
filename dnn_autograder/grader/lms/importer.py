"""``collect``: an LMS download into a class folder, in one call (the library twin of ``grade collect``).

``collect("canvas", "submissions.zip", "roster.csv", "week2/")`` reads the download
(:mod:`.canvas`, :mod:`.moodle` or :mod:`.classroom`), writes the class folder and its manifest
(:mod:`.collect`) and, given a gradebook and an assignment, records the submission times in it
for the late policy.
"""

from __future__ import annotations

from pathlib import Path

from dnn_autograder.grader.classes.gradebook import Gradebook
from dnn_autograder.grader.classes.gradebook_tables import record_times
from dnn_autograder.grader.errors import UsageError
from dnn_autograder.grader.lms.canvas import read_canvas_zip
from dnn_autograder.grader.lms.classroom import read_classroom
from dnn_autograder.grader.lms.collect import CollectSummary, read_times, write_class_folder
from dnn_autograder.grader.lms.moodle import read_moodle
from dnn_autograder.grader.lms.roster_csv import read_roster_csv

SOURCES = ("canvas", "moodle", "github")


def collect(source: str, download: str | Path, roster: str | Path, class_dir: str | Path, *,
            times: str | Path | None = None, assignment: str | None = None, db: str | Path | None = None,
            prefix: str | None = None) -> CollectSummary:
    """Collect ``download`` into ``class_dir`` (see the module doc).

    Args:
        source: ``canvas``, ``moodle`` or ``github`` (GitHub Classroom).
        times: a times CSV from the LMS (:func:`.collect.read_times`); without it times are unknown.
        assignment: the assignment collected (needed to record times in ``db``).
        db: the gradebook to record submission times in.
        prefix: GitHub Classroom's assignment prefix (default: ``assignment``).
    """
    if source not in SOURCES:
        raise UsageError(f"the source must be one of {', '.join(SOURCES)}, not {source!r}")
    if not Path(download).exists():
        raise UsageError(f"no such file or folder: {download}")
    if db is not None and assignment is None:
        raise UsageError("recording submission times in a gradebook needs --assignment")
    class_roster = read_roster_csv(roster)
    if source == "canvas":
        entries, skipped = read_canvas_zip(download)
    elif source == "moodle":
        entries, skipped = read_moodle(download)
    else:
        if not (prefix or assignment):
            raise UsageError("GitHub Classroom repositories are named <prefix>-<username>: give --prefix")
        entries, skipped = read_classroom(download, prefix or assignment or "")
    known = read_times(times) if times is not None else None
    summary = write_class_folder(entries, class_roster, class_dir, times=known,
                                 times_source=f"{Path(times).name}" if times is not None else "",
                                 skipped=skipped)
    if db is not None and assignment is not None:
        with Gradebook(db) as book, book.transaction():
            record_times(book.connection, summary.times(assignment))
    return summary
