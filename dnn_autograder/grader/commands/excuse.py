"""``grade excuse STUDENT ASSIGNMENT [--comment "..."] [--by NAME]``: the assignment does not count
for the student (no final score; ``EX`` in a Canvas export). See :func:`dnn_autograder.grader.classes.adjust.excuse`."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from dnn_autograder.grader.classes.adjust import excuse
from dnn_autograder.grader.commands.hand import add_db, run
from dnn_autograder.grader.errors import ExitCode


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grade excuse", description="Excuse a student from an assignment.")
    parser.add_argument("student", metavar="STUDENT")
    parser.add_argument("assignment", metavar="ASSIGNMENT")
    parser.add_argument("--comment", default="", help="why (shown to the student)")
    parser.add_argument("--by", metavar="NAME", help="who decided (default: $USER)")
    add_db(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return run("excuse", build_parser(), argv, _excuse)


def _excuse(args: argparse.Namespace) -> int:
    row = excuse(args.db, args.student, args.assignment, comment=args.comment, by=args.by)
    print(f"excusal {row}: {args.student} {args.assignment}")
    return ExitCode.OK
