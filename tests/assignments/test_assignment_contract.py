"""Every assignment folder keeps the contract of ``assignment_contract.py`` (issue 13).

Parametrized over :func:`available_assignments`, so a folder added later is checked without a line
here: per assignment (bank, edge cases, catalogue, notebooks), per graded unit (its cases) and per
catalogued mutant (signature, submission, exposure, diagnosis). What is particular to one
assignment lives in ``test_<name>_specific.py``.

The notebooks are graded in-process here (seconds for the whole bank); the same through the
sandbox (``grade selfcheck --quick``: also recognition and determinism) is marked slow, and CI's
``grade selfcheck --jobs 2`` sweeps every mutant through the sandbox besides.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from assignment_contract import (
    bank_problems,
    case_problems,
    catalogue_problems,
    costs_once_problems,
    diagnosis_problems,
    edge_case_problems,
    exposure_problems,
    notebook_problems,
    shared_id_problems,
    signature_problems,
    submission_problems,
)

from dnn_autograder.grader.assignment.catalogue import Mistake
from dnn_autograder.grader.assignment.spec import AssignmentSpec, available_assignments, load_assignment
from dnn_autograder.grader.commands.selfcheck import run_selfcheck
from dnn_autograder.grader.handouts.mutant_submissions import mistakes_of


def _loaded(name: str) -> tuple[AssignmentSpec | None, tuple[Mistake, ...], str]:
    """The spec and catalogue of ``name``, or the reason they cannot be loaded."""
    try:
        spec = load_assignment(name)
        return spec, mistakes_of(spec), ""
    except Exception as exc:  # noqa: BLE001 - reported by test_the_assignment_loads
        return None, (), f"{type(exc).__name__}: {exc}"


NAMES = available_assignments()
LOADED = {name: _loaded(name) for name in NAMES}
SPECS = {name: spec for name, (spec, _, _) in LOADED.items() if spec is not None}
UNITS = [pytest.param(name, unit, id=f"{name}.{unit}") for name, spec in SPECS.items() for unit in spec.function_names]
MUTANTS = [pytest.param(name, mistake, id=f"{name}.{mistake.id}")
           for name, (_, mistakes, _) in LOADED.items() for mistake in mistakes if mistake.mutant is not None]


def _assert_none(problems: list[str]) -> None:
    assert not problems, "\n".join(problems)


def test_the_bank_has_assignments():
    assert len(NAMES) >= 5, NAMES


@pytest.mark.parametrize("name", NAMES)
def test_the_assignment_loads(name: str):
    assert not LOADED[name][2], LOADED[name][2]


def _spec(name: str) -> AssignmentSpec:
    if name not in SPECS:
        pytest.fail(f"{name} does not load: {LOADED[name][2]}")
    return SPECS[name]


@pytest.mark.parametrize("name", NAMES)
def test_the_bank_is_current_and_complete(name: str):
    _assert_none(bank_problems(_spec(name)))


@pytest.mark.parametrize("name", NAMES)
def test_edge_cases_name_graded_units_and_are_run(name: str):
    _assert_none(edge_case_problems(_spec(name)))


@pytest.mark.parametrize(("name", "unit"), UNITS)
def test_the_cases_are_well_formed_and_the_reference_accepts_them(name: str, unit: str):
    _assert_none(case_problems(_spec(name), unit))


@pytest.mark.parametrize("name", NAMES)
def test_the_catalogue_is_complete(name: str):
    _assert_none(catalogue_problems(_spec(name)))


def test_a_mistake_id_means_one_mistake_across_assignments():
    _assert_none(shared_id_problems({name: mistakes for name, (_, mistakes, _) in LOADED.items()}))


def _checked(check: Callable[[AssignmentSpec, Mistake], list[str]], name: str, mistake: Mistake) -> None:
    _assert_none(check(_spec(name), mistake))


@pytest.mark.parametrize(("name", "mistake"), MUTANTS)
def test_the_mutant_has_the_reference_signature(name: str, mistake: Mistake):
    _checked(signature_problems, name, mistake)


@pytest.mark.parametrize(("name", "mistake"), MUTANTS)
def test_the_mutant_can_be_written_as_a_submission(name: str, mistake: Mistake):
    _checked(submission_problems, name, mistake)


@pytest.mark.parametrize(("name", "mistake"), MUTANTS)
def test_the_cases_tell_the_mutant_from_the_reference(name: str, mistake: Mistake):
    _checked(exposure_problems, name, mistake)


@pytest.mark.parametrize(("name", "mistake"), MUTANTS)
def test_the_mutant_is_caught_and_diagnosed(name: str, mistake: Mistake):
    _checked(diagnosis_problems, name, mistake)


@pytest.mark.parametrize(("name", "mistake"), MUTANTS)
def test_the_mutant_costs_points_once(name: str, mistake: Mistake):
    _checked(costs_once_problems, name, mistake)


@pytest.mark.parametrize("name", NAMES)
def test_the_master_gets_full_marks_and_the_starter_none(name: str):
    _assert_none(notebook_problems(_spec(name)))


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_the_selfcheck_passes_in_the_sandbox(name: str):
    """Masters full (graded twice, identically, and when recognised), starters zero, through the
    sandbox; the mutant sweep is CI's ``grade selfcheck``."""
    report = run_selfcheck([name], quick=True, jobs=1)
    _assert_none(report.problems)
