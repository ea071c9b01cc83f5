"""A test double of the sandbox that runs trusted test code in-process.

Only for unit tests of the grading stages with code the tests wrote themselves; real student
code always goes through :mod:`dnn_autograder.grader.sandbox`.
"""

from __future__ import annotations

import copy
import importlib
import time
import traceback
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


@dataclass(frozen=True)
class Outcome:
    names: tuple[str, ...]
    ok: bool
    message: str


class InProcessSession:
    def __init__(self, namespace: dict[str, Any]) -> None:
        self.namespace = namespace
        self.units: tuple[Outcome, ...] = ()

    def __enter__(self) -> InProcessSession:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def defined(self, name: str) -> bool:
        return callable(self.namespace.get(name))

    def call(self, function: str, args: tuple, *, inject: Mapping[str, str] = {},
             stand_ins: Sequence[str] = (), on_stand_in: Callable | None = None,
             seed: int | None = None, timeout_s: float | None = None) -> Record:
        args = copy.deepcopy(args)
        saved = {}
        for name, target in {**inject}.items():
            module, _, attr = target.rpartition(".")
            saved[name] = self.namespace.get(name)
            self.namespace[name] = getattr(importlib.import_module(f"dnn_autograder.course_helpers.{module}"), attr)
        for name in stand_ins:
            saved[name] = self.namespace.get(name)
            self.namespace[name] = (lambda n: lambda *a, **k: copy.deepcopy(on_stand_in(n, a, k)))(name)
        if seed is not None:
            np.random.seed(seed)
        started = time.monotonic()
        try:
            value = self.namespace[function](*args)
            return Record("returned", copy.deepcopy(value), args, duration_s=time.monotonic() - started)
        except Exception as exc:  # noqa: BLE001
            return Record("raised", None, args, type(exc).__name__, str(exc),
                          tuple(traceback.format_exception(exc)[-2:]),
                          message=f"raised {type(exc).__name__}: {exc}")
        finally:
            self.namespace.update(saved)


class InProcessSandbox:
    protections = ("none: in-process test double",)

    def session(self, units: Sequence[Any]) -> InProcessSession:
        namespace: dict[str, Any] = {"__name__": "student"}
        for unit in units:
            source = unit.source if hasattr(unit, "source") else unit
            try:
                exec(compile(source, "<test>", "exec"), namespace)  # noqa: S102 - trusted test code
            except Exception:  # noqa: BLE001, S112 - like the sandbox: a failing unit is skipped
                continue
        return InProcessSession(namespace)

    def close(self) -> None:
        pass
