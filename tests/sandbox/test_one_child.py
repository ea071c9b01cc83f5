"""``Session.one_child``: the requests of several functions in one child (a report's pictures),
while graded calls keep a fresh child per function."""

from __future__ import annotations

from typing import Any

import pytest

from dnn_autograder.grader.sandbox import units_from_source

STUDENT = '''\
import os

COUNT = [0]


def bump(x):
    COUNT[0] += 1
    return COUNT[0]


def peek(x):
    return COUNT[0]


def pid(x):
    return os.getpid()


def steps(x):
    return [bump(0) for _ in range(x)]
'''


@pytest.fixture
def session(sandbox: Any) -> Any:
    with sandbox.session(units_from_source(STUDENT, "submission.py")) as opened:
        yield opened


def test_without_a_group_each_function_has_a_fresh_child(session: Any) -> None:
    assert session.call("bump", (0,)).value == 1
    assert session.call("peek", (0,)).value == 0  # another function: a fresh child


def test_a_group_shares_one_child_between_functions(session: Any) -> None:
    session.call("bump", (0,))  # a graded call before: its child is not the group's
    with session.one_child("figures"):
        first = session.call("pid", (0,)).value
        assert session.call("bump", (0,)).value == 1  # fresh: the graded call's count is not seen
        assert session.call("peek", (0,)).value == 1  # another function, the same child
        records = list(session.call_each("bump", [((0,), None), ((0,), None)]))
        assert [r.value for r in records] == [2, 3]
        script = session.run_script("steps", {}, [{"call": "steps", "args": [["const", 2]], "kwargs": {},
                                                   "returns": ["out"], "compare": ["out"], "seed": None}])
        assert script.value == {(0, "out"): [4, 5]}
        assert session.call("pid", (0,)).value == first
    assert session.call("peek", (0,)).value == 0  # after the block: a child per function again


def test_another_group_or_a_nested_one_starts_afresh(session: Any) -> None:
    with session.one_child("figures"):
        session.call("bump", (0,))
        with session.one_child("retry"):
            assert session.call("peek", (0,)).value == 0  # the retry does not see the first attempt
            assert session.call("bump", (0,)).value == 1
        assert session.call("peek", (0,)).value == 0  # back in "figures": a fresh child again
    with session.one_child("other"):
        assert session.call("peek", (0,)).value == 0
