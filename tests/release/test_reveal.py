"""What a report shows of a failing hidden case: the spec's ``reveal`` choice (issue 16).

``all`` shows the case in full (as before); ``inputs`` shows its inputs and what is wrong but no
expected value; ``mistake`` shows no case at all, only the recognised mistake. A failing *public*
case is shown in full whatever the choice (the handout holds its answer anyway).
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from dnn_autograder.grader.assignment.catalogue_index import mistakes_by_function
from dnn_autograder.grader.assignment.spec import ASSIGNMENTS_DIR, load_assignment
from dnn_autograder.grader.errors import SpecError
from dnn_autograder.grader.grading.grade_function import grade_function
from dnn_autograder.grader.grading.suite import FunctionSuite, build_suites
from dnn_autograder.grader.outputs.exports.gradescope import function_output
from dnn_autograder.grader.outputs.results_json import _function

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "grader"))
from inprocess import InProcessSandbox  # noqa: E402

#: update_lr with the parentheses left out: a catalogued mistake (lr-decay-wrong-formula)
NAMED = ("def update_lr(learning_rate0, epoch_num, decay_rate):\n"
         "    return learning_rate0 / 1 + decay_rate * epoch_num\n")
#: a bug no catalogue entry describes
UNNAMED = "def update_lr(learning_rate0, epoch_num, decay_rate):\n    return learning_rate0 * 0.37 + 0.01\n"


def _grade(source: str, *, reveal: str, public_cases: int):
    spec = load_assignment("optimization")
    suite = build_suites(spec)["update_lr"]
    fspec = replace(suite.spec, reveal=reveal, public_cases=public_cases)
    suite = FunctionSuite(fspec, suite.expected, suite.strategy_factory, suite.reference, suite.worlds)
    session = InProcessSandbox().session([source])
    return grade_function(session, suite, mistakes_by_function(spec)["update_lr"])


def _true_answer(inputs) -> float:
    """The right learning rate, computed here from the formula (not by the grader)."""
    return inputs["learning_rate0"] / (1 + inputs["decay_rate"] * inputs["epoch_num"])


def _numbers_in(text: str) -> set[float]:
    import re

    return {float(x) for x in re.findall(r"-?\d+\.\d+(?:e-?\d+)?", text)}


def test_reveal_all_shows_the_expected_value_of_a_hidden_case() -> None:
    result = _grade(UNNAMED, reveal="all", public_cases=0)
    example = result.counterexample
    assert example is not None and example.hidden
    assert example.expected["learning_rate"] == pytest.approx(_true_answer(example.inputs))


def test_reveal_inputs_shows_the_inputs_but_no_expected_value() -> None:
    result = _grade(UNNAMED, reveal="inputs", public_cases=0)
    example = result.counterexample
    assert example is not None and example.hidden
    assert example.inputs and not example.expected
    answer = _true_answer(example.inputs)
    as_json = json.dumps(_function(result))
    gradescope = function_output(result, "optimization")
    for text in (as_json, gradescope, result.message):
        assert not any(abs(n - answer) <= 1e-9 * max(1.0, abs(answer)) for n in _numbers_in(text)), text
    assert any(m.where == "learning_rate" for m in example.mismatches)  # what is wrong is still said


def test_reveal_mistake_shows_only_the_named_mistake() -> None:
    result = _grade(NAMED, reveal="mistake", public_cases=0)
    assert result.diagnoses == ("lr-decay-wrong-formula",)
    assert result.counterexample is None
    assert "Not the inverse-time decay formula" in result.message
    assert "inputs" not in function_output(result, "optimization")


def test_reveal_mistake_without_a_named_mistake_says_the_case_is_hidden() -> None:
    result = _grade(UNNAMED, reveal="mistake", public_cases=0)
    assert result.counterexample is None and result.status == "failed"
    assert "hidden" in result.message


def test_a_failing_public_case_is_shown_in_full_whatever_the_choice() -> None:
    result = _grade(UNNAMED, reveal="mistake", public_cases=1000)
    example = result.counterexample
    assert example is not None and not example.hidden
    assert example.expected["learning_rate"] == pytest.approx(_true_answer(example.inputs))


def _spec_with(tmp_path: Path, text: str):
    folder = tmp_path / "bank" / "optimization"
    shutil.copytree(ASSIGNMENTS_DIR / "optimization", folder)
    spec_path = folder / "spec.toml"
    spec_path.write_text(text + spec_path.read_text(encoding="utf-8"), encoding="utf-8")
    load_assignment.cache_clear()
    try:
        return load_assignment("optimization", tmp_path / "bank")
    finally:
        load_assignment.cache_clear()


def test_reveal_defaults_to_all_and_an_assignment_wide_choice_applies_to_every_function(tmp_path: Path) -> None:
    assert {f.reveal for f in load_assignment("optimization").functions} == {"all"}
    spec = _spec_with(tmp_path, 'reveal = "inputs"\n')
    assert {f.reveal for f in spec.functions} == {"inputs"}


@pytest.mark.parametrize("line", ['reveal = "everything"\n', "[defaults]\npublic_cases = -1\n"])
def test_a_bad_choice_is_a_spec_error(tmp_path: Path, line: str) -> None:
    if line.startswith("[defaults]"):  # the copied spec has its own [defaults]: add the key there
        folder = tmp_path / "bank" / "optimization"
        shutil.copytree(ASSIGNMENTS_DIR / "optimization", folder)
        path = folder / "spec.toml"
        path.write_text(path.read_text(encoding="utf-8").replace("[defaults]\n", line, 1), encoding="utf-8")
        load_assignment.cache_clear()
        try:
            with pytest.raises(SpecError):
                load_assignment("optimization", tmp_path / "bank")
        finally:
            load_assignment.cache_clear()
        return
    with pytest.raises(SpecError):
        _spec_with(tmp_path, line)
