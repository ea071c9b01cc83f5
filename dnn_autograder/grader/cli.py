"""The ``grade`` command: a thin layer over :mod:`dnn_autograder.grader.pipeline` (DESIGN.md section 1)."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from dnn_autograder.grader import __version__
from dnn_autograder.grader.errors import ExitCode, GraderError, UsageError
from dnn_autograder.grader.model import SubmissionResult

SUBCOMMANDS = ("selfcheck", "release", "gradebook")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grade",
        description="Grade 'improving deep neural networks' submissions (.py, .ipynb or folders).",
        epilog="Subcommands: 'grade selfcheck' checks the assignment bank; 'grade release OUT' writes"
        " the student starter notebooks.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="a .py file, an .ipynb notebook or a folder")
    parser.add_argument("--assignment", metavar="NAME", help="grade against this assignment (default: recognise)")
    parser.add_argument("--json", metavar="FILE", help="write the results JSON here")
    parser.add_argument("--html", metavar="FILE", help="write the HTML feedback report here")
    parser.add_argument("--out", metavar="DIR", help="class mode: write per-student reports and exports here")
    parser.add_argument("--layout", choices=("auto", "student", "class"), default="auto",
                        help="is a folder one student's submission or a class? (default: auto)")
    parser.add_argument("--jobs", type=int, metavar="N",
                        help="class mode: grade N students at once (default: all CPUs)")
    parser.add_argument("--gradebook", metavar="FILE",
                        help="class mode: the SQLite gradebook (default: OUT/gradebook.sqlite)")
    parser.add_argument("--force", action="store_true",
                        help="class mode: grade every student again, even unchanged ones")
    parser.add_argument("--gradescope", metavar="FILE",
                        help="write Gradescope's results.json for one submission")
    parser.add_argument("--fail-under", type=float, metavar="SCORE",
                        help="exit with status 3 when a submission scores below SCORE (a CI gate)")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    parser.add_argument("--version", action="version", version=f"grade {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING, format="grade: %(message)s")
    if argv and argv[0] in SUBCOMMANDS and not Path(argv[0]).exists():
        return _subcommand(argv[0], argv[1:])
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    try:
        return _grade(args)
    except UsageError as exc:
        print(f"grade: error: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    except GraderError as exc:
        print(f"grade: internal error: {exc}", file=sys.stderr)
        return ExitCode.INTERNAL_ERROR


def _grade(args: argparse.Namespace) -> int:
    from rich.console import Console

    from dnn_autograder.grader import pipeline
    from dnn_autograder.grader.results_json import write_json
    from dnn_autograder.grader.spec import load_assignment
    from dnn_autograder.grader.terminal import print_class_summary, print_submission

    if args.assignment:
        load_assignment(args.assignment)  # unknown assignment: usage error before any work
    for raw in args.paths:
        if not Path(raw).exists():
            raise UsageError(f"no such file or folder: {raw}")
    if args.gradescope and len(args.paths) > 1:
        raise UsageError("--gradescope takes exactly one submission")
    if args.out and len(args.paths) > 1:
        raise UsageError("--out takes exactly one class folder")
    console = Console(stderr=False, quiet=args.quiet)
    started = time.monotonic()
    results: list[SubmissionResult] = []
    as_class = len(args.paths) > 1
    singles = []
    for raw in args.paths:
        path = Path(raw)
        if args.layout == "class" or (args.layout == "auto" and pipeline.is_class_folder(path)):
            as_class = True
            results.extend(_grade_class(path, args))
        else:
            singles.append(path)
    if singles:
        with pipeline.Sandbox(pipeline.Limits()) as sandbox:
            for path in singles:
                result = pipeline.grade_submission(path, assignment=args.assignment, sandbox=sandbox)
                results.append(result)
                print_submission(result, console, report=args.html)
    if as_class and not args.out:
        print_class_summary(results, console, time.monotonic() - started)
    if args.json:
        write_json(args.json, results, as_class=as_class)
    if args.html and not as_class:
        _write_html(args.html, results)
    if args.gradescope:
        from dnn_autograder.grader.exports.gradescope import write_results

        write_results(args.gradescope, results[0])
    if args.fail_under is not None and any(r.score < args.fail_under for r in results):
        return ExitCode.BELOW_THRESHOLD
    return ExitCode.OK


def _grade_class(path: Path, args: argparse.Namespace) -> tuple[SubmissionResult, ...]:
    """A class folder: graded in parallel by :func:`dnn_autograder.grader.batch.grade_batch`; without
    ``--out`` the per-student files go to a temporary folder that is removed afterwards."""
    import tempfile

    from dnn_autograder.grader.batch import grade_batch

    progress = None if args.quiet else "auto"
    if args.out:
        summary = grade_batch(path, args.out, assignment=args.assignment, jobs=args.jobs,
                              gradebook_path=args.gradebook, force=args.force, progress=progress)
        return summary.results
    with tempfile.TemporaryDirectory(prefix="grade-") as scratch:
        summary = grade_batch(path, scratch, assignment=args.assignment, jobs=args.jobs,
                              gradebook_path=args.gradebook, force=True, reports=False,
                              progress=progress)
    return summary.results


def _write_html(target: str, results: Sequence[SubmissionResult]) -> None:
    try:
        from dnn_autograder.grader.render.html import write_report
    except ImportError:
        print("grade: note: HTML reports are not available in this version", file=sys.stderr)
        return
    write_report(Path(target), results[0])


def _subcommand(name: str, argv: Sequence[str]) -> int:
    import importlib

    try:
        module = importlib.import_module(f"dnn_autograder.grader.commands.{name}")
    except ImportError:
        print(f"grade: '{name}' is not available in this version", file=sys.stderr)
        return ExitCode.USAGE
    return int(module.main(argv))


if __name__ == "__main__":
    sys.exit(main())
