"""`grade new-assignment NAME [--dir PATH]`: the scaffold of a new assignment folder.

The scaffold must create every file an assignment needs, each one parsing, and the self-check must then fail
with messages that say what to fill in, first the missing answer key, then the missing parts of the folder.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest

from dnn_autograder.grader import cli
from dnn_autograder.grader.assignment.spec import load_assignment
from dnn_autograder.grader.commands import new_assignment, selfcheck, selfcheck_checks
from dnn_autograder.grader.errors import SpecError

NAME = "demo_scaffold"
FILES = ("__init__.py", "spec.toml", "cases.py", "mistakes.py", "properties.py", "master.ipynb")


def scaffold(tmp_path: Path) -> Path:
    assert new_assignment.main([NAME, "--dir", str(tmp_path)]) == 0
    return tmp_path / NAME


def test_creates_every_file_and_each_parses(tmp_path: Path) -> None:
    folder = scaffold(tmp_path)
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILES)
    spec = tomllib.loads((folder / "spec.toml").read_text(encoding="utf-8"))
    assert spec["name"] == NAME and spec["functions"], "the spec template needs one function to start from"
    for name in ("cases.py", "mistakes.py", "properties.py"):
        ast.parse((folder / name).read_text(encoding="utf-8"), filename=name)
    master = nbformat.read(folder / "master.ipynb", as_version=4)
    nbformat.validate(master)
    assert master.metadata["grader"]["assignment"] == NAME
    graded = [c for c in master.cells if c.cell_type == "code" and "# GRADED FUNCTION:" in c.source]
    assert graded and all("### START CODE HERE ###" in c.source for c in graded)


def test_cli_dispatches_the_subcommand(tmp_path: Path) -> None:
    assert cli.main(["new-assignment", NAME, "--dir", str(tmp_path)]) == 0
    assert (tmp_path / NAME / "spec.toml").is_file()


@pytest.mark.parametrize("bad", ["Demo", "2nd", "my-assignment", "import", ""])
def test_refuses_names_that_are_not_package_names(tmp_path: Path, bad: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert new_assignment.main([bad, "--dir", str(tmp_path)]) == 2
    assert "lower-case Python identifier" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_never_overwrites_an_existing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = scaffold(tmp_path)
    (folder / "cases.py").write_text("# mine\n", encoding="utf-8")
    assert new_assignment.main([NAME, "--dir", str(tmp_path)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert (folder / "cases.py").read_text(encoding="utf-8") == "# mine\n"


def test_refuses_a_name_the_bank_already_has(capsys: pytest.CaptureFixture[str]) -> None:
    assert new_assignment.main(["regularization"]) == 2
    assert "already exists" in capsys.readouterr().err


def test_selfcheck_first_asks_for_the_answer_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scaffold(tmp_path)
    with pytest.raises(SpecError, match=f"reference 'dnn_autograder.reference.{NAME}:"):
        load_assignment(NAME, tmp_path)
    assert selfcheck.main(["--assignment", NAME, "--quick"], bank=tmp_path) == 4
    out = capsys.readouterr().out
    assert f"dnn_autograder.reference.{NAME}" in out and "not found" in out


def test_selfcheck_then_lists_what_is_left_to_fill_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = scaffold(tmp_path)
    # an answer key without its Notes section, importable from a scratch module
    keys = tmp_path / "keys"
    keys.mkdir()
    spec_text = (folder / "spec.toml").read_text(encoding="utf-8")
    function = tomllib.loads(spec_text)["functions"][0]["name"]
    (keys / "demo_scaffold_key.py").write_text(f"def {function}(Z):\n    '''no notes'''\n    return Z\n")
    monkeypatch.syspath_prepend(str(keys))
    monkeypatch.delitem(sys.modules, "demo_scaffold_key", raising=False)
    (folder / "spec.toml").write_text(
        spec_text.replace(f"dnn_autograder.reference.{NAME}:", "demo_scaffold_key:"), encoding="utf-8")
    problems = selfcheck_checks.bank_problems(load_assignment(NAME, tmp_path))
    text = "\n".join(problems)
    assert "starter.ipynb is missing" in text
    assert "no Notes section" in text
    assert "no catalogued mistake in mistakes.py" in text
