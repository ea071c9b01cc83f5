"""The kept child's check (``child/residue.py``) runs no student code: it reads the student's
state with the interpreter's own built-ins, not with what the student's top-level code bound in
``builtins``. Here a replacement ``type`` notes each time it is asked about one object; if the
check used it, the note would change the state between the record and the comparison and the
child could never be kept (and a cleverer replacement could hide a change instead)."""

from __future__ import annotations

from typing import Any

from dnn_autograder.grader.sandbox import units_from_source

STUDENT = '''\
import builtins

ASKED = []
MARK = ["only the check walks this list"]
_genuine_type = builtins.type


def _noting_type(*args):
    if len(args) == 1 and args[0] is MARK:
        ASKED.append(1)
    return _genuine_type(*args)


builtins.type = _noting_type


def clean(x):
    return 2 * x


def also_clean(x):
    return 3 * x


def appends(x):
    MARK.append(x)
    return 0


def state(x):
    return [len(ASKED), len(MARK)]
'''


def test_the_check_does_not_call_a_rebound_builtin(sandbox: Any) -> None:
    with sandbox.session(units_from_source(STUDENT, "submission.py")) as session:
        assert not any(not unit.ok for unit in session.units), session.units
        assert session.call("clean", (1,)).value == 2
        assert session.call("also_clean", (1,)).value == 3
        assert session.call("state", (0,)).value == [0, 1]
        assert (session.children_started, session.children_kept) == (1, 2)


def test_a_change_is_still_seen_with_a_rebound_builtin(sandbox: Any) -> None:
    with sandbox.session(units_from_source(STUDENT, "submission.py")) as session:
        assert session.call("appends", (1,)).value == 0
        assert session.call("state", (0,)).value == [0, 1]  # as a fresh child sees it
        assert (session.children_started, session.children_kept) == (2, 0)
