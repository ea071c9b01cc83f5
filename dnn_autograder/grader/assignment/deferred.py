"""Hypothesis, imported when a strategy is first built or drawn from, not when ``cases.py`` is imported.

Grading a submission reads its cases from the case bank and needs no strategy unless it shrinks
an unknown bug; importing Hypothesis costs ~0.25 s of CPU, a quarter of a cold ``grade``. So the
assignments' ``cases.py`` (and :mod:`dnn_autograder.grader.assignment.strategies`) take these
names from here instead of from ``hypothesis``:

* :data:`st` and :data:`hnp`: ``hypothesis.strategies`` and ``hypothesis.extra.numpy``, imported
  at the first attribute read (``st.integers``), which happens inside a strategy function;
* :func:`composite`: ``@st.composite`` for a module-level definition, applied at the first call;
* :func:`assume`: ``hypothesis.assume`` (only ever called while drawing).

The strategies built are Hypothesis's own, so they draw and shrink exactly as if Hypothesis had
been imported up front. Annotations (``st.SearchStrategy[Case]``) stay unevaluated strings under
``from __future__ import annotations``; type checkers see the real modules.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any

__all__ = ["assume", "composite", "hnp", "st"]


class DeferredModule:
    """Stands for the module ``name`` and imports it at the first attribute read."""

    __slots__ = ("_module", "_name")

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        module = self._module
        if module is None:
            module = self._module = importlib.import_module(self._name)
        return getattr(module, attribute)

    def __repr__(self) -> str:
        state = "imported" if self._module is not None else "not imported yet"
        return f"<deferred module {self._name!r} ({state})>"


if TYPE_CHECKING:
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp
else:
    st = DeferredModule("hypothesis.strategies")
    hnp = DeferredModule("hypothesis.extra.numpy")


def composite(function: Callable[..., Any]) -> Callable[..., Any]:
    """``hypothesis.strategies.composite(function)``, made at the first call of the result (so a
    module-level ``@composite`` does not import Hypothesis); each call returns the strategy
    ``st.composite(function)`` would return for the same arguments."""
    built: Callable[..., Any] | None = None

    @functools.wraps(function)
    def strategy(*args: Any, **kwargs: Any) -> Any:
        nonlocal built
        if built is None:
            built = st.composite(function)
        return built(*args, **kwargs)

    return strategy


def assume(condition: object) -> bool:
    """``hypothesis.assume(condition)``: reject the example being drawn when ``condition`` is false."""
    from hypothesis import assume as hypothesis_assume

    return hypothesis_assume(condition)
