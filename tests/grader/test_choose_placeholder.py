"""Which function bodies are a starter's placeholder, and that the chooser and the completion
from other files read each file's functions once (the verdicts are remembered per source)."""

from __future__ import annotations

import pytest

from dnn_autograder.grader.assignment import choose, combine
from dnn_autograder.grader.assignment.choose import MEMO_SOURCE_CHARS, is_placeholder
from dnn_autograder.grader.extract import extract_source


@pytest.mark.parametrize(("source", "placeholder"), [
    ("def f(x):\n    # YOUR CODE HERE\n    return x\n", True),
    ("def f(x):\n    raise NotImplementedError()\n", True),
    ("def f(x):\n    if x:\n        raise NotImplementedError\n    return x\n", True),
    ("def f(x):\n    raise ValueError('no')\n", False),
    ("def f(x):\n    pass\n", True),
    ("def f(x):\n    ...\n", True),
    ("def f(x):\n    '''Only a docstring.'''\n", True),
    ("def f(x):\n    '''Doc.'''\n    pass\n", True),
    ("async def f(x):\n    pass\n", True),
    ("def f(x):\n    a = None\n    b: int = None\n    return a, b\n", True),
    ("def f(x):\n    a = None\n    a += 1\n    return a\n", False),
    ("def f(x):\n    a = None\n    b = x * 2\n    return a, b\n", False),
    ("def f(x):\n    return x * 2\n", False),
    ("def f(x):\n    def inner():\n        y = None\n    return None\n", True),
    ("def f(x):\n    def inner():\n        y = x\n    return None\n", False),
    ("def f(x):\n    return (\n", False),  # does not parse: not a placeholder
    ("x = None\n", False),  # no function
])
def test_placeholder_verdicts(source: str, placeholder: bool) -> None:
    assert is_placeholder(source) is placeholder
    assert is_placeholder(source) is placeholder  # remembered: the same answer again


def test_long_sources_are_judged_too() -> None:
    padding = "    # a long comment line in a long function\n" * (MEMO_SOURCE_CHARS // 40 + 1)
    assert len(padding) > MEMO_SOURCE_CHARS
    assert is_placeholder("def f(x):\n" + padding + "    pass\n")
    assert not is_placeholder("def f(x):\n" + padding + "    return x\n")


GRADED = ("update_lr", "schedule_lr_decay", "initialize_velocity")
FULL = """
def update_lr(learning_rate0, epoch_num, decay_rate):
    return learning_rate0 / (1 + decay_rate * epoch_num)

def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    return learning_rate0 / (1 + decay_rate * (epoch_num // time_interval))
"""
STARTER = """
def update_lr(learning_rate0, epoch_num, decay_rate):
    # YOUR CODE HERE
    raise NotImplementedError()

def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    return learning_rate0
"""


def test_completion_reads_each_file_once(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, ...]] = []

    def counted(file, names):
        seen.append(tuple(names))
        return choose.filled_functions(file, names)

    monkeypatch.setattr(combine, "filled_functions", counted)
    chosen = extract_source(STARTER, "work.ipynb")
    other = extract_source(FULL, "mine.ipynb")
    completed = combine.complete_from(chosen, "work.ipynb", [(other, "mine.ipynb")], GRADED)
    assert completed.taken == (("mine.ipynb", ("update_lr",)),)
    assert len(seen) == 2  # the chosen file once, the other file once (not once per graded name)
