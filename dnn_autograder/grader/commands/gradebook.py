"""``grade gradebook``: list the grades a batch recorded (current ones, or their history).

``grade gradebook [--db FILE] [--student ID] [--assignment NAME] [--history]`` prints a table
(student, assignment, score, status, when, grader version; with ``--history`` also superseded
grades and the content hash of the files graded). ``--csv`` prints CSV instead.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from dnn_autograder.grader.classes.gradebook import Gradebook, GradeRow
from dnn_autograder.grader.errors import ExitCode
from dnn_autograder.grader.outputs.exports.csv_export import number
from dnn_autograder.grader.outputs.exports.text import csv_cell

DEFAULT_DB = "gradebook.sqlite"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grade gradebook",
                                     description="List the grades recorded by batch grading.")
    parser.add_argument("--db", metavar="FILE", default=DEFAULT_DB,
                        help="the gradebook (default: ./gradebook.sqlite; a batch writes "
                        "OUT_DIR/gradebook.sqlite)")
    parser.add_argument("--student", metavar="ID", help="only this student")
    parser.add_argument("--assignment", metavar="NAME", help="only this assignment")
    parser.add_argument("--history", action="store_true",
                        help="also list superseded grades, newest first")
    parser.add_argument("--csv", action="store_true", help="print CSV instead of a table")
    return parser


def main(argv: Sequence[str] | None = None, *, console: Console | None = None) -> int:
    try:
        args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:
        return int(exc.code or 0)
    if not Path(args.db).is_file():
        print(f"grade gradebook: error: no gradebook at {args.db}; give --db FILE (a batch "
              "writes OUT_DIR/gradebook.sqlite)", file=sys.stderr)
        return ExitCode.USAGE
    with Gradebook(args.db, readonly=True) as book:
        rows = book.grades(student=args.student, assignment=args.assignment, history=args.history)
    if args.csv:
        write_csv(rows, sys.stdout, history=args.history)
    else:
        (console or Console()).print(grade_table(rows, history=args.history))
    return ExitCode.OK


def grade_table(rows: Sequence[GradeRow], *, history: bool) -> Table:
    """A rich table of ``rows``."""
    title = f"{len(rows)} grade(s)" + (" with history" if history else "")
    table = Table(title=title, title_justify="left")
    for column in ("student", "assignment", "score", "status", "graded at", "grader"):
        table.add_column(column, justify="right" if column == "score" else "left")
    if history:
        table.add_column("current")
        table.add_column("files")
    table.add_column("reason", overflow="fold", max_width=60)
    for row in rows:
        cells: list[Text | str] = [Text(row.student), Text(row.assignment or "-"),
                 f"{number(row.score)}/{number(row.max_score)}",
                 Text(row.status, style="green" if row.status == "graded" else "red"),
                 row.graded_at, row.grader_version]
        if history:
            cells += ["yes" if row.current else "", row.content_hash[:12]]
        table.add_row(*cells, Text(row.error or ""))
    return table


def write_csv(rows: Sequence[GradeRow], stream: TextIO, *, history: bool) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    header = ["student", "assignment", "score", "max_score", "status", "graded_at",
              "grader_version"]
    writer.writerow(header + (["current", "content_hash"] if history else []))
    for row in rows:
        cells = [csv_cell(row.student), csv_cell(row.assignment), number(row.score),
                 number(row.max_score), row.status, row.graded_at, row.grader_version]
        writer.writerow(cells + ([int(row.current), row.content_hash] if history else []))
