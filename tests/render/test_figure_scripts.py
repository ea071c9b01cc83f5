"""Pictures whose paths are one script in the student's child (trusted ``figure_helpers`` steps between
the student's calls), with the per-step path as the fallback that says what went wrong.

The in-process :class:`ChildLikeSession` follows the sandbox's rule for children (a group shares a
namespace, another group starts afresh); the last tests use the real sandbox (timeouts, one child).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from functools import partial
from typing import Any

import numpy as np
import pytest
import result_fixtures as rf
from child_session import ChildLikeSession

from dnn_autograder.assignments.cs231n_optim import figures as cs231n_figures
from dnn_autograder.assignments.dlfs_layers import figures as layer_figures
from dnn_autograder.assignments.dlfs_optimizers import figures as dlfs_figures
from dnn_autograder.assignments.optimization import figures as opt_figures
from dnn_autograder.course_helpers import figure_helpers as helpers
from dnn_autograder.grader.assignment.spec import load_assignment
from dnn_autograder.grader.grading.figures import Budget, Omit, Student, compute_figures
from dnn_autograder.grader.grading.normalise import normalise
from dnn_autograder.grader.handouts.mutant_submissions import mistakes_of, mutant_source

GD, MOMENTUM, ADAM = (name for name, _, _ in opt_figures.OPTIMIZERS)

CORRECT_GD = '''
def update_parameters_with_gd(parameters, grads, learning_rate):
    return {k: parameters[k] - learning_rate * grads["d" + k] for k in parameters}
'''
#: stateful students: what they do at step 3 depends on a global counter of their own calls
AT_STEP_3 = '''
CALLS = [0]
def update_parameters_with_gd(parameters, grads, learning_rate):
    CALLS[0] += 1
    if CALLS[0] == 3:
        {action}
    return {{k: parameters[k] - learning_rate * grads["d" + k] for k in parameters}}
'''


def _paths(source: str, **options: Any) -> tuple[dict[str, Any], ChildLikeSession]:
    session = ChildLikeSession(source)
    figures = compute_figures(session, "optimization", session.defined, **options)
    return figures.get("optimizer_paths") or {}, session


def _student(session: Any, assignment: str, budget_s: float = 5.0) -> Student:
    return Student(session, load_assignment(assignment), session.defined, Budget(budget_s))


# --- the helpers, against formulas written here ------------------------------------------------
def test_bowl_gradients_are_the_bowl_and_the_logistic_regression() -> None:
    rng = np.random.default_rng(5)
    params = {"W1": np.array([[3.0, -1.5]]), "b1": np.zeros((1, 1)), "W2": rng.normal(size=(1, 2)),
              "b2": np.array([[0.3]])}
    grads, cost = helpers.bowl_gradients(params)
    np.testing.assert_allclose(grads["dW1"], [[0.3, -3.0]])  # f = x^2/20 + y^2

    def logistic(w: np.ndarray, b: float) -> float:
        X, Y = helpers.LOGISTIC
        a = 1 / (1 + np.exp(-(w @ X + b)))
        return float(-np.mean(Y * np.log(a) + (1 - Y) * np.log(1 - a)))

    assert cost == pytest.approx(logistic(params["W2"], 0.3), rel=1e-9)
    h = 1e-6
    for j in range(2):
        up, down = params["W2"].copy(), params["W2"].copy()
        up[0, j] += h
        down[0, j] -= h
        assert grads["dW2"][0, j] == pytest.approx((logistic(up, 0.3) - logistic(down, 0.3)) / (2 * h), rel=1e-5)
    assert grads["db2"][0, 0] == pytest.approx((logistic(params["W2"], 0.3 + h) - logistic(params["W2"], 0.3 - h))
                                               / (2 * h), rel=1e-5)


ADAM_SPEC = load_assignment("optimization").function(ADAM)
FORM = (ADAM_SPEC.returns, ADAM_SPEC.accept_prefix, ADAM_SPEC.in_place)


class Subclass(np.ndarray):
    """An array subclass (the grader's decoding would turn it into a plain array)."""


def _start() -> dict[str, Any]:
    return opt_figures._start()


@pytest.mark.parametrize("make", [
    lambda p, v, s: (p, v, s),
    lambda p, v, s: [p, v, s, v, s],
    lambda p, v, s: None,  # all updated in place
    lambda p, v, s: (p, v),  # s updated in place
    lambda p, v, s: ({**p, "extra": np.ones(2)}, v, s),
    lambda p, v, s: ({k: a.astype(np.float32) for k, a in p.items()}, v, s),
    lambda p, v, s: (p, None, s),  # not a dict: the previous v goes on
])
def test_bowl_next_reads_a_return_as_the_grader_does(make: Any) -> None:
    start = _start()
    params = {k: a + 0.5 for k, a in start["params"].items()}
    v = {k: a + 1.0 for k, a in start["v"].items()}
    s = {k: a + 2.0 for k, a in start["s"].items()}
    out = make(params, v, s)
    new, v_next, s_next, grads, cost, x, y = helpers.bowl_next(out, params, {}, v, s, *FORM)
    # the grader's reading of the same value: normalise, then the figure's checks
    outputs = normalise(ADAM_SPEC, out, {"parameters": params, "v": v, "s": s}).outputs
    expected = opt_figures._checked_params(outputs["parameters"], start["params"])
    assert new.keys() == expected.keys() and all(np.array_equal(new[k], expected[k]) for k in new)
    assert all(a.dtype == float and a.flags.c_contiguous for a in new.values())
    assert (x, y) == (float(expected["W1"][0, 0]), float(expected["W1"][0, 1]))
    assert (grads, cost)[1] == helpers.bowl_gradients(expected)[1]
    wanted_v = outputs["v"] if isinstance(outputs.get("v"), dict) else v
    assert all(np.array_equal(v_next[k], wanted_v[k]) and v_next[k] is not wanted_v[k] for k in wanted_v)
    assert all(np.array_equal(s_next[k], s[k]) for k in s)


@pytest.mark.parametrize("make", [
    lambda p, v, s: (p, v, s, v, s, v),  # longer than the spec's returns
    lambda p, v, s: {"parameters": p},  # not a tuple
    lambda p, v, s: ({**p, "W1": p["W1"].T}, v, s),  # a wrong shape
    lambda p, v, s: ({k: a for k, a in p.items() if k != "b2"}, v, s),  # a missing key
    lambda p, v, s: ({k: a.tolist() for k, a in p.items()}, v, s),  # lists: left to the grader's own reading
    lambda p, v, s: ({k: a.view(Subclass) for k, a in p.items()}, v, s),
    lambda p, v, s: (p, {"dW1": "text"}, s),
    lambda p, v, s: (p, v, s, np.zeros((100, 100)), s),  # a large array
    lambda p, v, s: (dict(p, extra=3), v, s),  # a number where the grader would decode another type
])
def test_bowl_next_refuses_what_it_cannot_read_exactly(make: Any) -> None:
    start = _start()
    with pytest.raises(helpers.Refused):
        helpers.bowl_next(make(start["params"], start["v"], start["s"]), start["params"], {}, start["v"],
                          start["s"], *FORM)


def test_softmax_next_checks_the_weights_and_copies_the_config() -> None:
    config = {"learning_rate": 0.1, "t": 3, "m": np.ones((3, 3)), "name": "adam", "skip": None}
    w, copied, dw, loss, size = helpers.softmax_next(np.full((3, 3), -2.0), config)
    assert size == 2.0 and (loss, dw.tolist()) == (helpers.softmax_loss(w)[0], helpers.softmax_loss(w)[1].tolist())
    assert copied == {**config, "m": copied["m"]} and copied["m"] is not config["m"]
    assert math.isnan(helpers.softmax_next(np.full((3, 3), np.nan), None)[4])
    for bad in [(np.ones((3, 1)), {}), (np.ones((3, 3)), {"m": [1.0]}), (np.ones((3, 3)), {"t": np.int64(3)}),
                ([[0.0] * 3] * 3, {}), (np.ones((3, 3)), ("lr", 0.1))]:
        with pytest.raises(helpers.Refused):
            helpers.softmax_next(*bad)


def test_point_gradient_is_the_books_and_harmless_after_divergence() -> None:
    assert helpers.point_gradient({"x": -7.0, "y": np.array(2.0)}) == {"x": -0.7, "y": 4.0}
    assert helpers.point_gradient({"x": np.array([3.0]), "y": 1}) == {"x": 0.3, "y": 2.0}
    assert helpers.point_gradient({"x": math.inf, "y": 0.0}) == {"x": 0.0, "y": 0.0}
    assert helpers.point_gradient({"x": 2e6, "y": 0.0}) == {"x": 0.0, "y": 0.0}
    with pytest.raises(helpers.Refused):
        helpers.point_gradient({"x": "a", "y": 0.0})


# --- one script per series, in one child -------------------------------------------------------
def test_a_correct_student_costs_one_script_per_optimizer_in_one_child() -> None:
    data, session = _paths(rf.STUDENT_CORRECT)
    assert data["notes"] == [] and all(len(s["yours"]["x"]) == 51 for s in data["series"])
    assert session.calls == 3 and session.children == 1
    assert set(session.groups) == {"figures"}


@pytest.mark.parametrize("source", [rf.STUDENT_CORRECT, rf.STUDENT_BUGGY])
@pytest.mark.parametrize("name", [GD, MOMENTUM, ADAM])
def test_the_script_path_is_the_call_by_call_path(source: str, name: str) -> None:
    hyper = next(h for n, _, h in opt_figures.OPTIMIZERS if n == name)
    student = _student(ChildLikeSession(source), "optimization")
    scripted = opt_figures._student_trajectory(student, name, hyper)
    one_by_one = opt_figures._trajectory(name, hyper, partial(_student(ChildLikeSession(source), "optimization").call,
                                                              name))
    assert scripted == one_by_one  # exactly: the same numbers, the same note


# --- odd and hostile students: the notes of the call-by-call path ------------------------------
@pytest.mark.parametrize(("action", "note"), [
    ('raise RuntimeError("boom")', "raised RuntimeError: boom (at step 3)"),
    ('return "nope"', "returned str instead of the parameters dictionary (at step 3)"),
    ('return {"W1": np.zeros((2, 2))}',
     'returned an array of shape (2, 2) for parameters["W1"], expected shape (1, 2) (at step 3)'),
    ("return (parameters, 1)", "returned tuple instead of the parameters dictionary (at step 3)"),
])
def test_a_student_failing_at_step_3_gets_the_note_of_step_3(action: str, note: str) -> None:
    data, session = _paths(AT_STEP_3.format(action=action))
    assert data["notes"] == [f"gradient descent: your `{GD}` {note}, so its path is not drawn"]
    assert data["series"][0]["yours"] is None
    # the first attempt (one script) failed; the calls one by one ran in a fresh child, so the
    # student's counter started again from 0 and the failure is seen at step 3 again
    assert session.groups[0] == "figures" and session.groups[1].startswith("figures: ")
    assert session.calls == 1 + 3 and session.children == 2


def test_returning_none_updates_in_place_and_is_a_whole_path() -> None:
    data, _ = _paths(AT_STEP_3.format(action="for k in parameters: parameters[k] -= learning_rate * "
                                              'grads["d" + k]\n        return None'))
    gd = data["series"][0]
    assert data["notes"] == [] and gd["yours"] == gd["reference"]


def test_a_diverging_path_is_cut_where_it_leaves_the_picture() -> None:
    data, session = _paths(CORRECT_GD.replace("- learning_rate", "+ 3 * learning_rate"))
    (note,) = data["notes"]
    step = int(re.fullmatch(r"gradient descent: the path left the picture \(diverged\) at step (\d+)", note)[1])
    yours = data["series"][0]["yours"]
    assert len(yours["x"]) == len(yours["cost"]) == step  # the start and the steps before
    x, y = -7.0, 2.0
    for _ in range(step - 1):  # x <- x + 2.7 x / 10, y <- y + 2.7 (2 y): the student's rule by hand
        x, y = x + 2.7 * x / 10, y + 2.7 * 2 * y
    assert yours["x"][-1] == pytest.approx(x) and yours["y"][-1] == pytest.approx(y)
    assert max(abs(x + 2.7 * x / 10), abs(y + 2.7 * 2 * y)) > 1e6 >= max(abs(x), abs(y))
    assert session.calls == 1  # no second attempt


def test_a_broken_student_keeps_the_notes_of_the_first_call() -> None:
    data, _ = _paths(rf.STUDENT_BROKEN)
    assert data["notes"] == [
        f"gradient descent: your `{GD}` raised ValueError: <script>alert(1)</script> not implemented (at step 1), "
        "so its path is not drawn",
        f"momentum: your `{MOMENTUM}` returned an unexpected value: expected a tuple (parameters, v), got str "
        "(at step 1), so its path is not drawn",
        f'Adam: your `{ADAM}` returned an array of shape (3, 3) for parameters["W1"], expected shape (1, 2) '
        "(at step 1), so its path is not drawn"]


# --- the other assignments' scripts --------------------------------------------------------------
def _mutants(assignment: str, functions: set[str], count: int) -> Iterator[str]:
    spec = load_assignment(assignment)
    chosen = [m for m in mistakes_of(spec) if m.function in functions][:count]
    assert chosen
    for mistake in chosen:
        yield mutant_source(spec, mistake)


@pytest.mark.parametrize("source", list(_mutants("cs231n_optim", {"adam", "rmsprop", "sgd_momentum"}, 6)),
                         ids=lambda source: source.splitlines()[1].split()[-1])
def test_cs231n_curves_from_one_script_are_the_step_by_step_curves(source: str) -> None:
    for unit, _, config in cs231n_figures.RULES:
        session = ChildLikeSession(source)
        if not session.defined(unit):
            continue
        scripted = cs231n_figures._student_losses(_student(session, "cs231n_optim"), unit, config)
        student = _student(ChildLikeSession(source), "cs231n_optim")
        assert session.calls == 1
        steps = (cs231n_figures.Step(unit, args=(cs231n_figures.Var("w"), cs231n_figures.Var("dw"),
                                                 cs231n_figures.Var("config")), returns=("next_w", "config"),
                                     compare=("next_w", "config")),)

        def step(w: Any, dw: Any, cfg: Any, unit: str = unit, steps: Any = steps, student: Student = student) -> Any:
            out = student.run_script(unit, {"w": w, "dw": dw, "config": cfg}, steps)
            return out.get("step 1: next_w"), out.get("step 1: config")

        assert scripted == cs231n_figures._train(step, config)


@pytest.mark.parametrize("source", list(_mutants("dlfs_optimizers", {"SGD", "Momentum", "AdaGrad", "Adam"}, 8)),
                         ids=lambda source: source.splitlines()[1].split()[-1])
def test_dlfs_paths_off_the_reference_take_one_replay(source: str) -> None:
    for name, lr in dlfs_figures.OPTIMIZERS:
        session = ChildLikeSession(source)
        if not session.defined(name):
            continue
        points, note = dlfs_figures.student_path(_student(session, "dlfs_optimizers"), name, lr)
        assert session.calls <= 2  # the reference's gradients, then at most one replay
        # the same path, step by step (each further step replays the learner's own points)
        student = _student(ChildLikeSession(source), "dlfs_optimizers")
        first = [dlfs_figures.START]
        values = student.run_script(name, dlfs_figures._inputs(
            [dlfs_figures.gradient(p) for p in dlfs_figures.reference_path(name, lr)[:-1]]),
            dlfs_figures.script_steps(name, lr, dlfs_figures.STEPS))
        reference = dlfs_figures.reference_path(name, lr)
        for k in range(1, dlfs_figures.STEPS + 1):
            first.append(dlfs_figures._point(values[f"step {k + 1}: params"]))
            if first[-1] != pytest.approx(reference[k], rel=1e-9, abs=1e-12):
                break
        assert (points, note) == dlfs_figures._step_by_step(student, name, lr, first)


def test_dlfs_histograms_from_one_script_per_initialization() -> None:
    source = "\n".join(mutant_source(load_assignment("dlfs_layers"), m) for m in mistakes_of(
        load_assignment("dlfs_layers")) if m.function == "Sigmoid")  # the last Sigmoid mistake wins
    session = ChildLikeSession(source)
    scripted = layer_figures._student_histograms(_student(session, "dlfs_layers"), "Sigmoid", 1.0)
    assert session.calls == 1
    student = _student(ChildLikeSession(source), "dlfs_layers")
    assert scripted == layer_figures._forward_all(layer_figures._student_activation(student, "Sigmoid"), 1.0)


def test_a_dlfs_layer_of_the_wrong_shape_falls_back_to_the_note() -> None:
    source = '''
class Sigmoid:
    def forward(self, x):
        return 1 / (1 + np.exp(-x[:, :10]))
'''
    session = ChildLikeSession(source)
    with pytest.raises(Omit, match=re.escape("returned an array of shape (200, 10) for a batch of shape (200, 100)")):
        layer_figures._student_histograms(_student(session, "dlfs_layers"), "Sigmoid", 1.0)
    assert session.calls == 2 and session.children == 1  # no groups in this double: as it comes


def test_dropout_calls_are_one_batch_with_the_notes_of_single_calls() -> None:
    from render_session import LocalSession

    class Batching(LocalSession):
        batches = 0

        def call_each(self, function: str, calls: Any, **kwargs: Any) -> Iterator[Any]:
            self.batches += 1
            for args, seed in calls:
                record = self.call(function, args, seed=seed, inject=kwargs["inject"])
                yield record
                if record.outcome != "returned":
                    return

    session = Batching(rf.STUDENT_CORRECT)
    data = compute_figures(session, "regularization", session.defined)["dropout_scaling"]
    assert session.batches == 1 and data["yours"] == data["reference"]
    for source in (rf.STUDENT_BROKEN, rf.STUDENT_BUGGY):  # as the calls one at a time, stopping at the first
        batching, single = Batching(source), LocalSession(source)
        data = compute_figures(batching, "regularization", batching.defined)["dropout_scaling"]
        assert data == compute_figures(single, "regularization", single.defined)["dropout_scaling"]
        assert batching.batches == 1 and batching.calls == single.calls
    assert data["yours"]["scale"][0] == pytest.approx(0.1, abs=0.02)
    broken = Batching(rf.STUDENT_BROKEN)
    data = compute_figures(broken, "regularization", broken.defined)["dropout_scaling"]
    assert broken.calls == 1 and data["yours"] is None
    assert data["notes"] == ["your `forward_propagation_with_dropout` returned an unexpected value: expected a tuple"
                             " of 2 values (A3, cache), got 0, so only the reference is drawn"]


# --- the real sandbox: one child, a hang, a stateful failure ------------------------------------
@pytest.fixture(scope="module")
def box() -> Iterator[Any]:
    from dnn_autograder.grader.sandbox import Limits, Sandbox

    with Sandbox(Limits()) as opened:
        yield opened


def _sandbox_paths(box: Any, source: str, budget_s: float = 5.0) -> tuple[dict[str, Any], int]:
    from dnn_autograder.grader.sandbox import units_from_source

    with box.session(units_from_source("import numpy as np\n" + source)) as session:
        session.call(GD, ({}, {}, 0.1))  # a graded call first, as in grading: its child is kept only if clean
        spawned = []
        spawn = session._spawn
        session._spawn = lambda first: spawned.append(1) or spawn(first)
        figures = compute_figures(session, "optimization", session.defined, budget_s=budget_s)
        return figures.get("optimizer_paths") or {}, len(spawned)


def test_in_the_sandbox_the_figures_take_one_child(box: Any) -> None:
    data, children = _sandbox_paths(box, rf.STUDENT_CORRECT)
    # the graded call left no trace: its child, verified as fresh, draws all the pictures
    assert data["notes"] == [] and children == 0
    for series in data["series"]:
        assert series["yours"]["x"] == pytest.approx(series["reference"]["x"], rel=1e-9)


def test_in_the_sandbox_a_stateful_failure_is_found_at_its_step(box: Any) -> None:
    data, children = _sandbox_paths(box, AT_STEP_3.format(action='raise RuntimeError("boom")'))
    assert data["notes"] == [f"gradient descent: your `{GD}` raised RuntimeError: boom at line 7 of submission.py"
                             " (at step 3), so its path is not drawn"]  # line 1: import numpy, 2: blank
    assert children == 2  # the script's child, then a fresh one for the calls one by one (a counter from 0)


def test_in_the_sandbox_a_hang_costs_its_share_of_the_budget(box: Any) -> None:
    source = rf.STUDENT_CORRECT + AT_STEP_3.format(action="while True: pass")
    data, _ = _sandbox_paths(box, source, budget_s=0.9)
    paths = {s["label"]: s["yours"] for s in data["series"]}
    assert paths["gradient descent"] is None and len(paths["momentum"]["x"]) == len(paths["Adam"]["x"]) == 51
    (note,) = data["notes"]
    assert re.fullmatch(rf"gradient descent: your `{GD}` timed out after 0\.[23]\d* s, so its path is not drawn", note)
