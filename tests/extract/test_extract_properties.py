"""Properties of extraction on arbitrary mixes of Python, IPython syntax and broken text."""

from __future__ import annotations

import ast

from hypothesis import given, settings
from hypothesis import strategies as st

from dnn_autograder.grader.extract import extract_source

FRAGMENTS = [
    "def f(x):", "    return x", "class A:", "  pass", "@dec", "import numpy as np",
    "%matplotlib inline", "!ls", "np.random?", "x = (", ")", "]", "'''", '"""', "'", "#", "\\",
    "else:", "try:", "except:", "    %time f()", "y = [1,", "2]", "α = 1", "if True:", "\t\tx",
    "from a import *", "%%time", "get_ipython().x()", "x = 1; y = 2", "async def g():",
    "    await h()", "\r", "é", "def (", "x = f'{", "}'", "EPS = 1e-7", "print(f(1))",
]  # fmt: skip


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=14))
def test_units_parse_alone_and_point_at_their_line(fragments):
    text = "\n".join(fragments)
    extracted = extract_source(text, "fuzz.py")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for unit in extracted.units:
        ast.parse(unit.source)
        head = unit.source.split("\n")[0]
        assert head.strip() in lines[unit.first_line - 1]
    assert all(unit in extracted.units for unit in extracted.functions.values())
    assert not set(extracted.broken_functions) & set(extracted.functions)
