"""``Session.call_each``: several calls of one function per request, with the guarantees of
one call per request (order, seeds, stand-ins, deadlines, stop rules, a fresh child after a call
that tampered, and a fresh child per function)."""

from __future__ import annotations

import os
import time
from typing import Any

import numpy as np
import pytest

from dnn_autograder.grader.sandbox import units_from_source

STUDENT = '''\
import numpy as np

COUNT = [0]


def count(x):
    COUNT[0] += 1
    return COUNT[0] + x


def draw(n):
    return np.random.rand(n)


def picky(x):
    if x < 0:
        raise ValueError(f"negative: {x}")
    return x * 2


def sleepy(x):
    if x == 2:
        while True:
            pass
    return x


def patcher(x):
    if x == 1:
        np.sum = lambda *a, **k: 12345.0
    return float(np.sum(np.ones(3)))


def via_helper(x):
    return sigmoid(x) + 1


def pid(x):
    import os
    return os.getpid()


def exits(x):
    if x == 1:
        raise SystemExit(3)
    return x
'''


@pytest.fixture
def session(sandbox: Any) -> Any:
    with sandbox.session(units_from_source(STUDENT, "submission.py")) as opened:
        yield opened


def _each(session: Any, function: str, args: list[Any], **options: Any) -> list[Any]:
    return list(session.call_each(function, [((a,), seed) for a, seed in args], **options))


def test_same_records_as_one_call_at_a_time(sandbox: Any) -> None:
    calls = [(3, 1), (5, 2), (3, 1), (1, None)]
    with sandbox.session(units_from_source(STUDENT)) as one:
        single = [one.call("draw", (n,), seed=seed) for n, seed in calls]
    with sandbox.session(units_from_source(STUDENT)) as many:
        batched = _each(many, "draw", calls)
    assert [r.outcome for r in batched] == ["returned"] * 4
    for a, b in zip(single[:3], batched[:3], strict=True):  # seeded draws repeat exactly
        np.testing.assert_array_equal(a.value, b.value)
    np.testing.assert_array_equal(batched[0].value, batched[2].value)
    assert batched[0].value.shape == (3,) and batched[1].value.shape == (5,)


def test_calls_share_the_function_child_as_one_at_a_time_do(session: Any) -> None:
    records = _each(session, "count", [(10, None), (20, None), (30, None)])
    assert [r.value for r in records] == [11, 22, 33]  # one child: the global counts on
    assert session.call("count", (0,)).value == 4  # the same child, still


def test_stand_ins_are_answered_for_the_call_that_asked(session: Any) -> None:
    asked: list[tuple[int, str, float]] = []

    def answer(index: int, name: str, args: tuple, kwargs: dict) -> Any:
        asked.append((index, name, float(args[0])))
        return 100.0 * (index + 1)

    records = _each(session, "via_helper", [(0.5, None), (1.5, None), (2.5, None)],
                    stand_ins=["sigmoid"], on_stand_in=answer)
    assert [r.value for r in records] == [101.0, 201.0, 301.0]
    assert asked == [(0, "sigmoid", 0.5), (1, "sigmoid", 1.5), (2, "sigmoid", 2.5)]


def test_raised_calls_go_on_up_to_the_limit(session: Any) -> None:
    args = [(1, None), (-1, None), (-2, None), (3, None), (-4, None), (5, None)]
    records = _each(session, "picky", args, max_raised=1)
    assert [r.outcome for r in records] == ["returned", "raised", "raised"]  # stops at the 2nd raise
    assert "negative: -2" in records[2].message
    records = _each(session, "picky", args)
    assert [r.outcome for r in records] == ["returned", "raised", "raised", "returned", "raised", "returned"]
    assert records[5].value == 10


def test_a_timeout_ends_the_records_and_the_child(session: Any, world: Any) -> None:
    started = time.monotonic()
    records = _each(session, "sleepy", [(1, None), (2, None), (3, None)], timeout_s=0.5)
    assert [r.outcome for r in records] == ["returned", "timeout"]
    assert records[1].message == "timed out after 0.5 s"
    assert time.monotonic() - started < 10
    assert session.call("sleepy", (4,)).value == 4  # a fresh child answers the next call


def test_an_exit_ends_the_records(session: Any) -> None:
    records = _each(session, "exits", [(0, None), (1, None), (2, None)])
    assert [r.outcome for r in records] == ["returned", "exited"]


def test_a_patched_module_does_not_reach_the_next_call(session: Any) -> None:
    records = _each(session, "patcher", [(0, None), (1, None), (2, None), (3, None)])
    assert [r.value for r in records] == [3.0, 12345.0, 3.0, 3.0]  # the call after runs in a fresh child


def test_a_fresh_child_per_function(session: Any) -> None:
    first = _each(session, "pid", [(0, None), (1, None)])
    assert first[0].value == first[1].value  # one child for one function's calls
    session.call("count", (0,))
    second = _each(session, "pid", [(0, None)])
    counted = _each(session, "count", [(0, None)])
    assert counted[0].value == 1  # count ran in a child of its own: its global starts afresh
    assert second[0].value is not None


def test_closing_early_kills_the_child(session: Any, world: Any) -> None:
    records = session.call_each("sleepy", [((1,), None), ((2,), None), ((3,), None)], timeout_s=5.0)
    assert next(records).value == 1
    child = session._child
    records.close()  # the child is now looping in the second call: it must not be left running
    assert child.dead
    with pytest.raises(ProcessLookupError):
        for _ in range(50):
            os.kill(child.pid, 0)
            time.sleep(0.02)


def test_many_calls_are_split_into_requests(session: Any, monkeypatch: Any) -> None:
    from dnn_autograder.grader.sandbox import session as session_module

    monkeypatch.setattr(session_module, "BATCH_CALLS", 3)
    records = _each(session, "count", [(0, None)] * 8)
    assert [r.value for r in records] == list(range(1, 9))


def test_the_checks_of_call_hold(session: Any) -> None:
    with pytest.raises(ValueError, match="on_stand_in"):
        list(session.call_each("via_helper", [((1.0,), None)], stand_ins=["sigmoid"]))
    with pytest.raises(TypeError, match="cannot send"):
        list(session.call_each("count", [((object(),), None)]))
    with pytest.raises(ValueError, match="cannot inject"):
        list(session.call_each("count", [((1,), None), ((2,), None)], inject={"helper": "nowhere.thing"}))
    assert [r.value for r in session.call_each("count", [((0,), None)])] == [1]  # still serving
