"""The documentation a user reads comes with the repository and matches the code: no reference to
a file outside the repository, no path that does not exist, and the contracts in docs/ list every
option, exit status, results-JSON key, CSV column and mistake id the code has."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dnn_autograder.grader import cli
from dnn_autograder.grader.assignment.spec import load_all
from dnn_autograder.grader.errors import ExitCode
from dnn_autograder.grader.handouts.mutant_submissions import mistakes_of
from dnn_autograder.grader.model import (
    AssignmentResult,
    Counterexample,
    FunctionResult,
    IgnoredFile,
    Mismatch,
    SubmissionResult,
)
from dnn_autograder.grader.outputs.results_json import submission_dict

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
USER_DOCS = [REPO / "README.md", *sorted(DOCS.glob("*.md")), *sorted((REPO / "examples").glob("*/README.md"))]
#: Top-level names of the repository that a path in the docs may start with.
TOP = ("dnn_autograder", "tests", "docs", "examples", "benchmarks", ".ci", "pyproject.toml", "README.md")
_CODE_PATH = re.compile(r"`([^`\s]*/[^`\s]*)`")
_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def _ids(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


@pytest.mark.parametrize("doc", USER_DOCS, ids=_ids)
def test_no_reference_outside_the_repository(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    outside = sorted(set(re.findall(r"(?<![\w.])\.\./[\w./-]+", text)))
    assert not outside, f"{_ids(doc)} points outside the repository: {outside}"
    assert "shared/DESIGN.md" not in text, "DESIGN.md is not in the repository: point to docs/"


def _existing_prefix(path: str) -> Path:
    """The part of a documented path before any placeholder (``<name>``, ``*``, ``NAME``)."""
    kept = []
    for part in path.strip("/").split("/"):
        if any(c in part for c in "<>*{}") or part.isupper():
            break
        kept.append(part)
    return REPO.joinpath(*kept)


@pytest.mark.parametrize("doc", USER_DOCS, ids=_ids)
def test_every_repository_path_in_the_docs_exists(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    missing = []
    for raw in _CODE_PATH.findall(text):
        path = raw.rstrip(".,:;)")
        if path.split("/", 1)[0] in TOP and not _existing_prefix(path).exists():
            missing.append(path)
    for link in _LINK.findall(text):
        if "://" not in link and not (doc.parent / link).exists():
            missing.append(link)
    assert not missing, f"{_ids(doc)} names paths that do not exist: {missing}"


def test_the_readme_points_to_the_contracts_in_docs() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in ("cli.md", "results-json.md", "class-outputs.md", "catalogue.md"):
        assert f"docs/{name}" in readme and (DOCS / name).is_file(), name


def test_cli_doc_lists_every_option_and_exit_status() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    options = [o for action in cli.build_parser()._actions for o in action.option_strings if o.startswith("--")]
    assert options and not [o for o in options if f"`{o}" not in text and o != "--help"]
    for code in ExitCode:
        assert f"| `{int(code)}` |" in text, f"exit status {int(code)} ({code.name}) is not documented"
    for subcommand in cli.SUBCOMMANDS:
        assert f"`grade {subcommand}" in text, subcommand


def _keys(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_results_json_doc_lists_every_key_the_grader_writes() -> None:
    example = Counterexample(inputs={"t": 1}, expected={"a": 1.0}, got={"a": 2.0},
                             mismatches=(Mismatch("a", "value", "differs", (("0", "2", "1"),)),), label="edge")
    function = FunctionResult("f", 0.0, 1.0, "failed", diagnoses=("x",), message="m", counterexample=example,
                              cases_run=3, cases_passed=2, output="o", traceback=("t",), checks=("exact",))
    assignment = AssignmentResult("a", "A", 0.0, 1.0, (function,), source="s.py", notes=("n",),
                                  ignored=(IgnoredFile("b.py", "why"),))
    result = SubmissionResult("s.py", 0.0, 1.0, (assignment,), student="alice", notes=("n",), protections=("p",),
                              ignored=(IgnoredFile("c.py", "why"),))
    keys = _keys(submission_dict(result)) - {"t", "a"}  # the example's own argument and output names
    text = (DOCS / "results-json.md").read_text(encoding="utf-8")
    assert not sorted(k for k in keys if f"`{k}`" not in text)


def test_class_outputs_doc_lists_every_file_and_csv_column() -> None:
    from dnn_autograder.grader.outputs.exports import class_outputs, csv_export

    text = (DOCS / "class-outputs.md").read_text(encoding="utf-8")
    assert "`" + ",".join(csv_export.LONG_HEADER) + "`" in text
    for column in csv_export.LONG_HEADER:
        assert f"`{column}`" in text
    for name in class_outputs.CLASS_FILES:
        if not name.endswith(("-wal", "-shm")):
            assert f"`DIR/{name}`" in text, name


def test_catalogue_doc_holds_exactly_the_catalogued_ids() -> None:
    text = (DOCS / "catalogue.md").read_text(encoding="utf-8")
    listed, retired = text.split("## Retired ids", 1)
    documented = set(re.findall(r"^\| `([a-z0-9-]+)` \|", listed, flags=re.MULTILINE))
    catalogued = {m.id for spec in load_all() for m in mistakes_of(spec)}
    assert sorted(catalogued - documented) == [], "catalogued ids missing from docs/catalogue.md"
    assert sorted(documented - catalogued) == [], "ids in docs/catalogue.md that the catalogue lacks (retire them)"
