"""Units compiled once per process (``session.COMPILED``): a unit with the same index, first
line and source is not compiled again, and anything else is; tracebacks and line numbers stay
those of each session's own units."""

from __future__ import annotations

import marshal
from typing import Any

import pytest

from dnn_autograder.grader.sandbox import ProgramUnit
from dnn_autograder.grader.sandbox import session as session_module
from dnn_autograder.grader.sandbox.session import CompiledUnits

SOURCE = "def f(x):\n    return 1 / x\n"


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The filenames ``Session._compile`` compiles, with an empty cache of its own."""
    seen: list[str] = []

    def counting(source: str, filename: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(filename)
        return compile(source, filename, *args, **kwargs)

    monkeypatch.setattr(session_module, "COMPILED", CompiledUnits())
    monkeypatch.setattr(session_module, "compile", counting, raising=False)
    return seen


def test_a_unit_seen_before_is_not_compiled_again(sandbox: Any, compiles: list[str]) -> None:
    units = [ProgramUnit("import", "import math\n", ("math",), "nb.ipynb, cell 1", 1),
             ProgramUnit("definition", SOURCE, ("f",), "nb.ipynb, cell 2", 3)]
    for _ in range(2):
        with sandbox.session(units) as opened:
            record = opened.call("f", (0,))
        assert record.traceback == ("nb.ipynb, cell 2, line 4, in f: return 1 / x",)
    assert compiles == ["<student:0>", "<student:1>"]


def test_another_first_line_or_index_is_compiled_for_itself(sandbox: Any, compiles: list[str]) -> None:
    sessions = [([ProgramUnit("definition", SOURCE, ("f",), "nb.ipynb, cell 2", 3)], 4),
                ([ProgramUnit("definition", SOURCE, ("f",), "nb.ipynb, cell 2", 40)], 41),
                ([ProgramUnit("constant", "y = 1\n", ("y",), "nb.ipynb, cell 1", 1),
                  ProgramUnit("definition", SOURCE, ("f",), "nb.ipynb, cell 2", 3)], 4)]
    for units, line in sessions:
        with sandbox.session(units) as opened:
            record = opened.call("f", (0,))
        assert record.traceback == (f"nb.ipynb, cell 2, line {line}, in f: return 1 / x",)
    assert compiles == ["<student:0>", "<student:0>", "<student:0>", "<student:1>"]


def test_a_unit_that_does_not_compile_is_reported_every_time(sandbox: Any, compiles: list[str]) -> None:
    broken = [ProgramUnit("definition", "def f(:\n", ("f",), "nb.ipynb, cell 1", 1)]
    for _ in range(2):
        with sandbox.session(broken) as opened:
            assert not opened.units[0].ok and "SyntaxError" in opened.units[0].message
    assert compiles == ["<student:0>", "<student:0>"]


def test_the_cache_keeps_its_byte_budget_dropping_the_least_recently_used() -> None:
    cache = CompiledUnits(max_bytes=2000)
    data = {i: marshal.dumps(compile(f"x = {i}\n", f"<student:{i}>", "exec")) for i in range(40)}
    for i, code in data.items():
        cache.put(i, 1, f"x = {i}\n", code)
        assert cache.get(0, 1, "x = 0\n") == data[0]  # used again and again: kept
    kept = [i for i in data if cache.get(i, 1, f"x = {i}\n") is not None]
    assert 0 in kept and 39 in kept and len(kept) < 40
    assert sum(len(f"x = {i}\n") + len(data[i]) for i in kept) <= 2000
    assert cache.get(39, 2, "x = 39\n") is None and cache.get(38, 1, "x = 39\n") is None
    cache.put(1, 1, "y = 1\n", b"z" * 300)  # over an eighth of the budget: not kept
    assert cache.get(1, 1, "y = 1\n") is None
