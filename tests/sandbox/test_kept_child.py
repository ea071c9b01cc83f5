"""A child that served one function's calls serves the next function's only when it verifies
that those calls left no trace (``child/residue.py``); otherwise the next function gets a new
child, as fresh as before. Each mutation below must cost a new child and stay unseen."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from dnn_autograder.grader.sandbox import units_from_source

STUDENT = '''\
import os
import sys
import warnings
import numpy as np

COUNT = [0]
TABLE = {"a": 1}
ARR = np.zeros(3)
TWINS = [[], []]


class Box:
    items = []

    def __init__(self):
        self.value = 0


BOX = Box()


def clean(x):
    return 2 * x


def also_clean(x):
    return 3 * x


def draw(x):
    return float(np.random.rand()) + float(__import__("random").random())


def draw_again(x):
    return float(np.random.rand()) + float(__import__("random").random())


def appends(x):
    COUNT.append(x)
    return len(COUNT)


def rebinds_equal(x):
    global TABLE
    TABLE = {"a": 1}
    return 0


def renames_key(x):
    TABLE["b"] = TABLE.pop("a")
    return 0


def remembers(x, seen=[]):
    seen.append(x)
    return len(seen)


def writes_array(x):
    ARR[0] = x
    return 0


def unshares(x):
    TWINS[1] = TWINS[0]
    return 0


def class_attribute(x):
    Box.items.append(x)
    return 0


def instance_attribute(x):
    BOX.value = x
    return 0


def function_attribute(x):
    clean.marker = x
    return 0


def make_counter():
    calls = [0]

    def counter():
        calls[0] += 1
        return calls[0]

    return counter


COUNTER = make_counter()


def bumps_closure(x):
    return COUNTER()


def recursion(x):
    sys.setrecursionlimit(321)
    return 0


def errstate(x):
    np.seterr(all="ignore")
    return 0


def printoptions(x):
    np.set_printoptions(precision=2)
    return 0


def warning_filter(x):
    warnings.simplefilter("ignore")
    return 0


def writes_file(x):
    with open("left_behind.txt", "w") as handle:
        handle.write("x")
    return 0


def leaves_fd(x):
    os.pipe()
    return 0


class Liar:
    def __eq__(self, other):
        return True

    __hash__ = None

    def __call__(self, *args, **kwargs):
        return 42


def patches_with_a_liar(x):
    np.sum = Liar()  # equal to anything: the runner's own restore (dict ==) lets it stay
    return 0


def sums(x):
    return float(np.sum(np.ones(3)))


def state(x):
    return [len(COUNT), sorted(TABLE), remembers(0), float(ARR.sum()), TWINS[0] is TWINS[1],
            len(Box.items), BOX.value, hasattr(clean, "marker"), COUNTER(), sys.getrecursionlimit(),
            np.geterr()["divide"], np.get_printoptions()["precision"], len(warnings.filters),
            os.path.exists("left_behind.txt")]
'''

MUTATIONS = ["appends", "renames_key", "remembers", "writes_array", "unshares", "class_attribute",
             "instance_attribute", "function_attribute", "bumps_closure", "recursion", "errstate",
             "printoptions", "warning_filter", "writes_file", "leaves_fd"]


@pytest.fixture
def session(sandbox: Any) -> Any:
    with sandbox.session(units_from_source(STUDENT, "submission.py")) as opened:
        assert not any(not u.ok for u in opened.units), opened.units
        yield opened


def _fresh_state(sandbox: Any) -> Any:
    with sandbox.session(units_from_source(STUDENT, "submission.py")) as fresh:
        return fresh.call("state", (0,)).value


def test_calls_that_leave_nothing_keep_the_child(session: Any) -> None:
    assert session.call("clean", (2,)).value == 4
    assert session.call("also_clean", (2,)).value == 6
    assert session.call("rebinds_equal", (0,)).value == 0  # an equal new dict: the same state
    assert session.call("clean", (1,)).value == 2
    assert (session.children_started, session.children_kept) == (1, 3)


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_a_call_that_leaves_a_trace_costs_a_new_child_and_stays_unseen(session: Any, sandbox: Any,
                                                                         mutation: str) -> None:
    expected = _fresh_state(sandbox)
    assert session.call(mutation, (5,)).outcome == "returned"
    assert session.call("state", (0,)).value == expected
    assert (session.children_started, session.children_kept) == (2, 0), mutation


def test_a_patch_that_claims_to_be_equal_does_not_reach_the_next_function(session: Any) -> None:
    assert session.call("patches_with_a_liar", (0,)).outcome == "returned"
    assert session.call("sums", (0,)).value == 3.0
    assert session.children_kept == 0


def test_the_random_generators_are_put_back(session: Any) -> None:
    first = session.call("draw", (0,)).value
    assert session.call("draw_again", (0,)).value == first  # from the state the units left
    assert session.call("draw", (0,)).value == first
    assert (session.children_started, session.children_kept) == (1, 2)


def test_a_completed_request_is_followed_by_a_child_as_fresh_as_a_new_one(session: Any) -> None:
    records = session.call_each("remembers", [((1,), None), ((2,), None), ((3,), None)])
    assert [next(records).value for _ in range(3)] == [1, 2, 3]
    records.close()  # as grade_function does after the last case: the child has done its work
    assert session.call("remembers", (4,)).value == 1  # the shrink's call: as in a new child
    assert session.children_started == 2
    records = session.call_each("clean", [((1,), None), ((2,), None)])
    assert [next(records).value for _ in range(2)] == [2, 4]
    records.close()
    assert session.call("clean", (3,)).value == 6
    assert session.children_started == 3 and session.children_kept == 1


def test_a_state_it_cannot_read_keeps_a_child_per_function(sandbox: Any) -> None:
    source = STUDENT + "\nPENDING = (i for i in range(3))\n"
    with sandbox.session(units_from_source(source, "submission.py")) as session:
        assert session.call("clean", (1,)).value == 2
        assert session.call("also_clean", (1,)).value == 3
        assert (session.children_started, session.children_kept) == (2, 0)


def test_a_patched_verification_does_not_keep_a_dirty_child(sandbox: Any) -> None:
    source = STUDENT + '''

def patches_verify(x):
    COUNT.append(x)
    for cls in object.__subclasses__():
        if cls.__name__ == "Runner":
            cls.verify = lambda self: self.send({"ev": "verified", "clean": True, "differs": ""})
    return len(COUNT)
'''
    with sandbox.session(units_from_source(source, "submission.py")) as session:
        session.call("patches_verify", (1,))
        assert session.call("state", (0,)).value[0] == 1  # COUNT as the units left it
        assert session.children_kept == 0


def test_values_are_compared_by_content_and_sharing() -> None:
    """Unit level (``residue.tokens``): an in-place write to an array, -0.0 for 0.0, a NaN left
    as it was, a new equal list, an int for a float, and an aliasing change."""
    from dnn_autograder.grader.sandbox.child import residue

    def tokens(namespace: dict[str, Any]) -> list[Any]:
        return residue.tokens([namespace], [])

    arr = np.zeros(4)
    namespace: dict[str, Any] = {"arr": arr, "pair": [arr, arr.copy()], "nan": float("nan"), "xs": [1, 2]}
    baseline = tokens(namespace)
    assert tokens(namespace) == baseline
    arr[2] = -0.0  # 1 / x tells them apart
    assert tokens(namespace) != baseline
    arr[2] = 0.0
    namespace["xs"] = [1, 2]
    assert tokens(namespace) == baseline
    namespace["xs"] = [1, 2.0]
    assert tokens(namespace) != baseline
    namespace["xs"] = [1, 2]
    namespace["pair"][1] = arr
    assert tokens(namespace) != baseline
    with pytest.raises(residue.Unshareable, match="generator"):
        tokens({"pending": (i for i in range(3))})
