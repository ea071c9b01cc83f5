"""Judge a backward pass by central differences of the student's own forward (one bug costs once).

A backward unit's script runs the student's forward, then the student's backward on the forward's
own cache. When the forward is wrong, the backward's gradients differ from the reference's even
if the backward is right *for that forward*. This module re-runs the script's forward steps in
the student's sandbox with each element of each input nudged by ``±h`` (all in one script: every
nudged copy has its own names and its own copies of the inputs) and checks the backward's values
against ``(L(v + h e_i) - L(v - h e_i)) / 2h`` with ``L = sum(output * upstream)``
(:class:`~dnn_autograder.grader.assignment.spec.NumericalGradient`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from dnn_autograder.grader.assignment.spec import FunctionSpec, NumericalGradient
from dnn_autograder.grader.grading.scripts import plain_steps
from dnn_autograder.grader.model import Case, Mismatch, Step, Var, script_output
from dnn_autograder.grader.values import deep_copy

#: nudged copies of the forward sent in one script; an input with more elements is not judged
MAX_NUDGES = 400


def gradients_agree(session: Any, spec: FunctionSpec, case: Case, got: Mapping[str, Any]) -> bool:
    """True when every gradient named by ``spec.numerical_gradient`` that the student's script
    produced agrees with central differences of the student's own forward on ``case``."""
    check = spec.numerical_gradient
    if check is None or check.upstream not in case.args:
        return False
    forward = _forward_step(case.steps, check.output)
    if forward is None:
        return False
    targets = {name: _gradient_output(case.steps, forward, grad) for name, grad in check.wrt.items()}
    if any(output is None or output not in got or name not in case.args for name, output in targets.items()):
        return False
    nudges = [(name, index, sign) for name in targets
              for index in np.ndindex(np.shape(case.args[name])) for sign in (1.0, -1.0)]
    if not nudges or len(nudges) > MAX_NUDGES:
        return False
    losses = _losses(session, spec, case, check, case.steps[: forward + 1], nudges)
    if losses is None:
        return False
    for name, output in targets.items():
        numeric = np.zeros(np.shape(case.args[name]))
        for (nudged, index, sign), loss in zip(nudges, losses, strict=True):
            if nudged == name:
                numeric[index] += sign * loss / (2 * check.h)
        value: Any = got[output] if output is not None else None
        if not _numeric(value) or np.shape(value) != numeric.shape:
            return False
        student = np.asarray(value, dtype=np.float64)
        scale = float(np.max(np.abs(numeric), initial=0.0))
        if not np.all(np.abs(student - numeric) <= check.atol + check.rtol * scale):
            return False
    return True


def only_gradients_differ(spec: FunctionSpec, case: Case, mismatches: Sequence[Mismatch]) -> bool:
    """True when every difference from the reference is in a gradient the numerical check judges
    (a compared ``wrt`` name after the forward): agreement with the student's own forward may
    excuse a backward, never a wrong forward output compared in the same script (a class's
    ``forward`` and ``backward`` in one unit)."""
    check = spec.numerical_gradient
    forward = None if check is None else _forward_step(case.steps, check.output)
    if check is None or forward is None:
        return False
    judged = {_gradient_output(case.steps, forward, grad) for grad in check.wrt.values()} - {None}
    return all(mismatch.where.split("[", 1)[0] in judged for mismatch in mismatches)


def _losses(session: Any, spec: FunctionSpec, case: Case, check: NumericalGradient,
            prefix: Sequence[Step], nudges: Sequence[tuple[str, tuple[int, ...], float]]) -> list[float] | None:
    """``L`` for every nudged copy of the forward steps, from one script run in the sandbox."""
    inputs: dict[str, Any] = {}
    steps: list[Step] = []
    for copy, (name, index, sign) in enumerate(nudges):
        suffix = f"@{copy}"
        for key, value in case.args.items():
            value = deep_copy(value)
            if key == name:
                value = np.array(value, dtype=float)
                value[index] += sign * check.h
            inputs[key + suffix] = value
        for position, step in enumerate(prefix):
            last = position == len(prefix) - 1
            steps.append(_renamed(step, suffix, compare=(check.output,) if last else (),
                                  seed=step.seed if step.seed is not None or position else case.seed))
    record = session.run_script(spec.name, inputs, plain_steps(steps), inject=spec.helpers,
                                seed=case.seed, timeout_s=spec.timeout_s)
    if record.outcome != "returned" or record.problem:
        return None
    upstream = np.asarray(case.args[check.upstream], dtype=float)
    losses = []
    for copy in range(len(nudges)):
        output = record.value.get((len(prefix) * (copy + 1) - 1, f"{check.output}@{copy}"))
        if not _numeric(output) or np.shape(output) != upstream.shape and np.ndim(upstream) != 0:
            return None
        losses.append(float(np.sum(np.asarray(output, dtype=float) * upstream)))
    return losses


def _forward_step(steps: Sequence[Step], output: str) -> int | None:
    return next((i for i, step in enumerate(steps) if output in step.returns), None)


def _gradient_output(steps: Sequence[Step], forward: int, name: str) -> str | None:
    """The output name under which the gradient ``name`` is compared after the forward."""
    return next((script_output(i, name) for i in range(forward + 1, len(steps)) if name in steps[i].compare), None)


def _renamed(step: Step, suffix: str, *, compare: tuple[str, ...], seed: int | None) -> Step:
    def var(value: Any) -> Any:
        return Var(value.name + suffix) if isinstance(value, Var) else value

    owner, dot, method = step.call.partition(".")
    return replace(step, call=f"{owner}{suffix}.{method}" if dot else step.call,
                   args=tuple(var(a) for a in step.args), kwargs={k: var(v) for k, v in step.kwargs.items()},
                   returns=tuple(name + suffix for name in step.returns),
                   compare=tuple(name + suffix for name in compare), seed=seed)


def _numeric(value: Any) -> bool:
    try:
        return np.asarray(value).dtype.kind in "iuf"
    except Exception:  # noqa: BLE001 - a student's value of any type
        return False
