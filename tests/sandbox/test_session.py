"""What a session does for well-meaning code: units, calls, values, stand-ins, messages."""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import pytest

from dnn_autograder.grader.sandbox import Opaque, ProgramUnit, units_from_source

from .support import units

STUDENT = '''\
import numpy as np
from reg_utils import compute_cost
import copy


def update_lr(lr, x):
    scale = 1.0
    return lr / x * scale


def adam_step(parameters, grads, t, learning_rate=0.01):
    for key in parameters:
        parameters[key] -= learning_rate * grads["d" + key]
    return parameters, {"t": t + 1}


def cost(a3, Y):
    return compute_cost(a3, Y)


def uses_helper(x):
    return sigmoid(x) * 2


def draw(n):
    return np.random.rand(n)


def types():
    return (1, 2.5, True, None, "text", 3 + 4j, np.float32(1.5), np.int64(7), np.bool_(True),
            {"a": [1, (2, 3)], 4: np.arange(3, dtype=np.int8)}, np.zeros((0, 3)))


def noisy(x):
    print("looking at", x)
    return x


def helper_loop(x):
    while True:
        sigmoid(x)


def mutate(values):
    values.append(99)
    values[0]["k"] = "changed"
    return None
'''


@pytest.fixture
def session(request: Any) -> Any:
    sandbox = request.getfixturevalue("sandbox")
    with sandbox.session(units_from_source(STUDENT, "submission.ipynb, cell 3")) as opened:
        yield opened


def test_units_and_definitions(session: Any) -> None:
    assert all(unit.ok for unit in session.units), session.units
    assert session.defined("update_lr") and session.defined("adam_step")
    assert not session.defined("np")  # a module is not callable: not "defined"
    assert not session.defined("missing_function")


def test_arrays_and_in_place_updates(session: Any) -> None:
    parameters = {"W1": np.ones((2, 3)), "b1": np.zeros((2, 1))}
    grads = {"dW1": np.full((2, 3), 10.0), "db1": np.ones((2, 1))}
    record = session.call("adam_step", (parameters, grads, 1))
    assert record.outcome == "returned", record
    new, state = record.value
    np.testing.assert_allclose(new["W1"], np.full((2, 3), 0.9))
    assert state == {"t": 2}
    assert list(new) == ["W1", "b1"]
    after_parameters = record.args_after[0]
    np.testing.assert_allclose(after_parameters["b1"], -0.01 * np.ones((2, 1)))
    np.testing.assert_array_equal(parameters["W1"], np.ones((2, 3)))  # ours never changes


def test_values_keep_their_types(session: Any) -> None:
    value = session.call("types", ()).value
    assert value[:6] == (1, 2.5, True, None, "text", 3 + 4j)
    assert [type(v) for v in value[6:9]] == [np.float32, np.int64, np.bool_]
    assert value[9]["a"] == [1, (2, 3)]
    assert value[9][4].dtype == np.int8 and value[9][4].tolist() == [0, 1, 2]
    assert value[10].shape == (0, 3)


def test_nan_and_infinity_are_data(session: Any) -> None:
    record = session.call("update_lr", (np.array([1.0, 0.0, -1.0]), 0.0))
    assert record.outcome == "returned"
    assert math.isinf(record.value[0]) and math.isnan(record.value[1])
    assert "RuntimeWarning" in record.output and "line 8" in record.output


def test_raised_error_has_student_traceback_and_line(session: Any) -> None:
    record = session.call("update_lr", (1.0, 0))
    assert record.outcome == "raised"
    assert record.error_type == "ZeroDivisionError"
    assert record.error_message == "float division by zero"
    assert record.traceback == (
        "submission.ipynb, cell 3, line 8, in update_lr: return lr / x * scale",)
    assert record.message == ("raised ZeroDivisionError: float division by zero "
                              "at line 8 of submission.ipynb, cell 3")


def test_first_line_offsets_line_numbers(sandbox: Any) -> None:
    source = "def f(x):\n    return 1 / x\n"
    unit = ProgramUnit("definition", source, ("f",), "nb.ipynb, cell 9", 40)
    with sandbox.session([unit]) as opened:
        record = opened.call("f", (0,))
    assert record.traceback == ("nb.ipynb, cell 9, line 41, in f: return 1 / x",)


def test_missing_function_is_a_name_error(session: Any) -> None:
    record = session.call("nope", ())
    assert (record.outcome, record.error_type) == ("raised", "NameError")


def test_seed_makes_calls_repeatable(session: Any) -> None:
    first = session.call("draw", (4,), seed=1).value
    second = session.call("draw", (4,), seed=1).value
    np.random.seed(1)
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(first, np.random.rand(4))


def test_injected_course_helper(session: Any) -> None:
    a3, y = np.array([[0.5, 0.9]]), np.array([[1, 0]])
    record = session.call("cost", (a3, y), inject={"compute_cost": "reg_utils.compute_cost"})
    expected = float(np.sum(-y * np.log(a3) - (1 - y) * np.log(1 - a3)) / 2)
    assert record.value == pytest.approx(expected)


def test_stand_in_forwards_to_the_parent(session: Any) -> None:
    seen = []

    def answer(name: str, args: tuple, kwargs: dict) -> Any:
        seen.append((name, args, kwargs))
        return args[0] + 1

    record = session.call("uses_helper", (np.ones(2),), stand_ins=["sigmoid"],
                          on_stand_in=answer)
    assert record.value.tolist() == [4.0, 4.0]
    assert seen[0][0] == "sigmoid" and seen[0][1][0].tolist() == [1.0, 1.0]
    # restored afterwards: without the stand-in the name is undefined again
    assert session.call("uses_helper", (np.ones(2),)).error_type == "NameError"


def test_stand_in_errors_are_raised_in_the_child(session: Any) -> None:
    def answer(name: str, args: tuple, kwargs: dict) -> Any:
        raise ValueError("shapes (2,) and (3,) not aligned")

    record = session.call("uses_helper", (np.ones(2),), stand_ins=["sigmoid"],
                          on_stand_in=answer)
    assert (record.outcome, record.error_type) == ("raised", "ValueError")
    assert "not aligned" in record.error_message


def test_a_loop_of_stand_in_calls_still_times_out(session: Any) -> None:
    def slow(name: str, args: tuple, kwargs: dict) -> Any:
        time.sleep(0.01)
        return 0.5

    started = time.monotonic()
    record = session.call("helper_loop", (1.0,), stand_ins=["sigmoid"], on_stand_in=slow,
                          timeout_s=0.3)
    assert (record.outcome, record.message) == ("timeout", "timed out after 0.3 s")
    assert time.monotonic() - started < 3.0  # 0.3 s + at most 3 x 0.3 s of answers, + noise


def test_stand_ins_need_a_callback_and_injections_must_exist(session: Any) -> None:
    with pytest.raises(ValueError, match="on_stand_in"):
        session.call("uses_helper", (1,), stand_ins=["sigmoid"])
    with pytest.raises(ValueError, match="cannot inject"):
        session.call("cost", (1, 2), inject={"compute_cost": "reg_utils.nothing_here"})
    assert session.call("update_lr", (1.0, 2.0)).value == 0.5


def test_output_is_captured_per_call(session: Any) -> None:
    assert session.call("noisy", (3,)).output == "looking at 3\n"
    assert session.call("update_lr", (1.0, 2.0)).output == ""


FD_OUTPUT = '''\
import os


def fd_write(text):
    os.write(1, text.encode())
    return len(text)


def fd_write_and_truncate(text):
    os.write(1, text.encode())
    os.ftruncate(1, 0)  # empty again, but the file offset stays past the text
    return 0


def quiet():
    return None
'''


def test_output_written_to_the_descriptor_is_captured_per_call(sandbox: Any) -> None:
    """Output written straight to file descriptor 1 belongs to the call that wrote it, also
    after calls that wrote nothing, and after one that truncated the descriptor itself."""
    with sandbox.session(units_from_source(FD_OUTPUT, "submission.ipynb")) as session:
        outputs = [session.call(name, args).output for name, args in [
            ("fd_write", ("first\n",)), ("quiet", ()), ("quiet", ()), ("fd_write", ("second\n",)),
            ("fd_write_and_truncate", ("gone\n",)), ("fd_write", ("third\n",)), ("quiet", ())]]
        each = [record.output for record in session.call_each(
            "fd_write", [(("a",), None), (("",), None), (("bc",), None)])]
    assert outputs == ["first\n", "", "", "second\n", "", "third\n", ""]
    assert each == ["a", "", "bc"]


def test_mutated_arguments_come_back(session: Any) -> None:
    record = session.call("mutate", ([{"k": "v"}, 2],))
    assert record.value is None
    assert record.args_after == ([{"k": "changed"}, 2, 99],)


def test_unsendable_argument_after_the_call_is_opaque(sandbox: Any) -> None:
    code = "def keep(box):\n    box.append(lambda: 1)\n    return len(box)\n"
    with sandbox.session(units_from_source(code)) as opened:
        record = opened.call("keep", ([1],))
    assert record.value == 2
    assert record.args_after[0] == Opaque("list")


def test_failing_units_do_not_stop_the_others(sandbox: Any, world: Any) -> None:
    with sandbox.session(units("top_level")) as opened:
        world.watch(opened)
        outcomes = {u.names: u for u in opened.units}
        assert outcomes[("sklearn",)].message == "ModuleNotFoundError: No module named 'sklearn'"
        assert outcomes[("broken",)].message.startswith("ZeroDivisionError: division by zero")
        assert outcomes[("hang",)].message == (
            "timed out after 2.5 s while running its top-level code")
        assert outcomes[("*",)].ok and outcomes[("update_parameters_with_adam_test_case",)].ok
        assert opened.call("before", (1,)).value == 2
        assert opened.call("after", (2,)).value == 6
        assert opened.call("uses_shell", ()).value is None
        record = opened.call("uses_sklearn", (1,))
        world.watch(opened)
    assert record.error_type == "ImportError"
    assert record.error_message.startswith("module 'sklearn' is not available to the grader")


def test_unit_that_kills_the_interpreter_is_skipped(sandbox: Any, world: Any) -> None:
    with sandbox.session(units("top_level_exit")) as opened:
        world.watch(opened)
        messages = [u.message for u in opened.units if not u.ok]
        assert messages == [
            "exited the interpreter (os._exit(9)) while running its top-level code"]
        assert opened.call("well_behaved", (1,)).value == 3
        assert opened.call("before", (1,)).value == 2


def test_duck_typed_units_are_accepted(sandbox: Any) -> None:
    class Unit:
        kind, source, names, filename, first_line = "constant", "X = 3\n", ("X",), "f.py", 1

    code = {"kind": "definition", "source": "def f():\n    return X\n", "names": ["f"],
            "filename": "f.py", "first_line": 2}
    with sandbox.session([Unit(), code]) as opened:
        assert opened.call("f", ()).value == 3


def test_bad_unit_kind_is_refused(sandbox: Any) -> None:
    with pytest.raises(ValueError, match="kind"):
        sandbox.session([{"kind": "shell", "source": "", "names": [], "filename": "x",
                          "first_line": 1}])


NUMPY_SMOKE = '''\
import numpy as np


def smoke():
    a = np.random.randn(5, 4)
    checks = [
        lambda: np.linalg.norm(a), lambda: np.linalg.inv(np.eye(3) * 2), lambda: np.linalg.svd(a),
        lambda: np.random.permutation(10), lambda: np.random.default_rng(1).normal(size=3),
        lambda: repr(a) + str(a) + np.array2string(a), lambda: np.einsum("ij,kj->ik", a, a),
        lambda: np.histogram(a), lambda: np.percentile(a, 50), lambda: np.pad(a, 1),
        lambda: np.fft.fft(a), lambda: np.polyfit([0, 1, 2], [1, 2, 3], 1),
        lambda: np.save("x.npy", a), lambda: np.load("x.npy"), lambda: np.savez("y.npz", a=a),
        lambda: np.load("y.npz")["a"], lambda: np.ma.masked_array([1, 2]),
        lambda: print(np.float64(1) / 0), lambda: np.vectorize(abs)([-1]),
    ]
    failures = []
    for number, check in enumerate(checks):
        try:
            check()
        except Exception as exc:
            failures.append(f"{number}: {type(exc).__name__}: {exc}")
    return failures
'''


def test_numpy_works_inside_the_confined_child(sandbox: Any) -> None:
    with sandbox.session(units_from_source(NUMPY_SMOKE)) as opened:
        record = opened.call("smoke", ())
    assert (record.outcome, record.value) == ("returned", []), record
    assert "inf" in record.output
