"""A GitHub Classroom download: a folder of per-student repositories ``<assignment>-<username>/``.

The ``gh classroom clone student-repos`` command (and the Classroom assistant) writes one
repository per student named after the assignment prefix and the student's GitHub username. The
username is the LMS id (the roster's ``lms_id``; case ignored). The repository's files are
collected except the ``.git`` folder, other hidden files, links and special files.

Commit dates are set by the student's machine, so they are not evidence of when work was
submitted: give times in a times CSV (``--times``), or they are "unknown".
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from dnn_autograder.grader.errors import UsageError
from dnn_autograder.grader.lms.collect import Entry, safe_relative
from dnn_autograder.grader.lms.moodle import read_regular, walk_files

SOURCE = "github"


def read_classroom(folder: str | Path, prefix: str) -> tuple[list[Entry], list[str]]:
    """``(entries, "name: reason" skipped)`` of the repositories ``<prefix>-<username>/`` in ``folder``."""
    root = Path(folder)
    if not root.is_dir():
        raise UsageError(f"not a folder of GitHub Classroom repositories: {root}")
    entries, skipped = [], []
    for repo in sorted(root.iterdir()):
        if not repo.name.startswith(f"{prefix}-") or repo.is_symlink() or not repo.is_dir():
            skipped.append(f"{repo.name!r}: not a repository named {prefix}-<username>")
            continue
        username = repo.name[len(prefix) + 1:]
        for file in walk_files(repo, skipped, hidden=False):
            parts = file.relative_to(repo).parts
            filename = safe_relative(parts)
            if filename is not None:
                entries.append(Entry(SOURCE, username, "", filename, (0,), partial(read_regular, file)))
    return entries, skipped
