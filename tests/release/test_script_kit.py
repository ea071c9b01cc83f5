"""Script units in the student kit: ``grade release`` of an assignment whose units are scripts of
calls (the toy assignment: a stateful update, a class, a forward and its backward), and the
released kit running the public scripts against a student's functions and classes."""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import nbformat
import pytest
from handout_support import handout_kit, run_in_namespace

from dnn_autograder.grader.commands import release as command
from dnn_autograder.grader.handouts.handout_release import release_handouts
from dnn_autograder.grader.handouts.mutant_submissions import mistakes_of, mutant_source

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "grader" / "script_bank"))
import toy_support  # noqa: E402 - the toy script assignment with a master notebook

INTERPRETER = Path(__file__).resolve().parents[2] / "dnn_autograder" / "grader" / "sandbox" / "child" / "script.py"
RIGHT = toy_support.solution_source()


@pytest.fixture(scope="module")
def toy(tmp_path_factory: pytest.TempPathFactory):
    root = toy_support.toy_root(tmp_path_factory.mktemp("toy"))
    spec = toy_support.load_toy(root)
    (handout,) = release_handouts(root, tmp_path_factory.mktemp("out"))
    return spec, handout


def _check(toy, source: str, unit: str):
    _, handout = toy
    with handout_kit(handout.folder) as kit:
        return kit.run_check(unit, run_in_namespace(source))


def test_release_ships_the_interpreter_and_the_steps(toy) -> None:
    _, handout = toy
    names = {path.name for path in handout.folder.iterdir()}
    assert {"selfcheck.py", "selfcheck_script.py", "selfcheck_data.json", "toy_scripts.ipynb"} <= names
    # a copy of the grader's interpreter, byte for byte (copied at release time, not kept twice)
    assert (handout.folder / "selfcheck_script.py").read_text(encoding="utf-8") == INTERPRETER.read_text(
        encoding="utf-8")
    with handout_kit(handout.folder) as kit:
        case = kit.load_data(str(handout.folder / "selfcheck_data.json"))["functions"]["Momentum"]["cases"][0]
    assert case["steps"][0]["call"] == "Momentum" and case["steps"][1]["call"] == "opt.update"
    assert case["script"][0] == ["opt = Momentum(lr=0.1)"]
    assert set(case["expected"]) == {"step 2: params", "step 3: params", "step 4: params"}


def test_the_cli_releases_a_script_assignment(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = toy_support.toy_root(tmp_path)
    toy_support.load_toy(root)
    assert command.main([str(tmp_path / "out"), "--source", str(root)]) == 0
    assert (tmp_path / "out" / "toy_scripts" / "selfcheck_script.py").is_file()


@pytest.mark.parametrize("unit", ["momentum", "Momentum", "scale_forward", "scale_backward"])
def test_the_master_passes_and_the_starter_is_not_implemented(toy, unit: str) -> None:
    verdict = _check(toy, RIGHT, unit)
    assert verdict.status == "passed", verdict.text
    assert "public checks passed" in verdict.text
    _, handout = toy  # the released starter, run as it is (its self-check cells aside)
    notebook = nbformat.read(handout.notebook, as_version=4)
    starter = "\n\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code"
                          and "self_check" not in cell.metadata.get("grader", {}))
    assert "raise NotImplementedError()" in starter
    assert _check(toy, starter, unit).status == "not implemented"


@pytest.mark.parametrize(("mistake_id", "step", "line"), [
    ("toy-momentum-sign", 1, "next_w, config = momentum(w, dw1, config)"),
    ("toy-params-rebound", 2, "opt.update(params, grads1)"),
])
def test_a_catalogued_mistake_is_named_and_its_first_diverging_step_shown(toy, mistake_id: str, step: int,
                                                                          line: str) -> None:
    spec, _ = toy
    mistake = next(m for m in mistakes_of(spec) if m.id == mistake_id)
    verdict = _check(toy, mutant_source(spec, mistake), mistake.function)
    assert verdict.status == "failed" and verdict.mistakes == (mistake_id,), verdict.text
    assert mistake.title in verdict.text
    assert f"first differ at step {step}: `{line}`" in verdict.text, verdict.text
    assert f"→ {line}" in verdict.text  # the script shown as code, the diverging step marked


def test_state_not_carried_over_diverges_in_config_at_step_one(toy) -> None:
    verdict = _check(toy, RIGHT.replace('    config["velocity"] = velocity\n', ""), "momentum")
    assert verdict.status == "failed" and verdict.mistakes == ()
    assert "first differ at step 1" in verdict.text
    assert 'step 1: config["velocity"]' in verdict.text  # the missing key, named after its step
    assert "(right: step 1: next_w)" in verdict.text


def test_a_backward_right_for_its_own_wrong_forward_passes(toy) -> None:
    shifted = RIGHT.replace("    out = gamma * x * x\n    cache = (gamma, x)",
                            "    x = x + 1\n    out = gamma * x * x\n    cache = (gamma, x)")
    assert shifted != RIGHT
    assert _check(toy, shifted, "scale_forward").status == "failed"
    backward = _check(toy, shifted, "scale_backward")
    assert backward.status == "passed", backward.text
    assert "right for your own forward" in backward.text
    # a cache of 2x: right forward, gradients neither the expected ones nor those of its own forward
    doubled = RIGHT.replace("cache = (gamma, x)", "cache = (gamma, 2 * x)")
    assert _check(toy, doubled, "scale_forward").status == "passed"
    assert _check(toy, doubled, "scale_backward").status == "failed"


def test_a_wrong_form_and_a_crash_name_their_step(toy) -> None:
    verdict = _check(toy, RIGHT.replace("    return next_w, config", "    return next_w"), "momentum")
    assert verdict.status == "failed" and "a tuple of 2 (next_w, config)" in verdict.text, verdict.text
    crash = RIGHT.replace("    def update(self, params, grads):\n", "    def update(self, params, grads):\n"
                          "        if self.v is not None: raise KeyError('W')\n")
    verdict = _check(toy, crash, "Momentum")
    assert verdict.status == "failed"
    assert "at step 3: `opt.update(params, grads2)`, it raised KeyError" in verdict.text, verdict.text


def test_own_forward_gradients_never_excuse_a_wrong_forward_output_in_the_same_script(toy) -> None:
    """A unit whose script compares the forward's output too (a layer class's forward and backward):
    the numerical gradient may excuse the backward's gradients, never the forward's own output."""
    _, handout = toy
    shifted = RIGHT.replace("    out = gamma * x * x\n    cache = (gamma, x)",
                            "    x = x + 1\n    out = gamma * x * x\n    cache = (gamma, x)")
    with handout_kit(handout.folder) as kit:
        data = copy.deepcopy(kit.load_data(str(handout.folder / "selfcheck_data.json")))
        unit = data["functions"]["scale_backward"]
        for case in unit["cases"]:
            case["steps"][0]["compare"] = ["out"]
            x, gamma = case["args"]["x"], case["args"]["gamma"]
            case["expected"]["step 1: out"] = gamma * x ** 2  # the toy forward, by hand
        namespace = run_in_namespace(shifted)
        verdict = kit.run_check("scale_backward", namespace, data)
        assert verdict.status == "failed", verdict.text
        assert "step 1: out" in verdict.text and "first differ at step 1" in verdict.text
        assert kit.run_check("scale_backward", run_in_namespace(RIGHT), data).status == "passed"
