"""The ``grade`` command: a thin layer over :mod:`dnn_autograder.grader.grading.pipeline` (DESIGN.md section 1)."""

from __future__ import annotations

import argparse
import contextlib
import itertools
import logging
import os
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from dnn_autograder.grader import __version__
from dnn_autograder.grader.errors import CaseBankError, ExitCode, GraderError, UsageError
from dnn_autograder.grader.model import SubmissionResult
from dnn_autograder.grader.outputs.cli_outputs import OutputFlags, check_output_flags

SUBCOMMANDS = ("selfcheck", "release", "gradebook", "new-assignment", "collect", "override", "excuse",
               "comment", "adjustments", "late-policy", "export")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grade",
        description="Grade 'improving deep neural networks' submissions (.py, .ipynb or folders).",
        epilog="Subcommands: 'grade selfcheck' checks the assignment bank; 'grade release OUT' writes"
        " the student handouts (starter notebooks with an offline self-check on public cases). A first"
        " argument named like a subcommand runs it: grade a file of that name as ./NAME.",
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
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="class mode: grade on the Dask cluster whose scheduler is at ADDRESS "
                             "(tcp://host:8786) instead of local processes (needs the cluster extra)")
    parser.add_argument("--gradebook", metavar="FILE",
                        help="class mode: the SQLite gradebook (default: OUT/gradebook.sqlite)")
    parser.add_argument("--force", action="store_true",
                        help="class mode: grade every student again, even unchanged ones")
    parser.add_argument("--gradescope", metavar="FILE",
                        help="write Gradescope's results.json for one submission")
    parser.add_argument("--fail-under", type=float, metavar="SCORE",
                        help="exit with status 3 when a submission scores below SCORE (a CI gate)")
    parser.add_argument("--draw-cases", action="store_true",
                        help="grade even when a case bank is missing or stale, on cases drawn live "
                        "(grades may differ from other installs; otherwise an error in CI and when writing results)")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    parser.add_argument("--version", action="version", version=f"grade {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING, format="grade: %(message)s")
    if argv and argv[0] in SUBCOMMANDS:  # always a subcommand: a file of that name is graded as ./NAME
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
    except CaseBankError as exc:  # the install is incomplete, not a bug: say what to do
        print(f"grade: error: {exc}", file=sys.stderr)
        return ExitCode.INTERNAL_ERROR
    except GraderError as exc:
        print(f"grade: internal error: {exc}", file=sys.stderr)
        return ExitCode.INTERNAL_ERROR
    finally:
        _release_sandboxes()


def _grade(args: argparse.Namespace) -> int:
    _start_class_workers(args)
    _start_sandbox(args)
    from rich.console import Console

    from dnn_autograder.grader.assignment.spec import load_assignment
    from dnn_autograder.grader.outputs.results_json import write_json
    from dnn_autograder.grader.outputs.terminal import print_class_summary, print_submission

    if args.assignment:
        load_assignment(args.assignment)  # unknown assignment: usage error before any work
    for raw in args.paths:
        if not Path(raw).exists():
            raise UsageError(f"no such file or folder: {raw}")
    classes = [Path(raw) for raw in args.paths if _is_class(Path(raw), args.layout)]
    singles = [Path(raw) for raw in args.paths if Path(raw) not in classes]
    check_output_flags(OutputFlags(json=args.json, html=args.html, gradescope=args.gradescope, out=args.out,
                                   gradebook=args.gradebook, jobs=args.jobs, force=args.force), classes, singles)
    from dnn_autograder.grader.assignment.casebank import check_banks_at_startup

    check_banks_at_startup(args.assignment, draw_cases=args.draw_cases,
                           writes_results=any((args.json, args.html, args.out, args.gradescope)))
    console = Console(stderr=False, quiet=args.quiet)
    started = time.monotonic()
    results: list[SubmissionResult] = []  # of the single submissions
    as_class = len(args.paths) > 1 or bool(classes)
    batches = [_grade_class(path, args) for path in classes]  # a big class's stay on disk, never all held here
    if singles:
        from dnn_autograder.grader.grading import pipeline  # not for a class: its workers grade

        with pipeline.Sandbox(pipeline.Limits()) as sandbox:
            for path in singles:
                result = pipeline.grade_submission(path, assignment=args.assignment, sandbox=sandbox)
                results.append(result)
                print_submission(result, console)
    if len(singles) > 1:
        print_class_summary([*itertools.chain(*batches), *results], console, time.monotonic() - started)
    if args.json and classes:  # the batch keeps slim results; OUT/results.json has them in full
        if not Path(args.json).exists() or not Path(args.json).samefile(Path(args.out) / "results.json"):
            shutil.copyfile(Path(args.out) / "results.json", args.json)
    elif args.json:
        write_json(args.json, results, as_class=as_class)
    if args.html and _write_html(args.html, results):
        console.print(f"report: {args.html}")
    if args.gradescope:
        from dnn_autograder.grader.outputs.exports.gradescope import write_results

        write_results(args.gradescope, results[0])
    if args.fail_under is not None and any(r.score < args.fail_under for r in itertools.chain(*batches, results)):
        return ExitCode.BELOW_THRESHOLD
    return ExitCode.OK


def _start_class_workers(args: argparse.Namespace) -> None:
    """When a folder may be a class graded into ``--out`` on local workers, start their fork
    server first, and the sandbox zygote they will share, so that both start while this process
    imports the grader and scans the class (the workers are forked only once the fork server is
    warm; clients of the zygote they do not need are closed when the batch ends)."""
    if args.out and not args.scheduler and args.layout != "student" and any(Path(p).is_dir() for p in args.paths):
        from dnn_autograder.grader.classes.forkserver_start import default_jobs, start_for_batch

        if start_for_batch(args.out, assignment=args.assignment, gradebook_path=args.gradebook, force=args.force):
            from dnn_autograder.grader import sandbox_start

            sandbox_start.start_early(min(default_jobs(args.jobs), max(1, _entries(args.paths))))


def _entries(paths: Sequence[str]) -> int:
    """How many entries the folders among ``paths`` hold: at least as many as their students
    (an unreadable folder counts none here; the batch reports it)."""
    count = 0
    for path in paths:
        with contextlib.suppress(OSError):
            count += len(os.listdir(path)) if Path(path).is_dir() else 0
    return count


def _start_sandbox(args: argparse.Namespace) -> None:
    """When a file is to be graded in this process, start the sandbox's zygote (a fresh
    interpreter importing numpy) now, so that it starts while this process imports the grader
    (:mod:`dnn_autograder.grader.sandbox_start`; the Sandbox grading the file takes it)."""
    if any(Path(p).is_file() for p in args.paths):
        from dnn_autograder.grader import sandbox_start

        sandbox_start.start_early(1)


def _release_sandboxes() -> None:
    """Close the zygote clients started early and not used (e.g. a folder that turned out to be
    one student's, graded here), and reap the zygotes started here."""
    from dnn_autograder.grader import sandbox_start

    sandbox_start.release()


def _is_class(path: Path, layout: str) -> bool:
    from dnn_autograder.grader.classes.layout import is_class_folder

    return layout == "class" or (layout == "auto" and is_class_folder(path))


def _grade_class(path: Path, args: argparse.Namespace) -> Sequence[SubmissionResult]:
    """A class folder, graded into ``--out`` (which :func:`check_output_flags` requires) by
    :func:`dnn_autograder.grader.classes.batch.grade_batch`, in parallel."""
    from dnn_autograder.grader.classes.batch import grade_batch

    progress = None if args.quiet else "auto"
    summary = grade_batch(path, args.out, assignment=args.assignment, jobs=args.jobs,
                          gradebook_path=args.gradebook, force=args.force, progress=progress,
                          scheduler=args.scheduler)
    return summary.results


def _write_html(target: str, results: Sequence[SubmissionResult]) -> bool:
    """Write the one submission's report."""
    from dnn_autograder.grader.outputs.render.html import write_report

    write_report(Path(target), results[0])
    return True


def _subcommand(name: str, argv: Sequence[str]) -> int:
    import importlib

    module = importlib.import_module(f"dnn_autograder.grader.commands.{name.replace('-', '_')}")
    return int(module.main(argv))


if __name__ == "__main__":
    sys.exit(main())
