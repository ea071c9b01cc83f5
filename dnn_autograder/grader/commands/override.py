"""``grade override STUDENT ASSIGNMENT [FUNCTION] --score N --comment "..." [--by NAME]``.

Sets the score of a student's assignment (or of one graded function of it) by hand, in the
gradebook (:func:`dnn_autograder.grader.classes.adjust.override`). The override is kept with who and
when, survives re-grading (flagged for review when the autograded score changes underneath it)
and is shown in the feedback report and every export.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from dnn_autograder.grader.classes.adjust import override
from dnn_autograder.grader.commands.hand import add_db, run
from dnn_autograder.grader.errors import ExitCode


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grade override", description="Set a score by hand.")
    parser.add_argument("student", metavar="STUDENT")
    parser.add_argument("assignment", metavar="ASSIGNMENT")
    parser.add_argument("function", metavar="FUNCTION", nargs="?", default="",
                        help="one graded function (default: the whole assignment)")
    parser.add_argument("--score", type=float, required=True, metavar="N", help="the points to give")
    parser.add_argument("--comment", default="", help="why (shown to the student)")
    parser.add_argument("--by", metavar="NAME", help="who decided (default: $USER)")
    add_db(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return run("override", build_parser(), argv, _override)


def _override(args: argparse.Namespace) -> int:
    row = override(args.db, args.student, args.assignment, args.score, function=args.function,
                   comment=args.comment, by=args.by)
    target = f"{args.assignment}/{args.function}" if args.function else args.assignment
    print(f"override {row}: {args.student} {target} = {args.score:g}")
    return ExitCode.OK
