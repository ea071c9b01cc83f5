"""Which output flags of ``grade`` can do what they say for the paths given.

Every flag that names a file or folder must write it, so a combination that could not (one
``--html`` report for several submissions, Gradescope's one-submission ``results.json`` for a
class, a class graded into nowhere) is a usage error, raised before any grading, that says what
to do instead:

- a class folder needs ``--out DIR`` (its reports, ``grades.csv``, ``junit.xml`` and gradebook
  go there), and takes neither ``--html`` nor ``--gradescope`` (one submission's files);
- ``--html FILE`` and ``--gradescope FILE`` take exactly one submission;
- ``--out``, ``--gradebook``, ``--jobs`` and ``--force`` are for a class folder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dnn_autograder.grader.errors import UsageError


@dataclass(frozen=True)
class OutputFlags:
    """The output-related options of one ``grade`` run (None or False: not given)."""

    json: str | None = None
    html: str | None = None
    gradescope: str | None = None
    out: str | None = None
    gradebook: str | None = None
    jobs: int | None = None
    force: bool = False


def check_output_flags(flags: OutputFlags, classes: Sequence[Path], singles: Sequence[Path]) -> None:
    """Raise :class:`UsageError` when a flag cannot write what it names for these paths.

    Args:
        classes: the paths to grade as class folders.
        singles: the paths to grade as one submission each.
    """
    if classes:
        _check_class(flags, classes, singles)
        return
    class_only = [name for name, value in (("--out", flags.out), ("--gradebook", flags.gradebook),
                                           ("--jobs", flags.jobs), ("--force", flags.force)) if value]
    if class_only:
        raise UsageError(
            f"{', '.join(class_only)} {'is' if len(class_only) == 1 else 'are'} for a class folder (one"
            " sub-folder or file per student); for one submission use --json FILE and --html FILE"
            " (add --layout class if the folder is a class)")
    for flag, value, what in (("--html", flags.html, "one HTML report"),
                              ("--gradescope", flags.gradescope, "Gradescope's results for one submission")):
        if value and len(singles) > 1:
            raise UsageError(
                f"{flag} writes {what}, but {len(singles)} submissions were given: give one"
                " submission per run, or put them in a class folder (one sub-folder or file per"
                " student) and use --out DIR, which writes DIR/<student>/report.html and"
                " result.json for each")


def _check_class(flags: OutputFlags, classes: Sequence[Path], singles: Sequence[Path]) -> None:
    where = classes[0]
    if len(classes) + len(singles) > 1:
        raise UsageError(f"{where} is a class folder: grade one class per run (--out DIR takes one class)")
    if not flags.out:
        raise UsageError(
            f"{where} is a class folder (one sub-folder or file per student): give --out DIR,"
            " where each student's report.html and result.json, grades.csv, junit.xml and the"
            " gradebook are written (or --layout student if it is one student's submission)")
    for flag, value in (("--html", flags.html), ("--gradescope", flags.gradescope)):
        if value:
            raise UsageError(
                f"{flag} writes one submission's file; for a class, --out DIR already writes"
                " DIR/<student>/report.html and DIR/<student>/result.json for every student"
                " (Gradescope grades one submission per run: give it that submission's folder)")
