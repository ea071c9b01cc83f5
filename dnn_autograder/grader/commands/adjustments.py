"""``grade adjustments [--db FILE] [--student ID] [--all] [--reviewed ID]``: list the overrides,
excusals and comments of the gradebook (who, when, and whether an override needs review after a
re-grade changed the autograded score under it); ``--reviewed ID`` clears that flag once a person
has looked (:func:`dnn_autograder.grader.classes.adjust.review`)."""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Sequence

from dnn_autograder.grader.classes.adjust import review
from dnn_autograder.grader.classes.gradebook import Gradebook
from dnn_autograder.grader.classes.gradebook_tables import adjustments
from dnn_autograder.grader.commands.hand import add_db, run
from dnn_autograder.grader.errors import ExitCode, UsageError
from dnn_autograder.grader.outputs.exports.text import csv_cell

HEADER = ("id", "student", "assignment", "function", "kind", "score", "basis", "needs_review", "active",
          "by", "at", "comment")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grade adjustments", description="List grade adjustments (CSV).")
    add_db(parser)
    parser.add_argument("--student", metavar="ID", help="only this student")
    parser.add_argument("--all", action="store_true", help="also superseded overrides")
    parser.add_argument("--reviewed", type=int, metavar="ID", help="mark override ID as reviewed")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return run("adjustments", build_parser(), argv, _list)


def _list(args: argparse.Namespace) -> int:
    from pathlib import Path

    if not Path(args.db).is_file():
        raise UsageError(f"no gradebook at {args.db}")
    if args.reviewed is not None:
        review(args.db, args.reviewed)
        print(f"override {args.reviewed} marked as reviewed")
        return ExitCode.OK
    with Gradebook(args.db) as book:
        rows = adjustments(book.connection, student=args.student, active_only=not args.all)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(HEADER)
    for r in rows:
        writer.writerow((r.id, csv_cell(r.student), csv_cell(r.assignment), csv_cell(r.function), r.kind,
                         "" if r.score is None else f"{r.score:g}", "" if r.basis is None else f"{r.basis:g}",
                         int(r.needs_review), int(r.active), csv_cell(r.by), r.at, csv_cell(r.comment)))
    return ExitCode.OK
