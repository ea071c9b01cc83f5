"""Script cases on the trusted side: what the sandbox is sent, the reference's run, the code shown.

A script case (``Case.steps``) is run by the interpreter in ``sandbox/child/script.py``: in the
student's child by :meth:`Session.run_script`, and here, in the parent, for the reference and
the mutants (:func:`run_trusted`), so both sides give a script the same meaning.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from dnn_autograder.grader.model import Case, Step, Var, script_output
from dnn_autograder.grader.sandbox.child.script import Script
from dnn_autograder.grader.values import deep_copy, short_repr


def plain_steps(steps: Sequence[Step]) -> list[dict[str, Any]]:
    """The steps as the interpreter's plain data (``Var`` -> ``["var", name]``, else a constant)."""
    return [{"call": step.call, "args": [_plain(arg) for arg in step.args],
             "kwargs": {key: _plain(value) for key, value in step.kwargs.items()},
             "returns": list(step.returns), "compare": list(step.compare), "seed": step.seed}
            for step in steps]


def steps_from_plain(data: Any) -> tuple[Step, ...]:
    """The inverse of :func:`plain_steps` (a case bank stores steps as plain data)."""
    if not isinstance(data, list):
        raise ValueError("a script's steps are not a list")

    def value(arg: Any) -> Any:
        kind, payload = arg
        return Var(str(payload)) if kind == "var" else payload

    return tuple(Step(call=str(step["call"]), args=tuple(value(a) for a in step["args"]),
                      kwargs={str(k): value(v) for k, v in step["kwargs"].items()},
                      returns=tuple(map(str, step["returns"])), compare=tuple(map(str, step["compare"])),
                      seed=None if step.get("seed") is None else int(step["seed"]))
                 for step in data)


def run_trusted(case: Case, namespace: Mapping[str, Callable[..., Any]]) -> dict[str, Any]:
    """Run ``case``'s script on trusted code (``namespace``: name -> the reference's or a
    mutant's function or class); the outputs ``{script_output(step, name): value}``, each
    copied when its step ends (a later step may update it in place)."""
    outputs: dict[str, Any] = {}

    def capture(step: int, name: str, value: Any) -> None:
        outputs[script_output(step, name)] = deep_copy(value)

    def lookup(name: str) -> Callable[..., Any]:
        if name not in namespace:
            raise NameError(f"the script calls {name!r}, which is neither this unit nor a graded unit")
        return namespace[name]

    saved = np.random.get_state(), random.getstate()
    if case.seed is not None:  # as the sandbox child does before the student's run
        np.random.seed(case.seed)
        random.seed(case.seed)
    try:
        Script(deep_copy(dict(case.args)), lookup).run(plain_steps(case.steps), capture)
    finally:
        np.random.set_state(saved[0])
        random.setstate(saved[1])
    return outputs


def called_names(steps: Sequence[Step]) -> tuple[str, ...]:
    """The names a script calls directly (methods of its own objects aside), in order."""
    return tuple(dict.fromkeys(step.call for step in steps if "." not in step.call))


def step_of(output: str) -> int:
    """The (0-based) step of an output name made by :func:`script_output`."""
    head = output.partition(":")[0]
    return int(head.removeprefix("step ")) - 1


def first_diverging_step(names: Sequence[str]) -> int | None:
    """The earliest step among outputs ``names`` (the ``where`` of mismatches), or None."""
    steps = [step_of(name) for name in names if name.startswith("step ")]
    return min(steps) if steps else None


def script_lines(case: Case) -> tuple[str, ...]:
    """The script as the lines of Python it stands for (``next_w, config = adam(w, dw1, config)``)."""
    lines = []
    for step in case.steps:
        args = [_shown(arg) for arg in step.args] + [f"{k}={_shown(v)}" for k, v in step.kwargs.items()]
        call = f"{step.call}({', '.join(args)})"
        if step.seed is not None:
            lines.append(f"np.random.seed({step.seed})")
        lines.append(f"{', '.join(step.returns)} = {call}" if step.returns else call)
    return tuple(lines)


def step_line(script: Sequence[str], step: int) -> str:
    """The line of ``script`` (:func:`script_lines`) that calls step ``step`` (1-based), or "".
    A seeded step's ``np.random.seed(...)`` line is not a step of its own."""
    calls = [line for index, line in enumerate(script)
             if not (line.startswith("np.random.seed(") and index + 1 < len(script))]
    return calls[step - 1] if 1 <= step <= len(calls) else ""


def _plain(value: Any) -> list[Any]:
    return ["var", value.name] if isinstance(value, Var) else ["const", value]


def _shown(value: Any) -> str:
    return value.name if isinstance(value, Var) else short_repr(value)
