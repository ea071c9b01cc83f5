"""No flag that reports success and writes nothing: every path ``grade`` prints exists after
it returns, and a flag that cannot do what it says for the paths given is a usage error
(exit 2) that names what to do instead, raised before any grading starts.

Grading itself is replaced by fakes (a canned result for single submissions, the batch tests'
fake engine for classes): what is under test is the command line's handling of outputs."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

from dnn_autograder.grader import cli
from dnn_autograder.grader.assignment import casebank
from dnn_autograder.grader.classes import batch
from dnn_autograder.grader.grading import pipeline
from dnn_autograder.grader.model import AssignmentResult, FunctionResult, SubmissionResult

BATCH_TESTS = Path(__file__).resolve().parents[1] / "batch"
GOOD = "def forward(x):\n    return x\n\n\ndef backward(x):\n    return x\n\n\ndef update(x):\n    return x\n"


class _NoSandbox:
    def __init__(self, *args: object) -> None:
        pass

    def __enter__(self) -> _NoSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Replace grading by fakes; return the list of paths graded (submissions and classes)."""
    graded: list[str] = []

    def grade_submission(path, *, assignment=None, sandbox=None, student=None) -> SubmissionResult:
        graded.append(str(path))
        function = FunctionResult("forward", 1.0, 2.0, "failed", message="wrong on 1 of 3 cases")
        assignments = (AssignmentResult("fake", "Fake", 1.0, 2.0, (function,), source=str(path)),)
        return SubmissionResult(str(path), 1.0, 2.0, assignments, student=student, grader_version="0",
                                graded_at="2024-01-01T00:00:00+00:00", duration_s=0.1)

    monkeypatch.setattr(casebank, "check_banks_at_startup", lambda *args, **kwargs: None)  # no real grading
    monkeypatch.setattr(pipeline, "grade_submission", grade_submission)
    monkeypatch.setattr(pipeline, "Sandbox", _NoSandbox)
    monkeypatch.syspath_prepend(str(BATCH_TESTS))
    real_batch = functools.partial(batch.grade_batch, engine="batch_fake_engine:FakeEngine")

    def grade_batch(class_dir, out_dir, **options):
        graded.append(str(class_dir))
        return real_batch(class_dir, out_dir, **options)

    monkeypatch.setattr(batch, "grade_batch", grade_batch)
    return graded


@pytest.fixture
def paths(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "class" / "alice").mkdir(parents=True)
    (tmp_path / "class" / "bob").mkdir()
    (tmp_path / "class" / "alice" / "work.py").write_text(GOOD, encoding="utf-8")
    (tmp_path / "class" / "bob" / "work.py").write_text(GOOD, encoding="utf-8")
    (tmp_path / "a.py").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.py").write_text(GOOD, encoding="utf-8")
    return {"root": tmp_path, "class": tmp_path / "class", "a": tmp_path / "a.py", "b": tmp_path / "b.py"}


def _argv(template: list[str], paths: dict[str, Path]) -> list[str]:
    root = paths["root"]
    return [str(paths[word[1:]]) if word.startswith("@") else
            str(root / word[1:]) if word.startswith("+") else word for word in template]


def _printed_paths(text: str, root: Path) -> list[Path]:
    return [Path(match.rstrip(".,;:)")) for match in re.findall(re.escape(str(root)) + r"[^\s'\"]*", text)]


# "@x": an input path of the fixture; "+name": an output path under the test's folder
WORKS = [
    pytest.param(["@a", "--json", "+r.json", "--html", "+r.html", "--gradescope", "+gs.json"],
                 ["r.json", "r.html", "gs.json"], id="one-file-all-flags"),
    pytest.param(["@a", "@b", "--json", "+r.json"], ["r.json"], id="two-files-json"),
    pytest.param(["@class", "--out", "+out"], ["out/grades.csv", "out/gradebook.sqlite",
                                              "out/alice/result.json"], id="class-out"),
    pytest.param(["@class", "--out", "+out", "--gradebook", "+book.sqlite", "--json", "+c.json"],
                 ["out/junit.xml", "book.sqlite", "c.json"], id="class-out-gradebook-json"),
]

REFUSED = [
    pytest.param(["@a", "@b", "--html", "+r.html"], "--out", id="two-files-one-html"),
    pytest.param(["@class", "--gradescope", "+gs.json"], "--out", id="class-gradescope"),
    pytest.param(["@class", "--out", "+out", "--gradescope", "+gs.json"], "--out", id="class-out-gradescope"),
    pytest.param(["@class", "--html", "+r.html", "--out", "+out"], "--out", id="class-html"),
    pytest.param(["@class"], "--out", id="class-without-out"),
    pytest.param(["@class", "--json", "+c.json"], "--out", id="class-json-without-out"),
]


@pytest.mark.parametrize(("template", "written"), WORKS)
def test_every_printed_path_exists(template, written, fakes, paths, capsys) -> None:
    code = cli.main(_argv(template, paths))
    out, err = capsys.readouterr()
    assert code == 0, err
    for name in written:
        assert (paths["root"] / name).exists(), name
    for path in _printed_paths(out + err, paths["root"]):
        assert path.exists(), f"printed but not there: {path}\n{out}{err}"


@pytest.mark.parametrize(("template", "hint"), REFUSED)
def test_a_flag_that_cannot_work_is_a_usage_error(template, hint, fakes, paths, capsys) -> None:
    before = sorted(p.relative_to(paths["root"]) for p in paths["root"].rglob("*"))
    code = cli.main(_argv(template, paths))
    out, err = capsys.readouterr()
    assert code == 2, out + err
    assert hint in err, err
    assert fakes == []  # refused before any grading
    after = sorted(p.relative_to(paths["root"]) for p in paths["root"].rglob("*"))
    assert after == before  # nothing written
