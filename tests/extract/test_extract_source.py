"""Which top-level statements become units, with which names, and what is reported."""

from __future__ import annotations

import pytest

from dnn_autograder.grader.extract import ProgramUnit, extract_source
from dnn_autograder.grader.extract.model import TOP_LEVEL_REASON
from dnn_autograder.grader.extract.parse import split_chunks

NUMPY = "import numpy as np\n"


def kinds_and_names(text: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(unit.kind, unit.names) for unit in extract_source(text, "solution.py").units]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        pytest.param("layers_dims = [2, 4, 1]", ("layers_dims",), id="list"),
        pytest.param("EPS = 1e-7", ("EPS",), id="float"),
        pytest.param("beta: float = 0.9", ("beta",), id="annotated"),
        pytest.param("a, (b, *c) = 1, (2, 3)", ("a", "b", "c"), id="tuple-targets"),
        pytest.param("x = y = 0", ("x", "y"), id="chained"),
        pytest.param("big = -(2 ** 10) / 3", ("big",), id="arithmetic"),
        pytest.param("cfg = {'lr': 0.01, 'betas': (0.9, 0.999)}", ("cfg",), id="dict"),
        pytest.param("t = tuple([1, 2]); f = float('1e-7')", ("f",), id="builtin-calls"),
        pytest.param(NUMPY + "W = np.array([[1.0, 2.0]])", ("W",), id="np.array"),
        pytest.param(NUMPY + "EPS = np.float64(1e-7)", ("EPS",), id="np.float64"),
        pytest.param(NUMPY + "Z = np.zeros((2, 3), dtype=np.float32)", ("Z",), id="np.zeros"),
        pytest.param("from numpy import array as arr\nA = arr([1])", ("A",), id="from-import"),
        pytest.param("import math\nc = math.sqrt(2)", ("c",), id="math.sqrt"),
        pytest.param("EPS = 1e-7\nEPS2 = EPS * 2", ("EPS2",), id="earlier-constant"),
        pytest.param(NUMPY + "pi = np.pi", ("pi",), id="module-attribute"),
        pytest.param("sigmoid = lambda z: 1 / (1 + np.exp(-z))", ("sigmoid",), id="lambda"),
        pytest.param("name = f'W{1}'", ("name",), id="f-string"),
    ],
)
def test_simple_constants_are_kept(text, names):
    assert kinds_and_names(text)[-1][1] == names


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(NUMPY + "X = np.random.randn(3, 4)", id="random-call"),
        pytest.param("parameters = initialize_parameters([2, 4, 1])", id="student-call"),
        pytest.param("x = y", id="unknown-name"),
        pytest.param("parameters['W1'] = 0", id="subscript-target"),
        pytest.param("self.x = 1", id="attribute-target"),
        pytest.param("x += 1", id="augmented"),
        pytest.param("data = [i for i in range(3)]", id="comprehension"),
        pytest.param("x = (y := 3)", id="walrus"),
        pytest.param("n = len(layers)", id="call-on-unknown"),
        pytest.param("float = lambda s: 0\nx = float('1')", id="shadowed-builtin"),
        pytest.param("def float(s): return 0\nx = float('1')", id="shadowed-by-def"),
        pytest.param("lr: float", id="annotation-only"),
        pytest.param(
            "from numpy import array\ndef array(v): return v\nx = array([1])", id="shadowed-import"
        ),
        pytest.param("x = print('side effect')", id="print"),
    ],
)
def test_other_assignments_are_dropped(text):
    extracted = extract_source(text, "solution.py")
    assert all(unit.kind != "constant" for unit in extracted.units)
    assert "x" not in {name for unit in extracted.units for name in unit.names} - {"float"}


@pytest.mark.parametrize(
    ("text", "names", "imports"),
    [
        pytest.param("import numpy as np", ("np",), ("numpy",), id="alias"),
        pytest.param("import os.path", ("os",), ("os",), id="dotted"),
        pytest.param("import os.path as osp", ("osp",), ("os",), id="dotted-alias"),
        pytest.param("import numpy, math", ("numpy", "math"), ("numpy", "math"), id="several"),
        pytest.param("from reg_utils import *", ("*",), ("reg_utils",), id="star"),
        pytest.param("from a.b import c as d, e", ("d", "e"), ("a",), id="from-dotted"),
        pytest.param("from . import helpers", ("helpers",), (), id="relative"),
        pytest.param(
            "try:\n    from opt_utils_v1a import *\n"
            "except ImportError:\n    from opt_utils import *",
            ("*",),
            ("opt_utils_v1a", "opt_utils"),
            id="try-import",
        ),
        pytest.param(
            "try:\n    import cupy as xp\nexcept ImportError:\n    import numpy as xp\n"
            "    print('no GPU')",
            ("xp",),
            ("cupy", "numpy"),
            id="try-import-with-print",
        ),
    ],
)
def test_imports(text, names, imports):
    extracted = extract_source(text, "solution.py")
    (unit,) = extracted.units
    assert (unit.kind, unit.names, unit.source) == ("import", names, text)
    assert extracted.imports == imports


def test_try_with_more_than_imports_is_dropped():
    text = "try:\n    import numpy as np\n    train()\nexcept ImportError:\n    pass\n"
    extracted = extract_source(text, "solution.py")
    assert extracted.units == ()
    assert extracted.skipped[0].reason == TOP_LEVEL_REASON


def test_future_import_is_a_hint_not_a_unit():
    extracted = extract_source("from __future__ import annotations\nx = 1", "solution.py")
    assert [unit.source for unit in extracted.units] == ["x = 1"]
    assert extracted.hints["future"] == "annotations"
    assert extracted.skipped == ()


def test_definitions_keep_decorators_and_start_at_the_decorator():
    text = (
        '"""Module docstring."""\n'
        "import functools\n"
        "\n"
        "@functools.lru_cache(maxsize=None)\n"
        "@staticmethod\n"
        "def cached(n):\n"
        "    return n  # trailing comment\n"
        "\n"
        "async def later():\n"
        "    return 1\n"
        "\n"
        "class Adam:\n"
        "    lr = 0.01\n"
    )
    extracted = extract_source(text, "solution.py")
    cached, later, adam = extracted.units[1:]
    assert cached.source == (
        "@functools.lru_cache(maxsize=None)\n@staticmethod\ndef cached(n):\n"
        "    return n  # trailing comment"
    )
    assert (cached.first_line, later.first_line, adam.first_line) == (4, 9, 12)
    assert adam.kind == "definition"
    # a class is a definition too: a graded class (a script unit) is found like a function
    assert list(extracted.functions) == ["cached", "later", "Adam"]
    assert extracted.skipped == ()  # a docstring is not worth a message


def test_semicolons_split_statements():
    extracted = extract_source("import numpy as np; x = np.ones(2); y = f(x); z = 2", "s.py")
    assert [unit.source for unit in extracted.units] == [
        "import numpy as np",
        "x = np.ones(2)",
        "z = 2",
    ]
    assert extracted.skipped[0].where == "line 1"


def test_unicode_identifiers_and_columns():
    text = "é = 1; ü = 'ß'\ndef σ(z):\n    return 1 / (1 + np.exp(-z))  # sigmoïde\nλ = 0.7\n"
    extracted = extract_source(text, "solution.py")
    assert [unit.source for unit in extracted.units] == [
        "é = 1",
        "ü = 'ß'",
        "def σ(z):\n    return 1 / (1 + np.exp(-z))  # sigmoïde",
        "λ = 0.7",
    ]
    assert list(extracted.functions) == ["σ"]


def test_get_ipython_statements_are_dropped_as_ipython_calls():
    text = (
        "get_ipython().run_line_magic('matplotlib', 'inline')\n"
        "files = get_ipython().getoutput('ls')\n"
        "def f():\n    return 1\n"
    )
    extracted = extract_source(text, "exported.py")
    assert list(extracted.functions) == ["f"]
    assert [(s.where, s.reason) for s in extracted.skipped] == [
        ("lines 1-2", "IPython call (get_ipython)")
    ]


def test_definitions_inside_blocks_are_reported_as_lost():
    text = (
        "if __name__ == '__main__':\n"
        "    def update_lr(learning_rate0, epoch_num, decay_rate):\n"
        "        return learning_rate0\n"
        "    update_lr(1, 1, 1)\n"
        "for i in range(2):\n"
        "    print(i)\n"
    )
    extracted = extract_source(text, "solution.py")
    assert extracted.units == ()
    lost, loop = extracted.skipped
    assert (lost.where, lost.functions) == ("lines 1-4", ("update_lr",))
    assert "move update_lr out of the block" in lost.reason
    assert (loop.where, loop.reason) == ("lines 5-6", TOP_LEVEL_REASON)
    assert "top-level `if` block" in extracted.broken_functions["update_lr"]


def test_syntax_error_in_a_py_file_costs_only_its_chunk():
    text = (
        "import numpy as np\n"
        "def good(x):\n"
        "    return x\n"
        "def bad(x)\n"
        "    return x\n"
        "def also_good(x):\n"
        "    return x\n"
    )
    extracted = extract_source(text, "solution.py")
    assert list(extracted.functions) == ["good", "also_good"]
    assert extracted.skipped[0].where == "lines 4-5"
    assert extracted.skipped[0].reason.startswith("syntax error at line 4: ")
    assert extracted.broken_functions["bad"].startswith("solution.py: syntax error at line 4")


def test_indented_text_is_dedented():
    extracted = extract_source("    def f():\n        return 1\n", "pasted.py")
    assert extracted.functions["f"].source == "def f():\n    return 1"


def test_crlf_and_bom():
    extracted = extract_source("\ufeffimport numpy as np\r\ndef f():\r\n    return 1\r\n", "w.py")
    assert [unit.source for unit in extracted.units] == [
        "import numpy as np",
        "def f():\n    return 1",
    ]
    assert extracted.functions["f"].first_line == 2


def test_empty_and_comment_only_sources():
    for text in ("", "\n\n", "# just a comment\n"):
        extracted = extract_source(text, "empty.py")
        assert (extracted.units, extracted.skipped, extracted.functions) == ((), (), {})


DEEP_UNARY = "x = " + "-" * 100_000 + "1"
DEEP_SUM = "x = " + "1 + " * 100_000 + "1"
DEEP_PARENS = "x = " + "(" * 300 + ")" * 300


@pytest.mark.parametrize(
    ("deep", "reason"),
    [
        pytest.param(DEEP_UNARY, "too deeply nested for the parser", id="unary-chain"),
        pytest.param(DEEP_SUM, "too deeply nested for the parser", id="long-sum"),
        pytest.param(
            DEEP_PARENS, "syntax error at line 4: too many nested parentheses", id="parens"
        ),
    ],
)
def test_deep_nesting_is_skipped_not_fatal(deep, reason):
    text = "def f():\n    return 1\n\n" + deep + "\n\ndef g():\n    return 2\n"
    extracted = extract_source(text, "deep.py")
    assert list(extracted.functions) == ["f", "g"]
    (skipped,) = extracted.skipped
    assert (skipped.where, skipped.reason) == ("line 4", reason)


def test_deep_but_parsable_constant_does_not_overflow():
    text = "x = " + "[" * 150 + "]" * 150 + "\ny = " + " + ".join(["1"] * 2000)
    assert [names for _, names in kinds_and_names(text)] == [("x",), ("y",)]


@pytest.mark.parametrize(
    ("text", "starts"),
    [
        pytest.param("a = 1\nb = (\n2)\nc = 3", [1, 2, 4], id="simple"),
        pytest.param("@dec\n\n# note\ndef f():\n    pass\nx = 1", [1, 6], id="decorator"),
        pytest.param("try:\n    x\nexcept E:\n    y\nelse:\n    z\nfinally:\n    w", [1], id="try"),
        pytest.param("if a:\n    b\nelif c:\n    d\nelse:\n    e", [1], id="if-elif-else"),
        pytest.param("x = [\n1,\n]\ny = 2", [1, 4], id="closing-bracket"),
        pytest.param("s = '''\nnot code\n'''\nt = 1", [1, 4], id="triple-quoted"),
        pytest.param("x = 1 + \\\n2\ny = 3", [1, 3], id="backslash"),
        pytest.param("x = f(1,\ny = 2\ndef g():\n    pass", [1, 3], id="unclosed-then-def"),
        pytest.param("x = f(1,\nimport os\nfrom a import b", [1, 2, 3], id="unclosed-then-imports"),
        pytest.param("x = ')'  # (\ny = 2", [1, 2], id="brackets-in-strings-and-comments"),
    ],
)
def test_chunk_boundaries(text, starts):
    assert [start + 1 for start, _ in split_chunks(text.split("\n"))] == starts


def test_dedented_return_breaks_the_function_it_belongs_to():
    text = (
        "import numpy as np\n"
        "def update_lr(learning_rate0, epoch_num, decay_rate):\n"
        "    learning_rate = learning_rate0 / (1 + decay_rate * epoch_num)\n"
        "return learning_rate\n"
        "\n"
        "def fine():\n"
        "    return 1\n"
    )
    extracted = extract_source(text, "solution.py")
    assert list(extracted.functions) == ["fine"]
    (skipped,) = extracted.skipped
    assert skipped.where == "lines 2-4"
    assert skipped.reason == (
        "syntax error at line 4: 'return' outside function (is it indented like the body of "
        "update_lr?) (the functions in it cannot be graded: update_lr)"
    )
    assert extracted.broken_functions["update_lr"].startswith(
        "solution.py: syntax error at line 4: 'return' outside function"
    )


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        pytest.param("return 1", "'return' outside function", id="return"),
        pytest.param("break", "'break' outside loop", id="break"),
        pytest.param("continue", "'continue' not properly in loop", id="continue"),
        pytest.param("yield 1", "'yield' outside function", id="yield"),
        pytest.param(
            "nonlocal x", "nonlocal declaration not allowed at module level", id="nonlocal"
        ),
    ],
)
def test_statements_that_only_compile_in_functions(statement, message):
    extracted = extract_source(f"class A:\n    pass\n{statement}\n", "solution.py")
    assert [unit.names for unit in extracted.units] == [("A",)]  # a class is never the owner
    assert [(s.where, s.reason) for s in extracted.skipped] == [
        ("line 3", f"syntax error at line 3: {message}")
    ]


def test_units_have_the_sandbox_fields():
    (unit,) = extract_source("def f():\n    return 1\n", "solution.py").units
    assert {name: getattr(unit, name) for name in ProgramUnit.__dataclass_fields__} == {
        "kind": "definition",
        "source": "def f():\n    return 1",
        "names": ("f",),
        "filename": "solution.py",
        "first_line": 1,
    }
