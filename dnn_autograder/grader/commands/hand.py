"""What the hand-work subcommands share (collect, override, excuse, comment, adjustments,
late-policy, export): argument parsing that returns an exit status instead of exiting, and one
way to report a usage error."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from dnn_autograder.grader.errors import ExitCode, UsageError

DEFAULT_DB = "gradebook.sqlite"


def add_db(parser: argparse.ArgumentParser) -> None:
    """The ``--db FILE`` option every gradebook command takes."""
    parser.add_argument("--db", metavar="FILE", default=DEFAULT_DB,
                        help="the gradebook (default: ./gradebook.sqlite; a batch writes OUT_DIR/gradebook.sqlite)")


def run(name: str, parser: argparse.ArgumentParser, argv: Sequence[str] | None,
        body: Callable[[argparse.Namespace], int]) -> int:
    """Parse ``argv`` and call ``body``; argparse's exits and :class:`UsageError` become exit statuses."""
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        return body(args)
    except UsageError as exc:
        print(f"grade {name}: error: {exc}", file=sys.stderr)
        return ExitCode.USAGE
