"""The contract's checks fail on assignments broken on purpose: copies of the activations folder
in a temporary bank, each with one defect, loaded with ``load_assignment(name, root)``; the
untouched copy passes them (so the failures are the defects', not the copy's)."""

from __future__ import annotations

import dataclasses
import itertools
import shutil
import textwrap
from pathlib import Path

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

from dnn_autograder.grader.assignment.casebank import restamp_bank
from dnn_autograder.grader.assignment.catalogue import Mistake
from dnn_autograder.grader.assignment.catalogue_data import FILE_NAME
from dnn_autograder.grader.assignment.spec import ASSIGNMENTS_DIR, AssignmentSpec, load_assignment
from dnn_autograder.grader.handouts.mutant_submissions import mistakes_of

ORIGINAL = ASSIGNMENTS_DIR / "activations"
#: a catalogued mistake of the original with a mutant, of a unit without stand-ins
MISTAKE = "sigmoid-sign-error"
_names = itertools.count()


def broken_copy(tmp_path: Path, *, mistakes: str = "", cases: str = "", restamp: bool = True,
                spec_edit: tuple[str, str] = ("", "")) -> AssignmentSpec:
    """A copy of the activations folder under a fresh name, with ``mistakes`` and ``cases``
    appended to its mistakes.py and cases.py and ``spec_edit`` (old, new) made once in its spec.toml (its
    case bank restamped unless ``restamp`` is False, so only the defect is wrong)."""
    name = f"broken_activations_{next(_names)}"  # a fresh name: the bank's modules are imported by name
    root = tmp_path / "bank"
    folder = root / name
    shutil.copytree(ORIGINAL, folder, ignore=shutil.ignore_patterns("__pycache__"))
    spec_file = folder / "spec.toml"
    text = spec_file.read_text(encoding="utf-8").replace('name = "activations"', f'name = "{name}"')
    spec_file.write_text(text.replace(*spec_edit, 1) if spec_edit[0] else text, encoding="utf-8")
    for file, code in (("mistakes.py", mistakes), ("cases.py", cases)):
        if code:
            with (folder / file).open("a", encoding="utf-8") as handle:
                handle.write("\n\n" + textwrap.dedent(code))
    spec = load_assignment(name, root)
    if cases and restamp:
        restamp_bank(spec)
    return spec


def mistake(spec: AssignmentSpec, mistake_id: str = MISTAKE) -> Mistake:
    return next(m for m in mistakes_of(spec) if m.id == mistake_id)


def test_the_untouched_copy_keeps_the_contract(tmp_path):
    spec = broken_copy(tmp_path)
    assert bank_problems(spec) == []
    assert edge_case_problems(spec) == []
    assert catalogue_problems(spec) == []
    assert case_problems(spec, "sigmoid_backward") == []
    for check in (signature_problems, submission_problems, exposure_problems, diagnosis_problems,
                  costs_once_problems):
        assert check(spec, mistake(spec)) == [], check.__name__


def test_a_mutant_equal_to_the_reference_is_neither_told_apart_nor_diagnosed(tmp_path):
    spec = broken_copy(tmp_path, mistakes=f"""
        import dataclasses as _dataclasses
        from dnn_autograder.reference.activations import sigmoid as _right
        MISTAKES = tuple(_dataclasses.replace(m, mutant=_right) if m.id == "{MISTAKE}" else m for m in MISTAKES)
    """)
    equal = mistake(spec)
    assert exposure_problems(spec, equal) == [
        f"{spec.name}: mistake {MISTAKE}: no case of sigmoid tells the mutant from the reference (33 cases)"]
    (problem,) = diagnosis_problems(spec, equal)
    assert "slipped through: sigmoid passes all" in problem
    assert signature_problems(spec, equal) == []  # the other checks see nothing wrong
    assert catalogue_problems(spec) == []


def test_an_edge_case_of_a_unit_that_is_not_graded_is_reported(tmp_path):
    spec = broken_copy(tmp_path, cases="""
        EDGE_CASES = {**EDGE_CASES, "sigmoid_prime": EDGE_CASES["sigmoid_backward"]}
    """)
    assert bank_problems(spec) == []
    assert edge_case_problems(spec) == [
        f"{spec.name}: EDGE_CASES names 'sigmoid_prime', which is not a graded unit"]


def test_a_stale_case_bank_is_reported(tmp_path):
    spec = broken_copy(tmp_path, cases="# a change to cases.py after the bank was written\n", restamp=False)
    (problem,) = bank_problems(spec)
    assert "case bank" in problem and "is stale" in problem


def test_a_case_passing_one_object_as_two_arguments_is_reported(tmp_path):
    spec = broken_copy(tmp_path, cases="""
        _shared = np.ones((2, 2))
        EDGE_CASES = {**EDGE_CASES, "sigmoid_backward": (
            Case({"dA": _shared, "Z": _shared}, world="sigmoid", label="edge: dA is Z"),
            *EDGE_CASES["sigmoid_backward"])}
    """)
    assert case_problems(spec, "sigmoid_backward") == [
        f"{spec.name}: sigmoid_backward: case 'edge: dA is Z': passes one object as two arguments (an update of "
        "one would change the other)"]


def test_a_world_on_a_unit_without_stand_ins_is_reported(tmp_path):
    spec = broken_copy(tmp_path, cases="""
        EDGE_CASES = {**EDGE_CASES, "sigmoid": (Case({"Z": np.zeros((1, 1))}, world="sigmoid", label="edge: a world"),)}
    """)
    assert case_problems(spec, "sigmoid") == [
        f"{spec.name}: sigmoid: case 'edge: a world': names world 'sigmoid', but the unit has no stand-ins"]


def test_a_malformed_catalogue_is_reported(tmp_path):
    spec = broken_copy(tmp_path, mistakes=f"""
        import dataclasses as _dataclasses
        MISTAKES = tuple(_dataclasses.replace(m, id="Sigmoid Sign", explanation="Wrong.") if m.id == "{MISTAKE}"
                         else m for m in MISTAKES) + (_dataclasses.replace(MISTAKES[1], function="sigmoid_prime"),
                                                      MISTAKES[2])
    """)
    problems = catalogue_problems(spec)
    second, third = mistakes_of(spec)[1:3]
    for expected in (
        f"{spec.name}: mistake id {third.id!r} is used 2 times",
        f"{spec.name}: mistake 'Sigmoid Sign': the id is not lower-case words joined by hyphens",
        f"{spec.name}: mistake 'Sigmoid Sign': the explanation must say in at most 5 sentences what the code did, "
        "why it is wrong and what to write instead",
        f"{spec.name}: mistake {second.id!r}: names 'sigmoid_prime', which is not a graded unit",
    ):
        assert expected in problems
    assert any(f"{FILE_NAME} cannot be generated from mistakes.py" in p for p in problems)


def test_a_stale_catalogue_data_file_is_reported(tmp_path):
    spec = broken_copy(tmp_path, mistakes=f"""
        import dataclasses as _dataclasses
        MISTAKES = tuple(_dataclasses.replace(m, title="Another title") if m.id == "{MISTAKE}" else m
                         for m in MISTAKES)
    """)
    assert catalogue_problems(spec) == [
        f"{spec.name}: {spec.folder / FILE_NAME} does not hold the words of mistakes.py; rewrite it with "
        "`python -m dnn_autograder.grader.assignment.catalogue_data`"]


def test_a_mutant_with_another_signature_is_reported(tmp_path):
    spec = broken_copy(tmp_path, mistakes=f"""
        import dataclasses as _dataclasses

        def _sigmoid_with_a_gain(Z, gain=2.0):
            return 1 / (1 + np.exp(gain * Z))

        MISTAKES = tuple(_dataclasses.replace(m, mutant=_sigmoid_with_a_gain) if m.id == "{MISTAKE}" else m
                         for m in MISTAKES)
    """)
    assert signature_problems(spec, mistake(spec)) == [
        f"{spec.name}: mistake {MISTAKE}: parameters (Z:positional_or_keyword, gain:positional_or_keyword), "
        "the reference's are (Z:positional_or_keyword)"]


def test_a_mutant_that_cannot_be_a_submission_is_reported(tmp_path):
    spec = broken_copy(tmp_path, mistakes=f"""
        import dataclasses as _dataclasses
        MISTAKES = tuple(_dataclasses.replace(m, mutant=lambda Z: -Z) if m.id == "{MISTAKE}" else m
                         for m in MISTAKES)
    """)
    (problem,) = submission_problems(spec, mistake(spec))
    assert "it is a lambda" in problem


@pytest.mark.parametrize("notebook", ["starter.ipynb", "master.ipynb"])
def test_notebooks_that_grade_wrongly_are_reported(tmp_path, notebook):
    spec = broken_copy(tmp_path)
    other = "master.ipynb" if notebook == "starter.ipynb" else "starter.ipynb"
    shutil.copyfile(spec.folder / other, spec.folder / notebook)
    problems = notebook_problems(spec)
    assert len(problems) == len(spec.functions)
    if notebook == "starter.ipynb":
        assert f"{spec.name}: starter.ipynb: sigmoid passes every case: the starter gives points away" in problems
    else:
        assert all(p.startswith(f"{spec.name}: master.ipynb: ") and " scores 0/" in p for p in problems)


def test_an_id_may_recur_across_assignments_only_as_the_same_mistake():
    (first, second) = mistakes_of(load_assignment("activations"))[:2]
    reused = {"activations": (first, second), "activations_2017": (first,)}
    assert shared_id_problems(reused) == []
    clash = {**reused, "other": (dataclasses.replace(second, id=first.id),)}
    assert shared_id_problems(clash) == [f"mistake id {first.id!r} means one thing in activations and another in other"]


def test_a_mistake_that_costs_twice_is_reported(tmp_path):
    """Without its stand-in, sigmoid_backward calls the student's own (wrong) sigmoid. (Not with the
    sign error: sigmoid(-Z) = 1 - s has the same s * (1 - s).)"""
    spec = broken_copy(tmp_path, spec_edit=('stand_ins = ["sigmoid"]\n', ""))
    assert spec.function("sigmoid_backward").stand_ins == ()
    assert costs_once_problems(spec, mistake(spec)) == []
    (problem,) = costs_once_problems(spec, mistake(spec, "sigmoid-operator-precedence"))
    assert problem.startswith(f"{spec.name}: mistake sigmoid-operator-precedence in sigmoid also costs points in "
                              "sigmoid_backward (failed")
