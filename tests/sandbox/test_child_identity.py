"""Issue 17, the sandbox child's per-call checks compare by identity: a module attribute replaced
by an object that claims to be equal (or by an equal number) is a change, so it never reaches the
next call of the same function (``Runner._restore``), and the comparison runs no ``__eq__`` of
the student's (``runner._unchanged``, at about the cost of ``dict ==``)."""

from __future__ import annotations

import _thread
import math
import sys
import types
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dnn_autograder.grader.sandbox.child import runner

from .support import loaded

STUDENT = '''\
import math
import numpy as np


class Claims:
    """Equal to anything, and a stand-in for np.sum that answers 42."""

    def __eq__(self, other):
        return True

    __hash__ = None

    def __call__(self, *args, **kwargs):
        return 42.0


def patches(x):
    if x == 1:
        np.sum = Claims()  # the runner's old ``==`` restore let this stay
    if x == 2:
        math.pi = float(repr(math.pi))  # an equal float: another object all the same
    return [float(np.sum(np.ones(3))), type(np.sum).__name__ == "Claims", math.pi is PI]


PI = math.pi
'''


@pytest.fixture
def session(sandbox: Any) -> Any:
    with loaded(sandbox, STUDENT) as opened:
        yield opened


@pytest.mark.parametrize("patch", [1, 2])
def test_a_replacement_that_claims_equality_does_not_reach_the_next_call(session: Any, patch: int) -> None:
    records = list(session.call_each("patches", [((0,), None), ((patch,), None), ((0,), None)]))
    assert [r.outcome for r in records] == ["returned"] * 3, records
    assert records[0].value == [3.0, False, True]
    assert records[2].value == [3.0, False, True]  # as in a fresh child
    assert session.children_started == 2  # the patching call cost the rest a new child


def _reference(pairs: list[tuple[Any, dict[str, Any]]]) -> bool:
    """Unchanged, by the plain definition: the same size, and every saved name bound to the very
    same object."""
    missing = object()
    return all(len(current) == len(saved) and all(current.get(k, missing) is v for k, v in saved.items())
               for current, saved in pairs)


#: the ``__eq__`` calls of ``_Claims`` objects (a check must make none)
_EQ_CALLS: list[object] = []


class _Claims:
    def __eq__(self, other: object) -> bool:
        _EQ_CALLS.append(other)
        return True

    __hash__ = object.__hash__


def _spaces(sizes: list[int]) -> tuple[list[dict[str, Any]], list[type]]:
    dicts = [{f"v{i}": float(i) for i in range(size)} for size in sizes]
    classes = [type(f"K{n}", (), {"x": 1.5, "method": lambda self: None}) for n in range(2)]
    return dicts, classes


EDITS = st.lists(st.tuples(st.sampled_from(["equal", "claims", "delete", "readd", "add", "same", "class_equal",
                                            "class_add"]),
                           st.integers(0, 2), st.integers(0, 20)), max_size=3)


@pytest.mark.parametrize("build", [runner._unchanged, runner._scanned])
@settings(max_examples=120, deadline=None)
@given(sizes=st.lists(st.integers(0, 9), min_size=3, max_size=3), edits=EDITS)
def test_unchanged_agrees_with_identity(build: Any, sizes: list[int], edits: list[Any]) -> None:
    """Both ways (the strict ``dict ==`` and the scan) agree with the plain definition after any
    edits, never call a replacement's ``__eq__``, and leave the recursion limit as it was."""
    dicts, classes = _spaces(sizes)
    pairs: list[tuple[Any, dict[str, Any]]] = [(d, dict(d)) for d in dicts]
    pairs += [(k.__dict__, dict(k.__dict__)) for k in classes]
    unchanged, limit = build(pairs), sys.getrecursionlimit()
    assert unchanged() is True
    for kind, which, index in edits:
        space = dicts[which]
        names = list(space)
        name = names[index % len(names)] if names else None
        if kind == "equal" and name and type(space[name]) is float:
            space[name] = float(repr(space[name]))  # equal, not the same object
        elif kind == "claims" and name:
            space[name] = _Claims()
        elif kind in ("delete", "readd") and name:
            value = space.pop(name)
            if kind == "readd":  # the same name and object, at the end now
                space[name] = value
        elif kind == "add":
            space[f"new{index}"] = None
        elif kind == "same" and name:
            space[name] = space[name]
        elif kind == "class_equal":
            classes[which % 2].x = float("1.5")
        elif kind == "class_add":
            setattr(classes[which % 2], f"extra{index}", 1)
        got, expected = unchanged(), _reference(pairs)
        if build is runner._unchanged:
            assert got == expected, (kind, name)
        else:  # the scan also refuses a name deleted and added again (another order), never a change
            assert expected or not got, (kind, name)
        assert sys.getrecursionlimit() == limit
    assert not _EQ_CALLS


def test_the_strict_way_is_exact_here() -> None:
    """The interpreter this project targets (CPython 3.11) takes the cheap way; it must tell an
    equal float, a replacement claiming equality and a missing name from the saved objects."""
    assert runner._STRICT == [True]
    assert runner._strict_works()
    space = {"pi": math.pi, "module": types, "text": "".join(["a", "b"])}
    unchanged = runner._unchanged([(space, dict(space))])
    assert unchanged()
    space["text"] = "".join(["a", "b"])  # equal, another object
    assert not unchanged()


def test_near_the_recursion_limit_it_leaves_the_answer_to_the_exact_pass() -> None:
    space = {"a": 1}
    unchanged = runner._unchanged([(space, dict(space))])
    limit = sys.getrecursionlimit()
    answers: list[bool] = []

    def deep(n: int) -> None:
        try:
            deep(n + 1)
        except RecursionError:
            answers.append(unchanged())  # as deep as a call can go: no lower limit can be set

    try:
        sys.setrecursionlimit(200)
        deep(0)
    finally:
        sys.setrecursionlimit(limit)
    assert answers and answers[0] in (True, False)
    assert sys.getrecursionlimit() == limit
    assert unchanged()


def test_the_restore_puts_back_an_equal_replacement() -> None:
    """Unit level: ``_restore`` sees an equal float (``==`` would not) and puts the saved object back."""
    module = types.ModuleType("stand_in_module")
    module.value = 2.5
    saved_value = module.value
    fake = types.SimpleNamespace(watched=[(vars(module), dict(vars(module)))])
    fake.watched_unchanged = runner._unchanged(fake.watched)
    restore = runner.Runner._restore.__get__(fake)
    threads = _thread._count() > 0  # the restore also says True while threads run (other tests may leave some)
    assert restore() is threads
    module.value = float("2.5")
    assert restore() is True and module.value is saved_value
    module.value = _Claims()
    assert restore() is True and module.value is saved_value
    assert restore() is threads
