"""Reading submission files: bad inputs, disguised files, encodings, and folder listings."""

from __future__ import annotations

import codecs
import json

import pytest
from extract_builders import FIXTURES, notebook_json

from dnn_autograder.grader.errors import SubmissionError, UsageError
from dnn_autograder.grader.extract import MAX_FILE_BYTES, extract_file, submission_files

UPDATE_LR = "def update_lr(learning_rate0, epoch_num, decay_rate):\n    return learning_rate0\n"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param(
            "truncated.ipynb", notebook_json(UPDATE_LR)[:-40],
            r"truncated.ipynb is not valid notebook JSON \(line \d+, column \d+: .*\).*save it "
            "again",
            id="truncated-json",
        ),
        pytest.param(
            "merge_conflict.ipynb", "{\n<<<<<<< HEAD\n}", "not valid notebook JSON",
            id="merge-conflict",
        ),
        pytest.param(
            "list.ipynb", "[1, 2]", r'holds JSON but not a Jupyter notebook \(no "cells" list\)',
            id="json-not-notebook",
        ),
        pytest.param(
            "deep.ipynb", '{"a": ' * 100_000 + "1" + "}" * 100_000, "nested too deeply",
            id="deep-json",
        ),
        pytest.param(
            "garbage.ipynb", bytes(range(256)) * 4, "binary data .*NUL bytes", id="binary-garbage"
        ),
        pytest.param(
            "garbage.py", b"\x7fELF\x02\x01\x01\x00\x00\x00", "binary data", id="binary-py"
        ),
        pytest.param(
            "submission.ipynb", b"PK\x03\x04\x14\x00\x00\x00", "zip archive: unzip it", id="zip"
        ),
        pytest.param("report.ipynb", b"%PDF-1.7\n%\xe2\xe3", "a PDF document", id="pdf"),
        pytest.param(
            "cp1252.ipynb", '{"cells": [], "x": "caf\xe9"}'.encode("latin-1"),
            r"not UTF-8 text \(byte 0xe9 at offset 23\)", id="notebook-not-utf8",
        ),
        pytest.param(
            "html_page_saved_as_notebook.ipynb",
            (FIXTURES / "html_page_saved_as_notebook.ipynb").read_bytes(),
            r"web page \(HTML\), not a notebook.*download the notebook", id="html-page",
        ),
        pytest.param(
            "notes.ipynb", "These are my notes, not code at all!\n",
            "neither notebook JSON nor Python", id="prose",
        ),
    ],
)  # fmt: skip
def test_unreadable_files_raise_submission_error(write_file, name, content, message):
    with pytest.raises(SubmissionError, match=message):
        extract_file(write_file(name, content))


def test_huge_file_is_refused_before_reading(write_file):
    path = write_file("huge.ipynb", b"")
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(SubmissionError, match=r"huge.ipynb is 20.0 MB, over the 20 MB limit.*"):
        extract_file(path)


def test_missing_file_is_a_submission_error(tmp_path):
    with pytest.raises(SubmissionError, match="cannot be read"):
        extract_file(tmp_path / "gone.py")


@pytest.mark.parametrize(
    "name", ["empty.ipynb", "empty.py", "blank.py"], ids=["notebook", "python", "whitespace"]
)
def test_empty_file_is_an_empty_extraction(write_file, name):
    extracted = extract_file(write_file(name, "\n  \n" if name == "blank.py" else ""))
    assert (extracted.units, extracted.functions, extracted.skipped) == ((), {}, ())
    assert extracted.hints["note"] == f"{name} is empty"


def test_notebook_that_is_really_python():
    extracted = extract_file(FIXTURES / "python_saved_as_notebook.ipynb")
    assert list(extracted.functions) == ["relu_grad"]
    assert [unit.names for unit in extracted.units][-1] == ("keep_prob",)
    assert extracted.hints["format"] == "python"
    assert "read as a .py file" in extracted.hints["note"]
    assert extracted.units[0].filename == "python_saved_as_notebook.ipynb"


def test_notebook_that_is_python_with_a_syntax_error(write_file):
    path = write_file("renamed.ipynb", "import numpy as np\n" + UPDATE_LR + "def broken(:\n")
    extracted = extract_file(path)
    assert list(extracted.functions) == ["update_lr"]
    assert list(extracted.broken_functions) == ["broken"]


def test_python_file_that_is_really_a_notebook(write_file):
    extracted = extract_file(
        write_file("solution.py", notebook_json("import numpy as np", UPDATE_LR))
    )
    assert extracted.functions["update_lr"].filename == "solution.py, cell 2"
    assert extracted.hints["format"] == "notebook"
    assert "read as a notebook" in extracted.hints["note"]


def test_python_file_starting_with_a_brace_stays_python(write_file):
    extracted = extract_file(write_file("dict.py", "{'a': 1}\nx = 2\n"))
    assert [unit.source for unit in extracted.units] == ["x = 2"]


def test_latin1_python_file_is_read_with_a_note():
    extracted = extract_file(FIXTURES / "latin1_comments.py")
    assert list(extracted.functions) == ["compute_cost"]
    assert "Coût d'entropie croisée" in extracted.functions["compute_cost"].source
    assert extracted.hints["encoding"] == "latin-1"
    assert "not valid UTF-8 (byte 0xe9 at offset" in extracted.hints["note"]


@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        pytest.param(codecs.BOM_UTF8 + "é = 1\n".encode(), None, id="utf-8-bom"),
        pytest.param("é = 1\n".encode("utf-16"), "utf-16", id="utf-16"),
        pytest.param("# coding: cp1252\né = 1 # \u20ac\n".encode("cp1252"), "cp1252", id="cookie"),
    ],
)
def test_python_encodings(write_file, content, encoding):
    extracted = extract_file(write_file("enc.py", content))
    assert extracted.units[0].source == "é = 1" or extracted.units[0].source.startswith("é = 1 #")
    assert extracted.hints.get("encoding") == encoding


def test_notebook_with_utf8_bom(write_file):
    path = write_file("bom.ipynb", codecs.BOM_UTF8 + notebook_json(UPDATE_LR).encode())
    assert list(extract_file(path).functions) == ["update_lr"]


def test_submission_files_of_a_file_is_the_file(write_file):
    path = write_file("notes.txt", "anything")
    assert submission_files(path) == (path,)


def test_submission_files_of_a_folder(tmp_path, write_file):
    for name in [
        "b/optimization.ipynb",
        "a.py",
        "b/helpers.PY",
        "readme.md",
        ".hidden.py",
        "._optimization.ipynb",  # macOS resource fork
        ".ipynb_checkpoints/optimization-checkpoint.ipynb",
        "__pycache__/a.cpython-311.pyc",
        "__MACOSX/b/._optimization.ipynb",
        ".git/hooks/pre-commit.py",
        "venv/lib/site.py",
        "venv/pyvenv.cfg",
    ]:
        write_file(name, "x = 1\n")
    found = submission_files(tmp_path)
    assert [path.relative_to(tmp_path).as_posix() for path in found] == [
        "a.py",
        "b/helpers.PY",
        "b/optimization.ipynb",
    ]


def test_submission_files_lists_oversized_files_for_extract_file_to_report(tmp_path):
    big = tmp_path / "big.ipynb"
    with big.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    assert submission_files(tmp_path) == (big,)


def test_submission_files_of_a_missing_path(tmp_path):
    with pytest.raises(UsageError, match="no such file or folder"):
        submission_files(tmp_path / "nope")


def test_round_trip_of_hints_is_json(write_file):
    extracted = extract_file(write_file("solution.py", UPDATE_LR))
    assert json.loads(json.dumps(extracted.to_dict()))["hints"] == {
        "file_stem": "solution",
        "format": "python",
    }
