"""IPython-only syntax is blanked out line by line, and only where a statement starts."""

from __future__ import annotations

import pytest

from dnn_autograder.grader.extract.ipython import clean_cell, ipython_kind


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        pytest.param("%matplotlib inline", "magic", id="line-magic"),
        pytest.param("    %timeit f()", "magic", id="indented-magic"),
        pytest.param("%%time", "magic", id="cell-magic-not-first"),
        pytest.param("!pip install numpy", "shell command", id="shell"),
        pytest.param("np.random?", "help request", id="help-suffix"),
        pytest.param("??update_lr", "help request", id="help-prefix"),
        pytest.param("np.*load*?", "help request", id="help-wildcard"),
        pytest.param("files = !ls", "shell command", id="assigned-shell"),
        pytest.param("t = %timeit -o f()", "magic", id="assigned-magic"),
        pytest.param("a, b = %sx ls", "magic", id="assigned-tuple"),
        pytest.param("x = 5 % 3", None, id="modulo"),
        pytest.param("x != y", None, id="not-equal"),
        pytest.param("print('why?')", None, id="question-in-string"),
        pytest.param("# what is this?", None, id="question-in-comment"),
        pytest.param("d = {}", None, id="python"),
    ],
)
def test_ipython_kind(line, kind):
    assert ipython_kind(line) == kind


@pytest.mark.parametrize(
    ("text", "cleaned", "lines"),
    [
        pytest.param("%matplotlib inline\nx = 1", "\nx = 1", [1], id="top-level-blanked"),
        pytest.param(
            "if True:\n    %time f()\n    !ls\n", "if True:\n    pass\n    pass\n", [2, 3],
            id="indented-becomes-pass",
        ),
        pytest.param(
            's = """\n%not a magic\n!not a shell\n"""\n!ls',
            's = """\n%not a magic\n!not a shell\n"""\n', [5], id="inside-triple-quoted-string",
        ),
        pytest.param(
            "x = (10\n% 3)\n%env A=1", "x = (10\n% 3)\n", [3], id="operator-inside-brackets",
        ),
        pytest.param("x = 1 + \\\n!2\n!ls", "x = 1 + \\\n!2\n", [3], id="after-backslash"),
        pytest.param("x = 'it''s' # (\n%who", "x = 'it''s' # (\n", [2], id="quotes-and-comment"),
        pytest.param("\n\n%%time\nf()", "\n\n\nf()", [3], id="cell-magic-keeps-body"),
    ],
)  # fmt: skip
def test_clean_cell(text, cleaned, lines):
    result = clean_cell(text)
    assert result.text == cleaned
    assert [dropped.line for dropped in result.dropped] == lines
    assert result.skip_cell is None


def test_cell_magic_that_is_not_python_skips_the_cell():
    result = clean_cell("%%bash\necho hi\n")
    assert result.text == ""
    assert result.skip_cell is not None
    assert result.skip_cell.reason.startswith("cell magic: %%bash")


def test_double_percent_in_a_py_file_is_a_line_magic():
    result = clean_cell("%%bash\nx = 1", cell_magics=False)
    assert (result.text, result.skip_cell) == ("\nx = 1", None)


def test_long_lines_are_shortened_in_reasons():
    result = clean_cell("!pip install " + "x" * 200)
    assert len(result.dropped[0].reason) < 80
    assert result.dropped[0].reason.endswith("…")
