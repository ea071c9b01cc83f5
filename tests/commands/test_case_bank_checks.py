"""A missing or stale case bank is found, fails ``grade selfcheck`` and stops ``grade`` where a
warning would go unread (CI, results written to files), unless ``--draw-cases`` asks for it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dnn_autograder.grader import cli
from dnn_autograder.grader.assignment import casebank
from dnn_autograder.grader.assignment.spec import ASSIGNMENTS_DIR, load_assignment
from dnn_autograder.grader.commands import selfcheck
from dnn_autograder.grader.errors import CaseBankError

NAME = "initialization"
FAKE = "selfcheck_fake_engine:Engine"
SUBMISSION = Path(__file__).resolve().parents[2] / "examples" / "submission" / "Initialization.ipynb"


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    """A private copy of one assignment folder (the real one is shared by every test)."""
    root = tmp_path / "bank"
    shutil.copytree(ASSIGNMENTS_DIR / NAME, root / NAME, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def test_the_installed_banks_are_current() -> None:
    assert casebank.unusable_banks(load_assignment(name) for name in ("initialization", "optimization")) == ()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_states_of_a_bank(bank: Path) -> None:
    spec = load_assignment(NAME, bank)
    assert casebank.bank_status(spec).state == "current"
    (bank / NAME / "cases.py").write_text((bank / NAME / "cases.py").read_text() + "\n# changed\n")
    assert casebank.bank_status(spec).state == "stale"
    (bank / NAME / "cases.bank").write_bytes(b"\x00\x01")
    assert casebank.bank_status(spec).state == "unreadable"
    (bank / NAME / "cases.bank").unlink()
    status = casebank.bank_status(spec)
    assert (status.state, status.ok) == ("missing", False)
    assert "missing" in status.describe() and "python -m dnn_autograder.grader.assignment.casebank initialization" \
        in status.describe()


@pytest.mark.parametrize("environ", [{"CI": "true"}, {"GITHUB_ACTIONS": "true"}, {"CI": "1"}])
def test_startup_in_ci_refuses_a_missing_bank(bank: Path, environ: dict[str, str]) -> None:
    (bank / NAME / "cases.bank").unlink()
    with pytest.raises(CaseBankError, match=r"initialization: case bank .* is missing[\s\S]*--draw-cases"):
        casebank.check_banks_at_startup(None, draw_cases=False, writes_results=False, environ=environ, root=bank)


def test_only_what_draws_the_cases_makes_a_bank_stale(tmp_path: Path) -> None:
    for number, (old, new, state) in enumerate([
        ("points = 2", "points = 3", "current"),           # scoring: the same cases
        ("rtol = 1e-7", "rtol = 1e-6", "current"),
        ('title = "Initialization"', 'title = "Init"', "current"),
        ("cases = 25", "cases = 24", "stale"),             # how many are drawn
        ("case_seed = 1", "case_seed = 2", "stale"),       # which are drawn
    ]):
        root = tmp_path / str(number)
        shutil.copytree(ASSIGNMENTS_DIR / NAME, root / NAME, ignore=shutil.ignore_patterns("__pycache__"))
        _edit(root / NAME / "spec.toml", old, new)
        assert casebank.bank_status(load_assignment(NAME, root)).state == state, (old, new)


def test_restamping_keeps_the_cases_and_makes_the_bank_current(bank: Path) -> None:
    before = (bank / NAME / "cases.bank").read_bytes()
    (bank / NAME / "cases.py").write_text((bank / NAME / "cases.py").read_text() + "\n# a comment\n")
    spec = load_assignment(NAME, bank)
    assert casebank.bank_status(spec).state == "stale"
    casebank.restamp_bank(spec)
    assert casebank.bank_status(spec).state == "current"
    after = (bank / NAME / "cases.bank").read_bytes()
    old_header, new_header = casebank._read_header(before), casebank._read_header(after)
    assert old_header["source"] != new_header["source"]
    assert old_header["functions"] == new_header["functions"]  # the same cases


def test_startup_refuses_when_results_are_written_even_outside_ci(bank: Path) -> None:
    _edit(bank / NAME / "spec.toml", "cases = 25", "cases = 20")
    with pytest.raises(CaseBankError, match="stale"):
        casebank.check_banks_at_startup(NAME, draw_cases=False, writes_results=True, environ={}, root=bank)


@pytest.mark.parametrize("environ", [{}, {"CI": "false"}, {"CI": ""}])
def test_a_terminal_run_outside_ci_only_warns(bank: Path, environ: dict[str, str]) -> None:
    (bank / NAME / "cases.bank").unlink()
    casebank.check_banks_at_startup(None, draw_cases=False, writes_results=False, environ=environ, root=bank)


def test_draw_cases_allows_it_everywhere(bank: Path) -> None:
    (bank / NAME / "cases.bank").unlink()
    casebank.check_banks_at_startup(None, draw_cases=True, writes_results=True, environ={"CI": "true"}, root=bank)


def test_selfcheck_fails_on_a_missing_bank(bank: Path) -> None:
    (bank / NAME / "cases.bank").unlink()
    report = selfcheck.run_selfcheck([NAME], quick=True, bank=bank, engine=FAKE)
    assert any("case bank" in p and "missing" in p for p in report.problems), report.problems


def test_selfcheck_fails_on_a_stale_bank(bank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (bank / NAME / "cases.py").write_text((bank / NAME / "cases.py").read_text() + "\n# changed\n")
    assert selfcheck.main(["--assignment", NAME, "--quick"], engine=FAKE, bank=bank) == 4
    assert "stale" in capsys.readouterr().out


def _all_banks_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(casebank, "_digest", lambda spec, folder: "not-the-bank's-digest")


def test_grade_in_ci_exits_1_with_a_clear_error_and_writes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _all_banks_stale(monkeypatch)
    monkeypatch.setenv("CI", "true")
    out = tmp_path / "result.json"
    assert cli.main([str(SUBMISSION), "--assignment", NAME, "--json", str(out)]) == 1
    err = capsys.readouterr().err
    assert "grade: error:" in err and "stale" in err and "--draw-cases" in err and "internal" not in err
    assert not out.exists()


def test_grade_with_draw_cases_grades_on_drawn_cases(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _all_banks_stale(monkeypatch)
    monkeypatch.setenv("CI", "true")
    out = tmp_path / "result.json"
    assert cli.main([str(SUBMISSION), "--assignment", NAME, "--json", str(out), "--draw-cases", "--quiet"]) == 0
    assert out.is_file()
