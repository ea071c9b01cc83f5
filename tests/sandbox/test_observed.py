"""Stand-ins handed to a course helper in the child (``session.Observed``): the calls after the
hand-over are answered there, recorded by value with their answers and sent back with the result,
where the parent recomputes every answer (a helper that student code changed costs the call)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dnn_autograder.course_helpers.gc_utils import forward_propagation_n as course_cost
from dnn_autograder.grader.sandbox import Sandbox, units_from_source
from dnn_autograder.grader.sandbox import session as session_module
from dnn_autograder.grader.sandbox.child import wire
from dnn_autograder.grader.sandbox.child.runner import _encoded_size, _kept_size
from dnn_autograder.grader.sandbox.session import (
    RECORDED_BYTES,
    RECORDED_CALLS,
    ForgedAnswer,
    Observed,
    _recorded_calls,
    _same,
)
from dnn_autograder.grader.values import retained_bytes

from .support import LIMITS

HELPER = "gc_utils.forward_propagation_n"

STUDENT = '''\
import numpy as np


def steps(parameters, X, Y, n):
    costs = []
    for _ in range(n):
        parameters["W1"][0, 0] += 0.25  # in place: each call must be recorded as it was then
        costs.append(forward_propagation_n(X, Y, parameters)[0])
    return costs


def mixed(parameters, X, Y):
    out = []
    for k in range(3):
        out.append(sigmoid(float(k)))
        out.append(forward_propagation_n(X, Y, parameters)[0])
    return out


def fails_later(parameters, X, Y):
    forward_propagation_n(X, Y, parameters)
    del parameters["b3"]
    return forward_propagation_n(X, Y, parameters)


def by_keyword(parameters, X, Y, n):
    return [forward_propagation_n(X=X, Y=Y, parameters=parameters)[0] for _ in range(n)]


def catches(parameters, X, Y):
    forward_propagation_n(X, Y, parameters)
    try:
        forward_propagation_n(X, Y, {})
    except KeyError:
        return "caught"


def patched_then_steps(parameters, X, Y, n):
    import gc_utils

    real = gc_utils.forward_propagation_n
    gc_utils.forward_propagation_n = lambda X, Y, p: (0.5 * real(X, Y, p)[0], ())
    try:
        return steps(parameters, X, Y, n)
    finally:
        gc_utils.forward_propagation_n = real


def patched_numpy_then_steps(parameters, X, Y, n):
    real = np.log
    np.log = lambda x: 0.5 * real(x)
    try:
        return steps(parameters, X, Y, n)
    finally:
        np.log = real
'''

SHAPES = {"W1": (5, 4), "b1": (5, 1), "W2": (3, 5), "b2": (3, 1), "W3": (1, 3), "b3": (1, 1)}


@pytest.fixture(scope="module")
def session() -> Any:
    with Sandbox(LIMITS) as box, box.session(units_from_source(STUDENT, "submission.py")) as opened:
        yield opened  # the installed course helpers, gc_utils among them


def _net(seed: int = 0) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    parameters = {name: 0.5 * rng.standard_normal(shape) for name, shape in SHAPES.items()}
    return parameters, rng.standard_normal((4, 3)), np.array([[1, 0, 1]])


def _cost(parameters: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray) -> float:
    """Mean cross-entropy of the net, written out here (not the helper's code)."""
    hidden = np.maximum(parameters["W1"] @ X + parameters["b1"], 0)
    hidden = np.maximum(parameters["W2"] @ hidden + parameters["b2"], 0)
    out = 1 / (1 + np.exp(-(parameters["W3"] @ hidden + parameters["b3"])))
    return float(-np.mean(Y * np.log(out) + (1 - Y) * np.log(1 - out)))


def _handing_over(asked: list[tuple[str, tuple]], budget: int = 1 << 20, check: Any = course_cost) -> Any:
    """An answer that computes the cost itself and hands ``forward_propagation_n`` over (whose
    answers in the child the parent then recomputes with ``check``)."""

    def answer(name: str, args: tuple, kwargs: dict) -> Any:
        asked.append((name, args))
        if name == "sigmoid":
            return 1 / (1 + np.exp(-args[0]))
        return Observed((_cost(*[args[2], args[0], args[1]]), ()), HELPER, budget, check)

    return answer


def test_after_the_hand_over_the_child_answers_and_records_by_value(session: Any) -> None:
    parameters, X, Y = _net()
    asked: list[tuple[str, tuple]] = []
    record = session.call("steps", (parameters, X, Y, 5), stand_ins=["forward_propagation_n"],
                          on_stand_in=_handing_over(asked))
    assert record.outcome == "returned", record.message
    assert len(asked) == 1  # one round trip: the four calls after it were answered in the child
    expected = []
    for k in range(1, 6):
        moved = {**parameters, "W1": parameters["W1"].copy()}
        moved["W1"][0, 0] += 0.25 * k
        expected.append(_cost(moved, X, Y))
    np.testing.assert_allclose(record.value, expected, rtol=1e-12)
    recorded = record.stand_in_calls
    assert [name for name, _ in recorded] == ["forward_propagation_n"] * 4
    for k, (_, args) in enumerate(recorded, start=2):
        assert isinstance(args, tuple) and len(args) == 3
        np.testing.assert_array_equal(args[0], X)
        assert args[2]["W1"][0, 0] == pytest.approx(parameters["W1"][0, 0] + 0.25 * k)


def test_other_stand_ins_stay_with_the_parent_and_the_order_is_kept(session: Any) -> None:
    parameters, X, Y = _net(1)
    asked: list[tuple[str, tuple]] = []
    record = session.call("mixed", (parameters, X, Y), stand_ins=["sigmoid", "forward_propagation_n"],
                          on_stand_in=_handing_over(asked))
    assert record.outcome == "returned", record.message
    assert [name for name, _ in asked] == ["sigmoid", "forward_propagation_n", "sigmoid", "sigmoid"]
    cost = _cost(parameters, X, Y)
    np.testing.assert_allclose(record.value, [0.5, cost, 1 / (1 + np.exp(-1)), cost, 1 / (1 + np.exp(-2)), cost])
    assert [(name, args[0] if name == "sigmoid" else None) for name, args in record.stand_in_calls] == [
        ("sigmoid", 1.0), ("forward_propagation_n", None), ("sigmoid", 2.0), ("forward_propagation_n", None)]


def test_no_hand_over_no_record(session: Any) -> None:
    parameters, X, Y = _net(2)
    record = session.call("steps", (parameters, X, Y, 3), stand_ins=["forward_propagation_n"],
                          on_stand_in=lambda name, args, kwargs: (_cost(args[2], args[0], args[1]), ()))
    assert record.outcome == "returned" and record.stand_in_calls is None


def test_past_the_budget_a_call_keeps_only_its_name(session: Any) -> None:
    parameters, X, Y = _net(3)
    one_call = retained_bytes(tuple([X, Y, parameters]))  # the parent's own measure
    asked: list[tuple[str, tuple]] = []
    record = session.call("steps", (parameters, X, Y, 6), stand_ins=["forward_propagation_n"],
                          on_stand_in=_handing_over(asked, budget=2 * one_call + one_call // 2))
    assert record.outcome == "returned", record.message
    kept = [args is not None for _, args in record.stand_in_calls]
    assert kept == [True, True, False, False, False]


def test_an_exception_in_the_helper_is_raised_as_the_parents_would_be(session: Any) -> None:
    from dnn_autograder.course_helpers.gc_utils import forward_propagation_n

    def parent_answers(name: str, args: tuple, kwargs: dict) -> Any:
        return forward_propagation_n(*args, **kwargs)

    def hands_over(name: str, args: tuple, kwargs: dict) -> Any:
        return Observed(forward_propagation_n(*args, **kwargs), HELPER, 1 << 20, forward_propagation_n)

    records = [session.call("fails_later", _net(4), stand_ins=["forward_propagation_n"], on_stand_in=answer)
               for answer in (parent_answers, hands_over)]
    assert records[0].outcome == records[1].outcome == "raised"
    assert records[0].error_type == records[1].error_type == "KeyError"
    assert records[0].message == records[1].message
    assert records[1].stand_in_calls is None  # a call that raised sends no record


def test_a_batch_hands_over_per_call(session: Any) -> None:
    parameters, X, Y = _net(5)
    asked: list[int] = []

    def answer(index: int, name: str, args: tuple, kwargs: dict) -> Any:
        asked.append(index)
        value = (_cost(args[2], args[0], args[1]), ())
        return Observed(value, HELPER, 1 << 20, course_cost) if index != 1 else value  # call 1: the parent answers all

    records = list(session.call_each("steps", [((parameters, X, Y, 4), None)] * 3,
                                     stand_ins=["forward_propagation_n"], on_stand_in=answer))
    assert asked == [0, 1, 1, 1, 1, 2]
    assert [None if r.stand_in_calls is None else len(r.stand_in_calls) for r in records] == [3, None, 3]
    np.testing.assert_allclose(records[0].value, records[1].value, rtol=1e-12)


_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False), st.text(max_size=8),
    st.complex_numbers(allow_nan=False, allow_infinity=False), st.sampled_from([np.float32(1.5), np.int8(3)]),
    hnp.arrays(st.sampled_from([np.float64, np.int32, np.bool_]), hnp.array_shapes(min_dims=0, max_side=4)),
)
_VALUES = st.recursive(_LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.lists(inner, max_size=4).map(tuple),
    st.dictionaries(st.one_of(st.text(max_size=5), st.integers(0, 9)), inner, max_size=4)), max_leaves=12)


@settings(max_examples=150, deadline=None)
@given(_VALUES)
def test_the_child_measures_a_call_as_the_parent_does(value: Any) -> None:
    encoder = wire.Encoder(1 << 30)
    decoded = wire.decode(encoder.encode([value]), bytearray(b"".join(encoder.chunks)))
    assert _kept_size(decoded) == retained_bytes(tuple(decoded))


_HANDED = {"f": ("m.f", lambda *args: 2.0), "g": ("m.g", lambda *args: 2.0)}


@pytest.mark.parametrize("entries", [
    {"f": 1}, [["f", None, 1]], [[3, None, 1, None]], [["f", None, 0, None]],
    [["f", None, RECORDED_CALLS + 1, None]], [["f", None, RECORDED_CALLS, None], ["f", None, 1, None]],
    [["f", {"t": "l", "v": [1.0]}, 2, None]], [["f", 5, 1, None]],
    [["f", None, 1, ["v", 2.0]]],  # an answer without the arguments to recompute it
    [["h", {"t": "l", "v": [1.0]}, 1, ["v", 2.0]]],  # an answer of a stand-in never handed over
    [["f", {"t": "l", "v": [1.0]}, 1, ["w", 2.0]]], [["f", {"t": "l", "v": [1.0]}, 1, ["e", 3]]],
])
def test_a_forged_record_is_refused(entries: Any) -> None:
    with pytest.raises(wire.WireError):
        _recorded_calls(entries, bytearray(), _HANDED)


def test_a_record_without_a_hand_over_is_refused() -> None:
    with pytest.raises(wire.WireError):
        _recorded_calls([["f", None, 1, None]], bytearray(), {})


def test_the_count_a_record_may_stand_for_follows_the_byte_budget() -> None:
    # each call of a record costs the parent a list slot and a (name, args) pair at least
    assert RECORDED_CALLS * 64 <= RECORDED_BYTES


def test_a_record_is_expanded_in_order() -> None:
    entries = [["f", {"t": "l", "v": [1.0, "x"]}, 1, None], ["g", None, 3, None], ["f", {"t": "l", "v": []}, 1, None],
               ["g", {"t": "l", "v": [1.5]}, 1, ["v", 2.0]]]
    assert _recorded_calls(entries, bytearray(), _HANDED) == (
        ("f", (1.0, "x")), ("g", None), ("g", None), ("g", None), ("f", ()), ("g", (1.5,)))
    assert _recorded_calls(None, bytearray(), {}) is None
    with pytest.raises(wire.WireError):  # the child answered in the call and sent no record of it
        _recorded_calls(None, bytearray(), _HANDED)


@pytest.mark.parametrize("answer, forged", [
    (["v", 2.0], False), (["v", 2.5], True), (["v", -2.0], True), (["e", "KeyError"], True),
    (["v", {"t": "u", "v": [2.0]}], True),
])
def test_every_answer_of_the_childs_helper_is_recomputed(answer: list, forged: bool) -> None:
    entries = [["f", {"t": "l", "v": [1.0]}, 1, answer]]
    if forged:
        with pytest.raises(ForgedAnswer, match="m.f"):
            _recorded_calls(entries, bytearray(), _HANDED)
    else:
        assert _recorded_calls(entries, bytearray(), _HANDED) == (("f", (1.0,)),)


def test_an_exception_answer_must_be_the_parents() -> None:
    def raises(*args: Any) -> Any:
        return {}["missing"]

    handed = {"f": ("m.f", raises)}
    assert _recorded_calls([["f", {"t": "l", "v": []}, 1, ["e", "KeyError"]]], bytearray(), handed) == (("f", ()),)
    assert _recorded_calls([["f", {"t": "l", "v": []}, 1, ["e", "MemoryError"]]], bytearray(), handed) == (("f", ()),)
    with pytest.raises(ForgedAnswer):
        _recorded_calls([["f", {"t": "l", "v": []}, 1, ["e", "ValueError"]]], bytearray(), handed)


@pytest.mark.parametrize("a, b, same", [
    (0.0, -0.0, False), (float("nan"), float("nan"), True), (1.0, 1, False), ((1.0,), [1.0], False),
    (np.zeros(2), np.zeros(2, np.float32), False), (np.zeros(2), np.zeros((1, 2)), False),
    (np.array([0.0]), np.array([-0.0]), False), (np.array([1.0, np.nan]), np.array([1.0, np.nan]), True),
    ({"a": 1.0, "b": 2.0}, {"b": 2.0, "a": 1.0}, False), ({"a": (np.ones(1), 2.0)}, {"a": (np.ones(1), 2.0)}, True),
    (np.float64(1.0), np.float32(1.0), False), ("x", "x", True),
])
def test_same_means_to_the_bit(a: Any, b: Any, same: bool) -> None:
    assert _same(a, b) is same


@settings(max_examples=150, deadline=None)
@given(_VALUES)
def test_the_child_measures_an_encoded_call_as_the_parent_does(value: Any) -> None:
    encoder = wire.Encoder(1 << 30)
    encoded = encoder.encode([value])
    decoded = wire.decode(encoded, bytearray(b"".join(encoder.chunks)))
    assert _encoded_size(encoded) == retained_bytes(tuple(decoded))


def test_the_childs_answers_are_recorded_and_recomputed(session: Any) -> None:
    parameters, X, Y = _net(6)
    asked: list[tuple[str, tuple]] = []
    record = session.call("steps", (parameters, X, Y, 4), stand_ins=["forward_propagation_n"],
                          on_stand_in=_handing_over(asked))
    assert record.outcome == "returned", record.message  # the helper's answers were the course's own
    # a check that computes otherwise than the helper: the child's answers are refused
    record = session.call("steps", (parameters, X, Y, 4), stand_ins=["forward_propagation_n"],
                          on_stand_in=_handing_over([], check=lambda X, Y, p: (_cost(p, X, Y), ())))
    assert record.outcome == "violation" and "gc_utils.forward_propagation_n" in record.message, record.message
    assert record.stand_in_calls is None


@pytest.mark.parametrize("function", ["patched_then_steps", "patched_numpy_then_steps"])
def test_a_helper_changed_by_student_code_costs_the_call(session: Any, function: str) -> None:
    parameters, X, Y = _net(7)
    record = session.call(function, (parameters, X, Y, 4), stand_ins=["forward_propagation_n"],
                          on_stand_in=_handing_over([]))
    assert record.outcome == "violation", record.message
    assert "tried to tamper with the grader" in record.message
    after = session.call("steps", (parameters, X, Y, 3), stand_ins=["forward_propagation_n"],
                         on_stand_in=_handing_over([]))
    assert after.outcome == "returned", after.message  # the next call is answered as it should be


def test_a_call_with_keywords_is_left_to_the_parent(session: Any) -> None:
    parameters, X, Y = _net(8)
    asked: list[tuple[str, tuple]] = []

    def answer(name: str, args: tuple, kwargs: dict) -> Any:
        asked.append((name, args))
        return Observed(course_cost(*args, **kwargs), HELPER, 1 << 20, course_cost)

    record = session.call("by_keyword", (parameters, X, Y, 3), stand_ins=["forward_propagation_n"],
                          on_stand_in=answer)
    assert record.outcome == "returned", record.message
    assert len(asked) == 3  # no positional arguments to record with an answer: the parent answers
    np.testing.assert_allclose(record.value, [_cost(parameters, X, Y)] * 3, rtol=1e-12)


def test_an_exception_the_student_catches_is_recorded_and_checked(session: Any) -> None:
    parameters, X, Y = _net(9)
    record = session.call("catches", (parameters, X, Y), stand_ins=["forward_propagation_n"],
                          on_stand_in=_handing_over([]))
    assert record.outcome == "returned" and record.value == "caught", record.message
    assert [name for name, _ in record.stand_in_calls] == ["forward_propagation_n"]


def test_past_the_count_the_parent_answers_and_the_record_stops(session: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(session_module, "RECORDED_CALLS", 3)
    parameters, X, Y = _net(10)
    asked: list[tuple[str, tuple]] = []
    record = session.call("steps", (parameters, X, Y, 7), stand_ins=["forward_propagation_n"],
                          on_stand_in=_handing_over(asked))
    assert record.outcome == "returned", record.message
    assert len(record.stand_in_calls) == 3 and len(asked) == 1 + 7 - 1 - 3
