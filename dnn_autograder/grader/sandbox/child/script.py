"""Run a script case: a few calls in one namespace, each step fed what the earlier ones bound.

One interpreter for both sides: the sandbox child runs the student's code with it, and the
trusted parent runs the reference and the mutants with it, so both sides mean the same thing by
a script. A step is plain data (JSON-able apart from constants)::

    {"call": "adam" | "layer.backward", "args": [["var", "w"], ["const", 0.5]],
     "kwargs": {"train_flg": ["const", True]}, "returns": ["next_w", "config"],
     "compare": ["next_w", "config", "layer.dW"], "seed": 3 | None}

Nothing here imports the grader: the child loads this module by path.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np


class ScriptShapeError(Exception):
    """A step returned something that cannot be unpacked into its names (a single array where
    ``next_w, config`` was expected)."""


class Script:
    """The state of one run: ``env`` (names bound so far) and ``step`` (the step running or
    last run, 0-based)."""

    def __init__(self, inputs: Mapping[str, Any], lookup: Callable[[str], Any]) -> None:
        self.env: dict[str, Any] = dict(inputs)
        self.lookup = lookup
        self.step = -1

    def run(self, steps: Sequence[Mapping[str, Any]],
            capture: Callable[[int, str, Any], None]) -> None:
        """Run ``steps`` in order; after each, ``capture(step, name, value)`` for every name it
        compares. Exceptions of the code called propagate (``self.step`` says where)."""
        for index, step in enumerate(steps):
            self.step = index
            if step.get("seed") is not None:
                np.random.seed(int(step["seed"]))
                random.seed(int(step["seed"]))
            target = self._target(str(step["call"]))
            args = [self._value(arg) for arg in step.get("args", ())]
            kwargs = {str(k): self._value(v) for k, v in dict(step.get("kwargs", {})).items()}
            value = target(*args, **kwargs)
            self._bind([str(n) for n in step.get("returns", ())], value, str(step["call"]))
            for name in step.get("compare", ()):
                capture(index, str(name), self.read(str(name)))

    def read(self, name: str) -> Any:
        """A bound name, or ``var.attr``: an attribute of a bound object."""
        owner, _, attribute = name.partition(".")
        value = self.env[owner]
        return getattr(value, attribute) if attribute else value

    def _target(self, call: str) -> Callable[..., Any]:
        owner, _, method = call.partition(".")
        if method:
            if owner not in self.env:
                raise NameError(f"name {owner!r} is not defined")
            return getattr(self.env[owner], method)
        return self.lookup(call)

    def _value(self, arg: Sequence[Any]) -> Any:
        kind, payload = arg
        return self.env[payload] if kind == "var" else payload

    def _bind(self, names: list[str], value: Any, call: str) -> None:
        if len(names) == 1:
            self.env[names[0]] = value
        elif names:
            if type(value) not in (tuple, list) or len(value) != len(names):
                got = (f"a {type(value).__name__} of {len(value)}" if type(value) in (tuple, list)
                       else f"a {type(value).__name__}")
                raise ScriptShapeError(f"{call}() returned {got}, where a tuple of {len(names)}"
                                       f" ({', '.join(names)}) is expected")
            self.env.update(zip(names, value, strict=True))
