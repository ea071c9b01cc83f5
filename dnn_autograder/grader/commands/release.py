"""``grade release OUT_DIR``: write the student handouts, never a solution or a hidden answer.

Every master notebook of the assignment bank (or ``--source``) becomes the folder
``OUT_DIR/<assignment>/`` (:mod:`dnn_autograder.grader.handouts.handout`): the starter notebook with
self-check cells, the course helper modules it imports, the self-check (public cases only) and
``requirements.txt``. Each folder is checked once written (no solution line, no line of the
reference, no hidden case's expected value); a problem removes every folder written and exits 4.

``--starters-only`` writes just ``OUT_DIR/<assignment>.ipynb`` as before (through
:func:`dnn_autograder.grader.handouts.release.release`); the written starters are read back and checked
again against their masters, and a leak removes them. Exit status 0, or 4 (``SELFCHECK_FAILED``)
with the leaks listed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import nbformat

from dnn_autograder.grader.errors import ExitCode, GraderError
from dnn_autograder.grader.handouts.handout_release import release_handouts
from dnn_autograder.grader.handouts.release import (
    ASSIGNMENTS_DIR,
    ReleaseError,
    assignment_name,
    check_no_leak,
    find_masters,
    release,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grade release",
        description="Write the student handout of every assignment into OUT_DIR/<assignment>/: the starter "
        "notebook (solutions stripped) with self-check cells, the helper modules it imports, the self-check "
        "(public cases only) and requirements.txt. Exit 4, leaving nothing, when a solution, the reference "
        "or a hidden case's answer would leak.")
    parser.add_argument("out_dir", metavar="OUT_DIR", help="folder for the <assignment>/ handout folders")
    parser.add_argument("--starters-only", action="store_true",
                        help="write only the starter notebooks, as OUT_DIR/<assignment>.ipynb")
    parser.add_argument("--source", metavar="PATH", default=str(ASSIGNMENTS_DIR),
                        help="a master notebook or a folder of assignment folders "
                        "(default: the assignment bank)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        if not args.starters_only:
            for handout in release_handouts(args.source, args.out_dir):
                print(handout.notebook)
            return ExitCode.OK
        written = release(args.source, args.out_dir)
        leaks = verify_release(args.source, written)
    except ReleaseError as exc:
        print(f"grade release: nothing written: {exc}", file=sys.stderr)
        return ExitCode.SELFCHECK_FAILED
    except GraderError as exc:
        print(f"grade release: error: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    if leaks:
        for path in written:
            path.unlink(missing_ok=True)
        print("grade release: solutions leaked; the starters were removed:", file=sys.stderr)
        for leak in leaks:
            print(f"  {leak}", file=sys.stderr)
        return ExitCode.SELFCHECK_FAILED
    for path in written:
        print(path)
    return ExitCode.OK


def verify_release(source: str | Path, written: Sequence[Path]) -> list[str]:
    """Leaks found by reading each written starter back and checking it against its master."""
    masters = {}
    for path in find_masters(source):
        master = nbformat.read(path, as_version=4)
        masters[assignment_name(master, path)] = master
    problems = []
    for path in written:
        master = masters.get(path.stem)
        if master is None:
            problems.append(f"{path}: no master notebook for assignment {path.stem!r}")
            continue
        starter = nbformat.read(path, as_version=4)
        problems += [f"{path}: {problem}" for problem in check_no_leak(master, starter)]
    return problems
