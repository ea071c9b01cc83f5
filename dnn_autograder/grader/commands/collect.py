"""``grade collect SOURCE PATH --roster R.csv --out CLASS_DIR``: an LMS download into a class folder.

SOURCE is ``canvas`` (the "Download Submissions" zip), ``moodle`` (the "Download all
submissions" zip or its unpacked folder) or ``github`` (a folder of GitHub Classroom
repositories, ``--prefix``). See :mod:`dnn_autograder.grader.lms` for what is read and how
students are matched; ``--times CSV`` gives submission times exported from the LMS, and with
``--db`` and ``--assignment`` they are recorded in the gradebook for the late policy.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from dnn_autograder.grader.commands.hand import run
from dnn_autograder.grader.errors import ExitCode
from dnn_autograder.grader.lms.collect import MANIFEST_NAME
from dnn_autograder.grader.lms.importer import SOURCES, collect


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grade collect", description="Turn an LMS download into a class folder.")
    parser.add_argument("source", choices=SOURCES, help="where the download comes from")
    parser.add_argument("path", metavar="PATH", help="the zip (Canvas, Moodle) or folder (Moodle, GitHub Classroom)")
    parser.add_argument("--roster", metavar="CSV", required=True, help="the roster: id,name,email,lms_id")
    parser.add_argument("--out", metavar="CLASS_DIR", required=True, help="the class folder to write")
    parser.add_argument("--times", metavar="CSV", help="submission times from the LMS: lms_id,submitted_at")
    parser.add_argument("--assignment", metavar="NAME", help="the assignment collected (to record times)")
    parser.add_argument("--db", metavar="FILE", help="record the submission times in this gradebook")
    parser.add_argument("--prefix", metavar="P", help="GitHub Classroom: repositories are named P-<username>")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return run("collect", build_parser(), argv, _collect)


def _collect(args: argparse.Namespace) -> int:
    summary = collect(args.source, args.path, args.roster, args.out, times=args.times,
                      assignment=args.assignment, db=args.db, prefix=args.prefix)
    known = sum(1 for s in summary.students if s.submitted_at)
    print(f"collected {len(summary.students)} submission(s) into {summary.class_dir} "
          f"(manifest: {summary.class_dir / MANIFEST_NAME}); submission times known for {known}")
    for item in summary.unmatched:
        print(f"not in the roster: LMS id {item.lms_id} ({item.lms_name or 'no name'}) -> kept as {item.student}")
    for reason in summary.skipped:
        print(f"skipped {reason}")
    if args.db:
        print(f"submission times recorded in {args.db}")
    return ExitCode.OK
