"""`grade selfcheck`: its verdicts (with a fake engine, so the plumbing is tested without the
sandbox) and, when the real pipeline works here, real gradings of masters and mutants."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import nbformat
import pytest
from pipeline_ready import pipeline_problem

from dnn_autograder.grader.assignment.catalogue import Mistake
from dnn_autograder.grader.assignment.spec import ASSIGNMENTS_DIR, load_assignment, resolve
from dnn_autograder.grader.commands import selfcheck, selfcheck_checks
from dnn_autograder.grader.model import AssignmentResult, FunctionResult, SubmissionResult

FAKE = "selfcheck_fake_engine:Engine"
NAME = "regularization"


def reference_as_mutant(function: str) -> Mistake:
    """A catalogue entry whose 'mistake' is the correct answer: it must slip through."""
    spec = load_assignment(NAME)
    return Mistake(id="test-slips-through", function=function, title="not a mistake",
                   explanation="the reference itself",
                   mutant=resolve(spec.function(function).reference))


def test_the_bank_passes_with_a_faithful_grader(capsys: pytest.CaptureFixture[str]) -> None:
    assert selfcheck.main(["--assignment", NAME], engine=FAKE) == 0
    out = capsys.readouterr().out
    assert "selfcheck: ok" in out and "mutants swept" in out


def test_a_mutant_that_slips_through_is_a_problem() -> None:
    mistake = reference_as_mutant("compute_cost_with_regularization")
    report = selfcheck.run_selfcheck([NAME], extra_mistakes=[mistake], engine=FAKE)
    assert not report.ok
    assert report.problems == [f"{NAME}: mutant test-slips-through: slipped through: "
                               "compute_cost_with_regularization still scores 2/2"]


def test_a_master_that_loses_points_fails_the_check(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    bank = tmp_path / "bank"
    shutil.copytree(ASSIGNMENTS_DIR / NAME, bank / NAME)
    master = nbformat.read(bank / NAME / "master.ipynb", as_version=4)
    master.cells.append(nbformat.v4.new_code_cell("# BROKEN-SOLUTION"))
    nbformat.write(master, bank / NAME / "master.ipynb")
    assert selfcheck.main(["--assignment", NAME, "--quick"], engine=FAKE, bank=bank) == 4
    out = capsys.readouterr().out
    assert f"{NAME}: master: compute_cost_with_regularization scores 0/2" in out
    assert f"{NAME}: master (recognised)" in out


def test_a_missing_starter_is_a_problem(tmp_path: Path) -> None:
    bank = tmp_path / "bank"
    shutil.copytree(ASSIGNMENTS_DIR / NAME, bank / NAME)
    (bank / NAME / "starter.ipynb").unlink()
    report = selfcheck.run_selfcheck([NAME], quick=True, bank=bank, engine=FAKE)
    assert any("starter.ipynb is missing" in p for p in report.problems)


def test_unknown_assignment_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert selfcheck.main(["--assignment", "no_such_thing"], engine=FAKE) == 2
    assert "unknown assignment" in capsys.readouterr().err


# --- the checks on their own --------------------------------------------------------------------


def _result(functions: list[FunctionResult], assignment: str = NAME) -> SubmissionResult:
    score = sum(f.score for f in functions)
    return SubmissionResult("x.py", score, 10.0, (AssignmentResult(
        assignment, "T", score, 10.0, tuple(functions)),), graded_at="t1", duration_s=1.0)


def _functions(failed: str | None = None, diagnoses: tuple[str, ...] = ()) -> list[FunctionResult]:
    spec = load_assignment(NAME)
    return [FunctionResult(f.name, 0.0 if f.name == failed else f.points, f.points,
                           "failed" if f.name == failed else "passed",
                           diagnoses=diagnoses if f.name == failed else ())
            for f in spec.functions]


def test_mutant_checks() -> None:
    spec = load_assignment(NAME)
    mistake = Mistake("l2-x", "compute_cost_with_regularization", "t", "e", mutant=len)
    fn = mistake.function
    caught = _result(_functions(fn, ("l2-x",)))
    assert selfcheck_checks.mutant_problems(spec, mistake, "m", caught) == []
    undiagnosed = _result(_functions(fn, ("other-id",)))
    assert selfcheck_checks.mutant_problems(spec, mistake, "m", undiagnosed) == [
        f"m: caught but not diagnosed: {fn} lost points (failed) but the diagnoses are other-id"]
    spread = _result([dataclasses.replace(f, score=0.0, status="failed") if i == 1 else f
                      for i, f in enumerate(_functions(fn, ("l2-x",)))])
    problems = selfcheck_checks.mutant_problems(spec, mistake, "m", spread)
    assert problems == ["m: the mistake in compute_cost_with_regularization also costs points in "
                        "backward_propagation_with_regularization (failed)"]


def test_starter_and_master_checks() -> None:
    spec = load_assignment(NAME)
    starter = _result([dataclasses.replace(f, score=0.0, status="missing" if i == 0 else "error")
                       for i, f in enumerate(_functions())])
    assert selfcheck_checks.starter_problems(spec, "s", starter) == [
        "s: compute_cost_with_regularization is not defined in the starter"]
    crashed = SubmissionResult("x", 0.0, 0.0, (), error="worker died", extra={"internal_error": 1})
    assert selfcheck_checks.master_problems(spec, "m", crashed) == [
        "m: the grader failed: worker died"]
    other = _result(_functions(), assignment="optimization")
    assert "was not graded" in selfcheck_checks.master_problems(spec, "m", other)[0]


def test_determinism_check_ignores_timestamps_only() -> None:
    first = _result(_functions())
    later = dataclasses.replace(first, graded_at="t2", duration_s=9.0)
    assert selfcheck_checks.determinism_problems("m", first, later) == []
    changed = _result(_functions("compute_cost_with_regularization"))
    assert selfcheck_checks.determinism_problems("m", first, changed) == [
        "m: grading is not deterministic: result['assignments'][0]['functions'][0]['score']"
        " differs"]


def test_bank_checks_find_incomplete_functions() -> None:
    spec = load_assignment(NAME)
    incomplete = dataclasses.replace(spec.functions[0], name="undocumented", strategy="no_cases",
                                     reference="json:dumps")
    unreferenced = dataclasses.replace(spec.functions[0], name="unreferenced",
                                       reference="reference:no_such_function")
    broken = dataclasses.replace(spec, functions=(*spec.functions, incomplete, unreferenced))
    problems = selfcheck_checks.bank_problems(broken)
    assert f"{NAME}: undocumented: no strategy no_cases() in cases.py" in problems
    assert f"{NAME}: undocumented: no catalogued mistake in mistakes.py" in problems
    assert any("undocumented: the reference json:dumps has no Notes" in p for p in problems)
    assert f"{NAME}: unreferenced: no reference reference:no_such_function" in problems
    assert selfcheck_checks.bank_problems(spec) == []


def test_duplicate_mistake_ids() -> None:
    twice = [Mistake("same", "f", "t", "e", mutant=len), Mistake("same", "f", "other title", "e", mutant=len)]
    assert selfcheck_checks.duplicate_ids(twice) == ["mistake id 'same' is used 2 times"]


def test_one_entry_shared_by_two_assignments_is_not_a_duplicate() -> None:
    shared = Mistake("same", "f", "t", "e", mutant=len)  # two template years importing one catalogue
    assert selfcheck_checks.duplicate_ids([shared, shared]) == []


# --- with the real pipeline ---------------------------------------------------------------------

@pytest.fixture
def real_pipeline() -> None:
    problem = pipeline_problem()
    if problem is not None:
        pytest.skip(problem)


@pytest.mark.usefixtures("real_pipeline")
def test_real_quick_selfcheck_passes() -> None:
    report = selfcheck.run_selfcheck(["gradient_checking"], quick=True)
    assert report.problems == []
    assert report.graded == 4


@pytest.mark.usefixtures("real_pipeline")
def test_real_mutants_are_caught_and_the_reference_slips_through(tmp_path: Path) -> None:
    from dnn_autograder.grader.classes.batch import GradeTask, grade_many
    from dnn_autograder.grader.handouts.mutant_submissions import mutants_by_id, write_mutant_submission

    spec = load_assignment(NAME)
    caught = mutants_by_id(spec)["l2-cost-missing-half"]
    slips = reference_as_mutant("compute_cost_with_regularization")
    tasks = [GradeTask(str(write_mutant_submission(spec, m, tmp_path)), m.id, NAME)
             for m in (caught, slips)]
    results = {d.task.student: d.result for d in grade_many(tasks, jobs=2)}
    assert selfcheck_checks.mutant_problems(spec, caught, "m", results[caught.id]) == []
    assert "slipped through" in selfcheck_checks.mutant_problems(spec, slips, "m",
                                                                 results[slips.id])[0]
