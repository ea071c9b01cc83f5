"""``grade comment STUDENT ASSIGNMENT --comment "..." [--by NAME]``: a comment only, no score change;
shown in the feedback report and the exports. See :func:`dnn_autograder.grader.classes.adjust.add_comment`."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from dnn_autograder.grader.classes.adjust import add_comment
from dnn_autograder.grader.commands.hand import add_db, run
from dnn_autograder.grader.errors import ExitCode


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grade comment", description="Add a comment to a grade.")
    parser.add_argument("student", metavar="STUDENT")
    parser.add_argument("assignment", metavar="ASSIGNMENT")
    parser.add_argument("--comment", required=True, help="the comment (shown to the student)")
    parser.add_argument("--by", metavar="NAME", help="who wrote it (default: $USER)")
    add_db(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return run("comment", build_parser(), argv, _comment)


def _comment(args: argparse.Namespace) -> int:
    row = add_comment(args.db, args.student, args.assignment, args.comment, by=args.by)
    print(f"comment {row}: {args.student} {args.assignment}")
    return ExitCode.OK
