"""A script unit's counterexample in every view: the script as code and the first diverging step.

The result is a real grading of the toy script assignment (``tests/grader/script_bank``): a class
whose ``update`` rebinds ``params`` (step 1 constructs, step 2 is the first update), and a
stateful function that never stores its velocity (its ``config`` is wrong from step 1).
"""

from __future__ import annotations

import io
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rich.console import Console
from visible_text import squash, visible

from dnn_autograder.grader.extract import extract_file
from dnn_autograder.grader.grading.pipeline import grade_assignment
from dnn_autograder.grader.model import SubmissionResult
from dnn_autograder.grader.outputs.exports.gradescope import function_output, results_dict
from dnn_autograder.grader.outputs.exports.junit import junit_tree
from dnn_autograder.grader.outputs.render import render_report
from dnn_autograder.grader.outputs.terminal import print_submission

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "grader" / "script_bank"))
import toy_support  # noqa: E402 - the toy script assignment

REBOUND = "opt.update(params, grads1)"


@pytest.fixture(scope="module")
def graded(sandbox, tmp_path_factory: pytest.TempPathFactory) -> SubmissionResult:
    tmp = tmp_path_factory.mktemp("toy")
    spec = toy_support.load_toy(toy_support.toy_root(tmp))
    source = toy_support.solution_source()
    wrong = source.replace("            params[key] += self.v[key]\n",
                           "            params = {k: params[k] + self.v[k] for k in params}\n")
    wrong = wrong.replace('    config["velocity"] = velocity\n', "")
    assert wrong.count("\n") == source.count("\n") - 1
    path = tmp / "alice.py"
    path.write_text(wrong, encoding="utf-8")
    result = grade_assignment(spec, extract_file(path), sandbox)
    return SubmissionResult("alice.py", result.score, result.max_score, (result,))


def _function(graded: SubmissionResult, name: str):
    return next(f for f in graded.assignments[0].functions if f.name == name)


def test_the_graded_result_is_a_script_counterexample(graded: SubmissionResult) -> None:
    example = _function(graded, "Momentum").counterexample
    assert example is not None and example.step == 2 and REBOUND in example.script
    assert _function(graded, "momentum").counterexample.step == 1


def test_the_html_report_shows_the_script_and_the_first_diverging_step(graded: SubmissionResult) -> None:
    whole = squash(visible(render_report(graded, draw=False)).text)
    assert "first differ at step 1" in whole and "next_w, config = momentum(w, dw1, config)" in whole
    assert "first differ at step 2" in whole and "opt = Momentum(lr=0.1)" in whole and REBOUND in whole
    assert "step 2: params" in whole  # outputs named after their step


def _terminal(graded: SubmissionResult) -> str:
    out = io.StringIO()
    print_submission(graded, Console(file=out, width=160, no_color=True, legacy_windows=False))
    return out.getvalue()


def test_the_terminal_names_the_first_diverging_step(graded: SubmissionResult) -> None:
    text = squash(_terminal(graded))
    assert "first differ at step 2" in text and REBOUND in text, text


def test_gradescope_and_junit_show_the_script_and_the_step(graded: SubmissionResult) -> None:
    function = _function(graded, "Momentum")
    text = function_output(function, "toy_scripts")
    assert "opt = Momentum(lr=0.1)" in text and REBOUND in text
    assert "first differ at step 2" in text
    assert 'step 2: params["b"]' in text or 'step 2: params["W"]' in text
    tests = results_dict(graded)["tests"]
    assert any("first differ at step 2" in t["output"] for t in tests)
    xml = ET.tostring(junit_tree([graded]).getroot(), encoding="unicode")
    assert "first differ at step 2" in xml and "opt.update(params, grads1)" in xml
