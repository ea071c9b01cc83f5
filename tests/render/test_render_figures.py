"""Pictures computed from a submission's functions, beside the reference (dnn_autograder.grader.grading.figures)."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
import result_fixtures as rf
from render_session import LocalSession

from dnn_autograder.grader.grading.figures import compute_figures
from dnn_autograder.grader.outputs.render.plots import figure_blocks
from dnn_autograder.grader.sandbox.records import CallRecord

ASSIGNMENTS = ("optimization", "initialization", "regularization", "gradient_checking")
KEYS = {"optimization": "optimizer_paths", "initialization": "init_activations",
        "regularization": "dropout_scaling", "gradient_checking": "gradient_check"}


def _figures(source: str, assignment: str, **kwargs: object) -> dict:
    session = LocalSession(source)
    return compute_figures(session, assignment, session.defined, **kwargs)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_correct_functions_match_the_reference(assignment: str) -> None:
    figures = _figures(rf.STUDENT_CORRECT, assignment, budget_s=5.0)
    data = figures[KEYS[assignment]]
    json.dumps(data, allow_nan=False)  # plain data
    assert data["notes"] == []
    if assignment == "optimization":
        for series in data["series"]:  # equal up to rounding (x**2 against np.square)
            for key in ("x", "y", "cost"):
                assert series["yours"][key] == pytest.approx(series["reference"][key], rel=1e-9)
            assert len(series["yours"]["x"]) == 51
    elif assignment == "initialization":
        for net in data["networks"]:
            assert net["yours"] == net["reference"]
    elif assignment == "regularization":
        assert data["yours"] == data["reference"]
        assert data["yours"]["scale"][0] == pytest.approx(1.0, abs=0.05)
    else:
        for case in data["cases"]:
            assert case["yours"] == pytest.approx(case["reference"], rel=1e-6, abs=1e-12)
            assert (case["yours"] > data["threshold"]) == (case["gradient"] == "wrong")


def test_classic_mistakes_show_up() -> None:
    source = rf.STUDENT_BUGGY
    paths = {s["label"]: s for s in _figures(source, "optimization")["optimizer_paths"]["series"]}
    assert paths["Adam"]["yours"]["x"][1] - paths["Adam"]["yours"]["x"][0] == pytest.approx(
        0.3 * 10 ** 0.5, rel=1e-3)  # no bias correction: the first step is sqrt(10) too long
    assert paths["gradient descent"]["yours"] == paths["gradient descent"]["reference"]
    init = _figures(source, "initialization")["init_activations"]
    he = next(n for n in init["networks"] if n["function"] == "initialize_parameters_he")
    assert he["yours"]["relu"]["std"][-1] < 0.1 * he["reference"]["relu"]["std"][-1]  # vanishing
    dropout = _figures(source, "regularization")["dropout_scaling"]
    assert dropout["yours"]["scale"][0] == pytest.approx(0.1, abs=0.02)  # kept units not rescaled
    check = _figures(source, "gradient_checking")["gradient_check"]
    assert all(c["yours"] > check["threshold"] for c in check["cases"])  # one-sided, wrong


def test_broken_functions_lose_their_series_with_a_note() -> None:
    paths = _figures(rf.STUDENT_BROKEN, "optimization")["optimizer_paths"]
    assert all(s["yours"] is None for s in paths["series"])
    assert all(s["reference"] for s in paths["series"])
    notes = " | ".join(paths["notes"])
    assert "raised ValueError" in notes and "at step 1" in notes
    assert "unexpected value" in notes
    assert "shape (3, 3)" in notes
    init = _figures(rf.STUDENT_BROKEN, "initialization")["init_activations"]
    assert [n["yours"] for n in init["networks"]] == [None, None, None]
    assert len(init["notes"]) == 2  # zeros is not defined: no note, no series
    assert all(n.startswith("your `initialize_parameters_") for n in init["notes"])
    assert _figures(rf.STUDENT_BROKEN, "regularization")["dropout_scaling"]["yours"] is None
    check = _figures(rf.STUDENT_BROKEN, "gradient_checking")["gradient_check"]
    assert all(c["yours"] is None for c in check["cases"])
    assert check["notes"] == ["your `gradient_check` returned nan as the difference"
                              " (in 6 of 6 checks), so those bars are missing"]


def test_nothing_defined_means_no_pictures() -> None:
    for assignment in ASSIGNMENTS:
        assert _figures("x = 1\n", assignment) == {}
    assert _figures(rf.STUDENT_CORRECT, "no_such_assignment") == {}


def test_budget_stops_the_student_calls() -> None:
    session = LocalSession(rf.STUDENT_CORRECT)
    figures = compute_figures(session, "optimization", session.defined, budget_s=0.0)
    series = figures["optimizer_paths"]["series"]
    assert all(s["yours"] is None for s in series) and session.calls == 0
    assert "time allowed for pictures ran out" in figures["optimizer_paths"]["notes"][0]


class SlowGradientDescent(LocalSession):
    """update_parameters_with_gd never ends in time: each request uses its whole deadline and
    times out, as the sandbox reports it."""

    def call(self, function: str, args: tuple, **kwargs: Any):  # type: ignore[override]
        if function == "update_parameters_with_gd":
            return self._too_slow(kwargs["timeout_s"])
        return super().call(function, args, **kwargs)

    def run_script(self, unit: str, inputs: Any, steps: Any, **kwargs: Any):  # type: ignore[override]
        if unit == "update_parameters_with_gd":
            return self._too_slow(kwargs["timeout_s"])
        return super().run_script(unit, inputs, steps, **kwargs)

    def _too_slow(self, timeout: float) -> CallRecord:
        self.calls += 1
        time.sleep(timeout)
        return CallRecord(outcome="timeout", value=None, args_after=(), error_type=None, error_message=None,
                          traceback=(), output="", duration_s=timeout, message=f"timed out after {timeout:g} s")


def test_a_slow_function_cannot_starve_the_others() -> None:
    session = SlowGradientDescent(rf.STUDENT_CORRECT)
    _figures(rf.STUDENT_CORRECT, "optimization")  # reference paths cached
    started = time.monotonic()
    data = compute_figures(session, "optimization", session.defined, budget_s=0.3)
    assert time.monotonic() - started < 0.3
    paths = {s["label"]: s["yours"] for s in data["optimizer_paths"]["series"]}
    assert paths["gradient descent"] is None
    assert len(paths["momentum"]["x"]) == len(paths["Adam"]["x"]) == 51
    (note,) = data["optimizer_paths"]["notes"]
    assert re.fullmatch(r"gradient descent: your `update_parameters_with_gd` timed out after 0\.\d+ s, "
                        r"so its path is not drawn", note)  # after a third of the budget


def test_figures_restore_the_global_generator() -> None:
    import numpy as np

    np.random.seed(123)
    expected = np.random.rand()
    np.random.seed(123)
    _figures(rf.STUDENT_CORRECT, "initialization")
    assert np.random.rand() == expected


def test_figure_computation_is_fast() -> None:
    for assignment in ASSIGNMENTS:  # warm the per-process reference caches
        _figures(rf.STUDENT_CORRECT, assignment)
    for assignment in ASSIGNMENTS:
        started = time.perf_counter()
        _figures(rf.STUDENT_BUGGY, assignment)
        # the target is ~0.3 s (the default budget); this bound only catches gross regressions
        assert time.perf_counter() - started < 1.5, assignment


def test_every_figure_draws(all_figures: dict) -> None:
    blocks = figure_blocks(all_figures, "t")
    assert [b["title"] for b in blocks] == [
        "Your optimizers on an elongated bowl",
        "Activations of a deep network built with your initializers",
        "Your dropout against keep_prob", "What your gradient_check reports"]
    for block in blocks:
        assert block["svg"].startswith('<svg role="img"') and block["svg"].endswith("</svg>")
        assert "<script" not in block["svg"] and block["table"]["rows"]
