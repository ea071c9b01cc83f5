"""``grade selfcheck``: check the assignment bank; exit 4 (``SELFCHECK_FAILED``) on any problem.

For every assignment (or ``--assignment NAME``):

- static: master and starter notebooks exist; the case bank is current (present, written for
  the spec.toml, cases.py and strategies installed); every graded function has a reference whose
  docstring has a Notes section, a strategy, a property check when stochastic, and at least
  one catalogued mistake; mistake ids are unique;
- the master notebook scores full marks, graded twice with identical results (timestamps and
  durations aside), and also when its assignment is recognised rather than given;
- the starter notebook scores zero, defines every graded function and does not break the grader;
- the mutant sweep (skipped with ``--quick``): for every catalogued mistake with a mutant, a
  submission built by :func:`dnn_autograder.grader.handouts.mutant_submissions.mutant_source` must lose points on that
  function, with the mistake's id among the diagnoses, and on no other function.

All the grading runs on the batch's worker pool (:func:`dnn_autograder.grader.classes.batch.grade_many`, all cores).
"""

from __future__ import annotations

import argparse
import functools
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dnn_autograder.grader.assignment.catalogue import Mistake
from dnn_autograder.grader.assignment.catalogue_data import catalogue_problems
from dnn_autograder.grader.assignment.spec import ASSIGNMENTS_DIR, AssignmentSpec, load_all, load_assignment
from dnn_autograder.grader.classes.batch import DEFAULT_ENGINE, GradeTask, grade_many
from dnn_autograder.grader.commands import selfcheck_checks as checks
from dnn_autograder.grader.errors import ExitCode, GraderError, SpecError, UsageError
from dnn_autograder.grader.handouts.mutant_submissions import MutantSourceError, mistakes_of, write_mutant_submission
from dnn_autograder.grader.model import SubmissionResult

Judge = Callable[[SubmissionResult], list[str]]


@dataclass
class SelfcheckReport:
    """What the self-check found: ``problems`` (any one fails it) and ``lines`` to show."""

    problems: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    graded: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def run_selfcheck(
    assignments: Sequence[str] | None = None,
    *,
    quick: bool = False,
    jobs: int | None = None,
    bank: Path = ASSIGNMENTS_DIR,
    extra_mistakes: Sequence[Mistake] = (),
    engine: str = DEFAULT_ENGINE,
    log: Callable[[str], None] | None = None,
) -> SelfcheckReport:
    """Run the checks of the module doc; ``extra_mistakes`` are swept as if catalogued (tests
    use it to show a mistake that slips through is reported).

    Raises:
        UsageError: an unknown assignment.
    """
    report = SelfcheckReport()
    specs = _specs(assignments, bank)
    all_mistakes: list[Mistake] = []
    for spec in specs:
        report.problems += checks.bank_problems(spec, bank / spec.name)
        report.problems += checks.case_bank_problems(spec, bank / spec.name)
        report.problems += catalogue_problems(spec.name, bank)
        all_mistakes += _catalogue(spec, report)
    report.problems += checks.duplicate_ids(all_mistakes)
    with tempfile.TemporaryDirectory(prefix="grade-selfcheck-") as scratch:
        judges: dict[str, Judge] = {}
        tasks: list[GradeTask] = []
        for spec in specs:
            mistakes = [] if quick else _catalogue(spec, None) + [
                m for m in extra_mistakes if m.function in spec.function_names]
            _plan(spec, bank / spec.name, mistakes, Path(scratch), tasks, judges, report)
        results = _grade(tasks, jobs, engine, log)
    report.graded = len(results)
    for label, judge in judges.items():
        report.problems += judge(results[label])
    for spec in specs:
        first = results.get(f"{spec.name}: master")
        second = results.get(f"{spec.name}: master again")
        if first is not None and second is not None:
            report.problems += checks.determinism_problems(f"{spec.name}: master", first, second)
    swept = sum(1 for label in judges if ": mutant " in label)
    report.lines.append(f"{len(specs)} assignment(s), {report.graded} submissions graded"
                        + ("" if quick else f", {swept} mutants swept"))
    return report


def _specs(assignments: Sequence[str] | None, bank: Path = ASSIGNMENTS_DIR) -> tuple[AssignmentSpec, ...]:
    if assignments:
        return tuple(load_assignment(name, bank) for name in assignments)
    return load_all(bank)


def _catalogue(spec: AssignmentSpec, report: SelfcheckReport | None) -> list[Mistake]:
    try:
        return list(mistakes_of(spec))
    except Exception as exc:  # noqa: BLE001 - reported by bank_problems already
        if report is not None:
            report.lines.append(f"{spec.name}: catalogue not loaded ({exc})")
        return []


def _plan(spec: AssignmentSpec, folder: Path, mistakes: Sequence[Mistake], scratch: Path,
          tasks: list[GradeTask], judges: dict[str, Judge], report: SelfcheckReport) -> None:
    """Add the gradings of one assignment to ``tasks`` and how to judge each to ``judges``."""
    name, master, starter = spec.name, folder / "master.ipynb", folder / "starter.ipynb"

    def add(label: str, path: Path, judge: Judge, *, forced: bool = True) -> None:
        tasks.append(GradeTask(str(path), label, name if forced else None))
        judges[label] = judge

    if master.is_file():
        add(f"{name}: master", master, lambda r: checks.master_problems(spec, f"{name}: master", r))
        add(f"{name}: master again", master, lambda r: checks.internal_problem(name, r))
        add(f"{name}: master recognised", master, forced=False,
            judge=lambda r: checks.master_problems(spec, f"{name}: master (recognised)", r))
    if starter.is_file():
        add(f"{name}: starter", starter,
            lambda r: checks.starter_problems(spec, f"{name}: starter", r))
    for mistake in mistakes:
        if mistake.mutant is None:
            continue
        label = f"{name}: mutant {mistake.id}"
        try:
            path = write_mutant_submission(spec, mistake, scratch,
                                           master if master.is_file() else None)
        except (MutantSourceError, OSError) as exc:
            report.problems.append(f"{label}: {exc}")
            continue
        add(label, path, functools.partial(checks.mutant_problems, spec, mistake, label))


def _grade(tasks: Sequence[GradeTask], jobs: int | None, engine: str,
           log: Callable[[str], None] | None) -> dict[str, SubmissionResult]:
    results: dict[str, SubmissionResult] = {}
    for count, done in enumerate(grade_many(tasks, jobs=jobs, engine=engine), 1):
        results[done.task.student] = done.result
        if log:
            log(f"[{count}/{len(tasks)}] {done.task.student}: "
                f"{done.result.score:g}/{done.result.max_score:g} ({done.seconds:.1f} s)")
    return results


def _log_to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grade selfcheck",
        description="Check the assignment bank: masters score full marks, starters zero, every "
        "catalogued mistake is caught and diagnosed, grading is deterministic, and every graded "
        "function has a reference, a strategy and a catalogue. Exit 4 on any problem.")
    parser.add_argument("--assignment", metavar="NAME", action="append",
                        help="check only this assignment (repeatable)")
    parser.add_argument("--quick", action="store_true", help="skip the mutant sweep")
    parser.add_argument("--jobs", type=int, metavar="N",
                        help="worker processes (default: all CPUs)")
    parser.add_argument("--verbose", action="store_true", help="print each grading as it ends")
    return parser


def main(argv: Sequence[str] | None = None, *, engine: str = DEFAULT_ENGINE,
         bank: Path = ASSIGNMENTS_DIR) -> int:
    try:
        args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:
        return int(exc.code or 0)
    log = _log_to_stderr if args.verbose else None
    try:
        report = run_selfcheck(args.assignment, quick=args.quick, jobs=args.jobs, bank=bank,
                               engine=engine, log=log)
    except UsageError as exc:
        print(f"grade selfcheck: error: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    except SpecError as exc:  # an incomplete assignment folder (a fresh scaffold): a finding, not a crash
        print(f"selfcheck: 1 problem(s):\n  - {exc}")
        return ExitCode.SELFCHECK_FAILED
    except GraderError as exc:
        print(f"grade selfcheck: the grader failed: {exc}", file=sys.stderr)
        return ExitCode.INTERNAL_ERROR
    for line in report.lines:
        print(f"selfcheck: {line}")
    if report.ok:
        print("selfcheck: ok")
        return ExitCode.OK
    print(f"selfcheck: {len(report.problems)} problem(s):")
    for problem in report.problems:
        print(f"  - {problem}")
    return ExitCode.SELFCHECK_FAILED
