"""Issue 17, the sandbox child's cheaper checks: the integrity check's quick pass never accepts
what the detailed pass refuses, and the ctypes modules the worker remembered are forgotten even
when one was imported after that (no real child needed: the check runs here on stand-in
modules, the forgetting in a throwaway interpreter)."""

from __future__ import annotations

import subprocess
import sys
import types
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dnn_autograder.grader.sandbox.child import runner

PACKAGE = runner.__name__.rpartition(".")[0]
SHORTS = ("runner", "guard", "wire", "capture", "script")


class _LiesEqual:
    """A replacement that claims to equal anything (``==`` must never be how values are compared)."""

    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = object.__hash__


def _reference(watched: list[tuple[str, Any, dict[str, Any]]]) -> str:
    """What changed, by the plain definition: a namespace whose size differs, or the first saved
    name whose current value is not the very same object."""
    missing = object()
    for name, current, saved in watched:
        if len(current) != len(saved):
            return name
        for key, value in saved.items():
            if current.get(key, missing) is not value:
                return f"{name}.{key}"
    return ""


def _stand_in_modules(sizes: list[int]) -> tuple[dict[str, types.ModuleType], list[tuple[str, Any, dict]]]:
    modules, watched = {}, []
    for short, size in zip(SHORTS, sizes, strict=True):
        module = types.ModuleType(f"{PACKAGE}.{short}")
        for i in range(size):
            setattr(module, f"v{i}", object())
        klass = type(f"K{short}", (), {"method": lambda self: None, "x": 1})
        klass.__module__ = module.__name__
        module.K = klass
        modules[short] = module
        watched.append((short, vars(module), dict(vars(module))))
        watched.append((f"{short}.{klass.__name__}", klass.__dict__, dict(klass.__dict__)))
    return modules, watched


MUTATIONS = st.lists(st.tuples(st.sampled_from(["replace", "liar", "delete", "readd", "add", "swap", "same",
                                                "class"]),
                               st.integers(0, 4), st.integers(0, 30)), max_size=3)


@settings(max_examples=150, deadline=None)
@given(sizes=st.lists(st.integers(0, 12), min_size=5, max_size=5), mutations=MUTATIONS)
def test_quick_pass_agrees_with_the_plain_definition(sizes: list[int], mutations: list[Any]) -> None:
    modules, watched = _stand_in_modules(sizes)
    saved_modules = {name: sys.modules.get(f"{PACKAGE}.{name}") for name in SHORTS}
    try:
        for short, module in modules.items():
            sys.modules[f"{PACKAGE}.{short}"] = module
        changed = runner._integrity_check()
    finally:
        for short, module in saved_modules.items():
            if module is None:
                sys.modules.pop(f"{PACKAGE}.{short}", None)
            else:
                sys.modules[f"{PACKAGE}.{short}"] = module
    assert changed() == "" == _reference(watched)
    for kind, which, index in mutations:
        namespace = vars(modules[SHORTS[which]])
        names = [k for k in namespace if k.startswith("v")]
        name = names[index % len(names)] if names else None
        if kind == "replace" and name:
            namespace[name] = object()
        elif kind == "liar" and name:
            namespace[name] = _LiesEqual()
        elif kind in ("delete", "readd") and name:
            value = namespace.pop(name)
            if kind == "readd":  # the same name and object, at the end now
                namespace[name] = value
        elif kind == "add":
            namespace[f"new{index}"] = object()
        elif kind == "swap" and len(names) > 1:
            other = names[(index + 1) % len(names)]
            namespace[name], namespace[other] = namespace[other], namespace[name]
        elif kind == "same" and name:
            namespace[name] = namespace[name]  # rebinding the same object changes nothing
        elif kind == "class":
            modules[SHORTS[which]].K.method = lambda self: 1
        assert changed() == _reference(watched), (kind, name)


def test_a_liar_in_the_real_runner_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    from dnn_autograder.grader.sandbox.child import wire

    changed = runner._integrity_check()
    assert changed() == ""
    monkeypatch.setattr(wire, "pack", _LiesEqual())
    assert changed() == "wire.pack"
    monkeypatch.undo()
    assert changed() == ""
    monkeypatch.setattr(runner.Runner, "_reply", lambda *args: None)
    assert changed() == "runner.Runner._reply"


_FORGET = """
import sys
import ctypes
from dnn_autograder.grader.sandbox.child import guard
guard.remember_native_modules()
{late}
guard.forget_native()
left = [n for n in sys.modules if n == "_ctypes" or n.partition(".")[0] == "ctypes"]
print(left)
"""


@pytest.mark.parametrize("late", ["", "import ctypes.util  # imported after the worker remembered"])
def test_remembered_native_modules_are_all_forgotten(late: str) -> None:
    done = subprocess.run([sys.executable, "-c", _FORGET.format(late=late)], capture_output=True, text=True,
                          timeout=60, check=True)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr
