"""``catalogue.toml``: the catalogue's words, readable without importing mutants or the reference."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dnn_autograder.grader.assignment.catalogue_data import Entry, fix_of, generated, parse, read_catalogue, to_toml
from dnn_autograder.grader.assignment.spec import ASSIGNMENTS_DIR, available_assignments


@pytest.mark.parametrize("assignment", available_assignments())
def test_catalogue_toml_is_up_to_date_with_mistakes_py(assignment: str) -> None:
    path = ASSIGNMENTS_DIR / assignment / "catalogue.toml"
    assert path.exists(), f"run: python -m dnn_autograder.grader.assignment.catalogue_data ({path} missing)"
    assert path.read_text(encoding="utf-8") == generated(assignment), (
        f"{path} is stale: run python -m dnn_autograder.grader.assignment.catalogue_data")


@pytest.mark.parametrize("assignment", available_assignments())
def test_every_catalogued_mistake_has_words(assignment: str) -> None:
    entries = read_catalogue(assignment)
    for entry in entries.values():
        assert entry.title and entry.explanation and entry.fix, entry.id
        assert entry.fix in entry.explanation and len(entry.fix) < len(entry.explanation) or \
            entry.fix == entry.explanation.strip()


def test_toml_round_trips_awkward_text() -> None:
    tricky = Entry("x-1", "f", 'Quotes " and \\ backslash', "Line one.\nUse `np.sqrt(2 / n)`. \u00e9\t\u2713",
                   "Use `np.sqrt(2 / n)`. \u00e9\t\u2713")
    assert parse(to_toml([tricky])) == {"x-1": tricky}


def test_fix_is_the_last_sentence_with_a_formula() -> None:
    assert fix_of("Your step went up. The gradient points uphill. Use W = W - lr * dW.") == "Use W = W - lr * dW."
    one = "Divide by np.sqrt(s) + eps, not np.sqrt(s + eps)."
    assert fix_of(one) == one
    assert fix_of("Biases are not zero. Set b = 0 instead. Drawing them costs random numbers.") == "Set b = 0 instead."


def test_reading_the_catalogue_imports_no_mistakes_or_reference() -> None:
    code = (
        "import sys\n"
        "from dnn_autograder.grader.assignment.catalogue_data import read_catalogue\n"
        "from dnn_autograder.grader.assignment.spec import available_assignments\n"
        "assert any(read_catalogue(a) for a in available_assignments())\n"
        "bad = [m for m in sys.modules if m.endswith('.mistakes') or m.startswith('dnn_autograder.reference')"
        " or m == 'numpy']\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_check_mode_reports_a_stale_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    from dnn_autograder.grader.assignment import catalogue_data

    name = available_assignments()[0]
    fake_root = tmp_path / "assignments"
    (fake_root / name).mkdir(parents=True)
    (fake_root / name / "catalogue.toml").write_text("# old\n", encoding="utf-8")
    monkeypatch.setattr(catalogue_data, "ASSIGNMENTS_DIR", fake_root)
    monkeypatch.setattr(catalogue_data, "available_assignments", lambda: (name,))
    monkeypatch.setattr(catalogue_data, "generated", lambda assignment: "# new\n")
    assert catalogue_data.main(["--check"]) == 1
    assert "stale" in capsys.readouterr().out
    assert (fake_root / name / "catalogue.toml").read_text(encoding="utf-8") == "# old\n"
    assert catalogue_data.main([]) == 0
    assert (fake_root / name / "catalogue.toml").read_text(encoding="utf-8") == "# new\n"


def test_rendering_a_report_imports_no_mistakes_or_reference() -> None:
    code = (
        "import sys\n"
        "sys.path.insert(0, 'tests/fixtures/results')\n"
        "import result_fixtures as rf\n"
        "from dnn_autograder.grader.outputs.render import render_report\n"
        "page = render_report(rf.submission(), draw=False)\n"
        "assert 'Adam without bias correction' in page\n"
        "bad = [m for m in sys.modules if m.endswith('.mistakes') or m.startswith('dnn_autograder.reference')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
