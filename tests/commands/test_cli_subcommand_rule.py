"""``grade NAME``: a subcommand's name always runs the subcommand; a file of that name is ``./NAME``."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from dnn_autograder.grader import cli


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, object]]:
    seen: list[tuple[str, object]] = []
    monkeypatch.setattr(cli, "_subcommand", lambda name, argv: seen.append(("subcommand", name)) or 0)
    monkeypatch.setattr(cli, "_grade", lambda args: seen.append(("grade", list(args.paths))) or 0)
    return seen


def test_a_file_named_like_a_subcommand_does_not_change_the_meaning(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, calls: list) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "release").write_text("def f():\n    return 1\n", encoding="utf-8")
    assert cli.main(["release", "out"]) == 0
    assert cli.main(["./release"]) == 0
    assert calls == [("subcommand", "release"), ("grade", ["./release"])]


def test_without_such_a_file_the_same_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, calls: list) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main(["selfcheck", "--quick"]) == 0
    assert cli.main(["submission.py"]) == 0
    assert calls == [("subcommand", "selfcheck"), ("grade", ["submission.py"])]


@pytest.mark.parametrize("name", cli.SUBCOMMANDS)
def test_every_subcommand_has_a_module_with_main(name: str) -> None:
    module = importlib.import_module(f"dnn_autograder.grader.commands.{name.replace('-', '_')}")
    assert callable(module.main)
