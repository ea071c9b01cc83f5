"""``grade export canvas|moodle|feedback|grades --db FILE --out FILE_OR_DIR [--roster R.csv]``.

Hands the gradebook's final grades back (:func:`dnn_autograder.grader.outputs.handback.export`):
``canvas`` and ``moodle`` write the LMS's grade import CSV (they need the roster for the LMS's
ids; ``--column NAME=HEADER`` names an assignment's column, e.g. ``regularization="Regularization
(48213)"`` for an existing Canvas assignment), ``feedback`` a folder of per-student reports and
results, ``grades`` ``grades_final.csv`` and ``grades_final_wide.csv``. Students missing from the
roster and overrides awaiting review are listed on stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from dnn_autograder.grader.commands.hand import add_db, run
from dnn_autograder.grader.errors import ExitCode, UsageError
from dnn_autograder.grader.outputs.handback import FORMATS, export


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grade export", description="Export final grades for an LMS or students.")
    parser.add_argument("format", choices=FORMATS)
    add_db(parser)
    parser.add_argument("--out", required=True, metavar="FILE_OR_DIR")
    parser.add_argument("--roster", metavar="CSV", help="the roster (canvas, moodle)")
    parser.add_argument("--column", action="append", default=[], metavar="NAME=HEADER",
                        help="the LMS column header of an assignment (repeatable)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return run("export", build_parser(), argv, _export)


def _export(args: argparse.Namespace) -> int:
    columns = {}
    for item in args.column:
        name, sep, header = item.partition("=")
        if not sep or not name or not header:
            raise UsageError(f"--column takes NAME=HEADER, not {item!r}")
        columns[name] = header
    summary = export(args.format, args.db, args.out, roster=args.roster, columns=columns)
    print(f"wrote {', '.join(map(str, summary.paths))} ({summary.rows} grade(s))")
    for student in summary.left_out:
        print(f"grade export: warning: {student} is not in the roster: left out of {args.out}", file=sys.stderr)
    for item in summary.needs_review:
        print(f"grade export: warning: override of {item} needs review (the autograded score changed; "
              "see 'grade adjustments')", file=sys.stderr)
    for problem in summary.problems:
        print(f"grade export: warning: {problem}", file=sys.stderr)
    return ExitCode.OK
