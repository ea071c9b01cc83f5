"""A test double of the sandbox that runs trusted test code in-process.

Only for tests of the grading stages with code the tests wrote themselves or the bank's own
notebooks and mutants; real student code always goes through :mod:`dnn_autograder.grader.sandbox`.
It speaks the session's API (``defined``, ``call``, ``run_script``, ``units``) and returns the
sandbox's own :class:`~dnn_autograder.grader.sandbox.records.CallRecord`, with arguments deep-copied
in, ``np.random.seed(seed)`` before a call, ``inject`` bound to the course helpers and stand-ins
answered by ``on_stand_in``. Units that import the course's helper modules (``from reg_utils import
*``) see the ``course_helpers`` stand-ins under those names, as in the sandbox.
"""

from __future__ import annotations

import contextlib
import copy
import importlib
import random
import sys
import time
import traceback
import types
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from dnn_autograder import course_helpers
from dnn_autograder.grader.sandbox.child.script import Script, ScriptShapeError
from dnn_autograder.grader.sandbox.records import CallRecord, UnitOutcome

_HELPERS = course_helpers.__name__


def helper_module(course_name: str) -> types.ModuleType:
    """The ``course_helpers`` module standing in for the course's module ``course_name``."""
    return importlib.import_module(course_helpers.COURSE_MODULES.get(course_name, "." + course_name), _HELPERS)


@contextlib.contextmanager
def course_modules() -> Iterator[None]:
    """The course's module names importable for a while (the sandbox's aliases; test modules
    such as ``testCases`` as empty shells); ``sys.modules`` is restored afterwards."""
    aliases: dict[str, types.ModuleType] = {name: helper_module(name) for name in course_helpers.COURSE_MODULES}
    aliases.update({name: types.ModuleType(name) for name in course_helpers.TEST_MODULES})
    saved = {name: sys.modules.get(name) for name in aliases}
    sys.modules.update(aliases)
    try:
        yield
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


class InProcessSession:
    """A submission's namespace and the session calls on it; ``calls`` counts calls and scripts."""

    def __init__(self, namespace: dict[str, Any], units: tuple[UnitOutcome, ...] = ()) -> None:
        self.namespace = namespace
        self.units = units
        self.calls = 0

    def __enter__(self) -> InProcessSession:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def defined(self, name: str) -> bool:
        return callable(self.namespace.get(name))

    def call(self, function: str, args: tuple, *, inject: Mapping[str, str] = {},
             stand_ins: Sequence[str] = (), on_stand_in: Callable | None = None,
             seed: int | None = None, timeout_s: float | None = None) -> CallRecord:
        args = copy.deepcopy(tuple(args))
        record = self._invoke(lambda: self.namespace[function](*args), inject, stand_ins, on_stand_in, seed)
        return CallRecord(**{**record, "args_after": args})

    def run_script(self, unit: str, inputs: Mapping[str, Any], steps: Sequence[Mapping[str, Any]], *,
                   inject: Mapping[str, str] = {}, stand_ins: Sequence[str] = (),
                   on_stand_in: Callable | None = None, seed: int | None = None,
                   timeout_s: float | None = None) -> CallRecord:
        """A script case, run by the sandbox's own interpreter; ``value`` is ``{(step, name): value}``."""
        captured: dict[tuple[int, str], Any] = {}
        script = Script(copy.deepcopy(dict(inputs)), self._lookup)

        def run() -> str:
            try:
                script.run(steps, lambda step, name, value: captured.__setitem__((step, name), copy.deepcopy(value)))
            except ScriptShapeError as exc:
                return str(exc)
            return ""

        record = self._invoke(run, inject, stand_ins, on_stand_in, seed)
        problem = record["value"] if record["outcome"] == "returned" else ""
        value = captured if record["outcome"] == "returned" else None
        return CallRecord(**{**record, "value": value, "args_after": ()}, step=max(script.step, 0), problem=problem)

    def _lookup(self, name: str) -> Any:
        if not callable(self.namespace.get(name)):
            raise NameError(f"name {name!r} is not defined")
        return self.namespace[name]

    def _invoke(self, action: Callable[[], Any], inject: Mapping[str, str], stand_ins: Sequence[str],
                on_stand_in: Callable | None, seed: int | None) -> dict[str, Any]:
        """Run ``action`` with the bindings and the seed; the record's fields (no ``args_after``)."""
        self.calls += 1
        saved = {name: self.namespace.get(name) for name in (*inject, *stand_ins)}
        for name, target in inject.items():
            module, _, attr = target.rpartition(".")
            self.namespace[name] = getattr(helper_module(module), attr)
        handed: dict[str, Any] = {}  # stand-ins handed to a course helper (``Observed``), as the child does
        recorded: list[tuple[str, tuple]] = []
        for name in stand_ins:
            self.namespace[name] = _stand_in(name, on_stand_in, handed, recorded)
        if seed is not None:
            np.random.seed(seed)
            random.seed(seed)
        started = time.monotonic()
        try:
            value = action()
        except Exception as exc:  # noqa: BLE001 - the double reports errors as data
            return dict(outcome="raised", value=None, error_type=type(exc).__name__, error_message=str(exc),
                        traceback=tuple(traceback.format_exception(exc)[-2:]), output="",
                        duration_s=time.monotonic() - started, message=f"raised {type(exc).__name__}: {exc}")
        finally:
            self.namespace.update(saved)
        return dict(outcome="returned", value=copy.deepcopy(value), error_type=None, error_message=None,
                    traceback=(), output="", duration_s=time.monotonic() - started, message="",
                    **({"stand_in_calls": tuple(recorded)} if handed else {}))


def _stand_in(name: str, on_stand_in: Callable | None, handed: dict[str, Any],
              recorded: list[tuple[str, tuple]]) -> Callable[..., Any]:
    """A stand-in answered by ``on_stand_in``; once it answers with an ``Observed``, that stand-in
    is answered by the course helper and, from then on, every stand-in call is recorded here
    (``CallRecord.stand_in_calls``), as in the sandbox's child."""
    from dnn_autograder.grader.assignment.spec import course_helper
    from dnn_autograder.grader.sandbox.session import Observed

    def stand_in(*args: Any, **kwargs: Any) -> Any:
        assert on_stand_in is not None, f"stand-in {name} called without an on_stand_in callback"
        if handed:
            recorded.append((name, copy.deepcopy(args)))
        if name in handed:
            return handed[name](*args, **kwargs)
        answer = on_stand_in(name, copy.deepcopy(args), copy.deepcopy(kwargs))
        if isinstance(answer, Observed):
            handed[name] = course_helper(answer.helper)
            answer = answer.value
        return copy.deepcopy(answer)

    return stand_in


def session_of(source: str) -> InProcessSession:
    """A session on ``source`` executed whole (``np`` predefined); its errors propagate."""
    namespace: dict[str, Any] = {"__name__": "student", "np": np}
    with course_modules():
        exec(compile(source, "<test submission>", "exec"), namespace)  # noqa: S102 - trusted test code
    return InProcessSession(namespace)


class InProcessSandbox:
    protections = ("none: in-process test double",)

    def session(self, units: Sequence[Any]) -> InProcessSession:
        """Execute ``units`` (sources or ``ProgramUnit``-like objects) in order; like the sandbox,
        a failing unit is recorded in ``units`` and skipped."""
        namespace: dict[str, Any] = {"__name__": "student"}
        outcomes = []
        with course_modules():
            for unit in units:
                source = unit.source if hasattr(unit, "source") else unit
                names = tuple(getattr(unit, "names", ()))
                try:
                    exec(compile(source, getattr(unit, "filename", "<test>"), "exec"), namespace)  # noqa: S102
                except Exception as exc:  # noqa: BLE001 - a failing unit is skipped
                    outcomes.append(UnitOutcome(names, False, f"{type(exc).__name__}: {exc}"))
                    continue
                outcomes.append(UnitOutcome(names, True, ""))
        return InProcessSession(namespace, tuple(outcomes))

    def close(self) -> None:
        pass
