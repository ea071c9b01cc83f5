"""An in-process stand-in for a sandbox session, for the figure tests only.

It runs source code the tests wrote themselves (never student code) and mimics the session API:
``call(function, args, *, inject, stand_ins, on_stand_in, seed, timeout_s) -> record`` with the
arguments deep-copied in, and ``defined(name)``.
"""

from __future__ import annotations

import copy
import importlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Record:
    outcome: str
    value: Any
    args_after: tuple[Any, ...]
    error_type: str | None = None
    error_message: str | None = None
    traceback: tuple[str, ...] = ()
    output: str = ""
    duration_s: float = 0.0
    message: str = ""


class LocalSession:
    """Executes ``source`` in a fresh namespace; counts the calls it answers."""

    def __init__(self, source: str) -> None:
        self.namespace: dict[str, Any] = {"__name__": "student", "np": np}
        exec(compile(source, "<test submission>", "exec"), self.namespace)  # noqa: S102
        self.calls = 0

    def defined(self, name: str) -> bool:
        return callable(self.namespace.get(name))

    def call(self, function: str, args: tuple, *, inject: Mapping[str, str] = {},
             stand_ins: Sequence[str] = (), on_stand_in: Callable | None = None,
             seed: int | None = None, timeout_s: float | None = None) -> Record:
        self.calls += 1
        args = copy.deepcopy(args)
        saved = {}
        for name, target in inject.items():
            module, _, attr = target.rpartition(".")
            saved[name] = self.namespace.get(name)
            helper = importlib.import_module(f"dnn_autograder.course_helpers.{module}")
            self.namespace[name] = getattr(helper, attr)
        for name in stand_ins:
            saved[name] = self.namespace.get(name)
            self.namespace[name] = _forward(name, on_stand_in)
        if seed is not None:
            np.random.seed(seed)
        started = time.monotonic()
        try:
            value = self.namespace[function](*args)
        except Exception as exc:  # noqa: BLE001 - the double reports errors as data
            return Record("raised", None, args, type(exc).__name__, str(exc),
                          message=f"raised {type(exc).__name__}: {exc}")
        finally:
            self.namespace.update(saved)
        return Record("returned", copy.deepcopy(value), args,
                      duration_s=time.monotonic() - started)


def _forward(name: str, on_stand_in: Callable | None) -> Callable:
    def stand_in(*args: Any, **kwargs: Any) -> Any:
        assert on_stand_in is not None
        return copy.deepcopy(on_stand_in(name, copy.deepcopy(args), copy.deepcopy(kwargs)))

    return stand_in
