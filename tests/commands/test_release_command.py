"""`grade release OUT_DIR`: starters for every assignment, and no solution in them."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from dnn_autograder.grader.assignment.spec import ASSIGNMENTS_DIR, available_assignments
from dnn_autograder.grader.commands import release as command

START, END = "### START CODE HERE ###", "### END CODE HERE ###"


def solution_lines(master: nbformat.NotebookNode) -> dict[str, str]:
    """Lines between the markers of the master's code cells (our own reading, independent of
    dnn_autograder.grader.handouts.release): substantial ones only, ``{code without comments and spaces: line}``."""
    found = {}
    for cell in master.cells:
        inside = False
        for line in cell.source.splitlines() if cell.cell_type == "code" else ():
            text = line.strip()
            if text.startswith(START) or text.startswith(END):
                inside = text.startswith(START)
                continue
            code = "".join(text.split("#", 1)[0].split())
            if inside and len(code) >= 12 and not code.startswith("return"):
                found[code] = text
    return found


@pytest.mark.parametrize("layout", ["handout", "starters-only"])
def test_release_writes_starters_without_solutions(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   layout: str) -> None:
    """``grade release OUT`` writes OUT/<assignment>/<assignment>.ipynb (the handout folders);
    ``--starters-only`` writes OUT/<assignment>.ipynb alone."""
    flags = ["--starters-only"] if layout == "starters-only" else []
    assert command.main([str(tmp_path / "out"), *flags]) == 0
    pattern = "*.ipynb" if flags else "*/*.ipynb"
    written = sorted(p.stem for p in (tmp_path / "out").glob(pattern))
    assert written == list(available_assignments())
    for name in written:
        master = nbformat.read(ASSIGNMENTS_DIR / name / "master.ipynb", as_version=4)
        where = f"{name}.ipynb" if flags else f"{name}/{name}.ipynb"
        starter = nbformat.read(tmp_path / "out" / where, as_version=4)
        compact = {"".join(line.split("#", 1)[0].split())
                   for c in starter.cells for line in c.source.splitlines()}
        leaked = set(solution_lines(master)) & compact
        assert not leaked, f"{name}: {sorted(leaked)[:3]}"
        assert "raise NotImplementedError()" in "".join(c.source for c in starter.cells)
        assert all(not c.get("outputs") for c in starter.cells if c.cell_type == "code")
    assert capsys.readouterr().out.count(".ipynb") == len(written)


def test_a_leaking_master_writes_nothing(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    bank = tmp_path / "bank"
    shutil.copytree(ASSIGNMENTS_DIR / "regularization", bank / "regularization")
    path = bank / "regularization" / "master.ipynb"
    master = nbformat.read(path, as_version=4)
    leak = sorted(solution_lines(master).values())[0]
    master.cells.append(nbformat.v4.new_markdown_cell(f"A hint:\n\n    {leak}\n"))
    nbformat.write(master, path)
    out = tmp_path / "out"
    assert command.main([str(out), "--source", str(bank)]) == 4
    assert "leak" in capsys.readouterr().err
    assert not list(out.glob("*.ipynb")) and not list(out.glob("*/*"))


def test_unbalanced_markers_are_refused(tmp_path: Path) -> None:
    bank = tmp_path / "bank"
    shutil.copytree(ASSIGNMENTS_DIR / "initialization", bank / "initialization")
    path = bank / "initialization" / "master.ipynb"
    master = nbformat.read(path, as_version=4)
    master.cells.append(nbformat.v4.new_code_cell(f"{START}\nx = 1\n"))
    nbformat.write(master, path)
    assert command.main([str(tmp_path / "out"), "--source", str(bank)]) == 4
