"""Every released notebook, executed by a real Jupyter kernel in a clean virtual environment.

The environment is a ``python -m venv`` *without* the system site packages, holding only what
the handout's ``requirements.txt`` names plus ``ipykernel`` (to be a kernel at all), installed
with ``pip install --no-index`` from a local wheelhouse: ``$DNN_AUTOGRADER_WHEELHOUSE``, else
``~/.cache/dnn-autograder/wheelhouse`` (filled once with ``pip download`` when it is empty and
the network allows; the test is skipped, saying why, when neither works). The grader is not
importable there (checked). nbclient drives the kernel from the test process.

Per assignment: with the master's code pasted in, every check passes; untouched, every check
says "not implemented" and no check cell raises; with a catalogued mistake (the first mutant
the kit names in-process, see test_selfcheck_kit.py), the check names that mistake.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from handout_support import check_outputs, handout_kit, run_in_namespace, with_master_code, with_mutant

from dnn_autograder.grader.assignment.spec import available_assignments, load_assignment
from dnn_autograder.grader.handouts.mutant_submissions import MutantSourceError, mistakes_of, mutant_source

nbclient = pytest.importorskip("nbclient", reason="nbclient is in the test extra: pip install -e '.[test]'")

BANK = available_assignments()
KERNEL = "dnn-handout-venv"
WHEELHOUSE = Path(os.environ.get("DNN_AUTOGRADER_WHEELHOUSE",
                                 Path.home() / ".cache" / "dnn-autograder" / "wheelhouse"))
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def _run(*command: str | Path, timeout: float = 600, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=timeout, check=False,
                          cwd=cwd)


@pytest.fixture(scope="session")
def venv_kernel(tmp_path_factory: pytest.TempPathFactory, handouts) -> Iterator[str]:
    """A kernel named :data:`KERNEL` running in a fresh venv with only the handout's requirements."""
    requirements = next(iter(handouts.values())).folder / "requirements.txt"
    wanted = [*requirements.read_text().split(), "ipykernel"]
    if not any(WHEELHOUSE.glob("*.whl")):
        WHEELHOUSE.mkdir(parents=True, exist_ok=True)
        got = _run(sys.executable, "-m", "pip", "download", "--only-binary=:all:", "-d", WHEELHOUSE, *wanted)
        if got.returncode:
            pytest.skip(f"no wheelhouse at {WHEELHOUSE} and pip download failed: {got.stderr[-300:]}")
    env_dir = tmp_path_factory.mktemp("venv") / "env"
    made = _run(sys.executable, "-m", "venv", env_dir)
    assert made.returncode == 0, made.stderr
    python = env_dir / "bin" / "python"
    installed = _run(python, "-m", "pip", "install", "--no-index", "--find-links", WHEELHOUSE, *wanted)
    if installed.returncode:
        pytest.skip(f"cannot install {wanted} offline from {WHEELHOUSE}: {installed.stderr[-300:]}")
    for module in ("dnn_autograder", "hypothesis", "jinja2"):  # run where the kernels run: a handout folder
        probe = _run(python, "-c", f"import {module}", cwd=requirements.parent)
        assert probe.returncode != 0, f"{module} is importable in the clean venv"
    registered = _run(python, "-m", "ipykernel", "install", "--prefix", env_dir, "--name", KERNEL)
    assert registered.returncode == 0, registered.stderr
    saved = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(env_dir / "share" / "jupyter")
    try:
        yield KERNEL
    finally:
        if saved is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = saved


def _execute(notebook: nbformat.NotebookNode, folder: Path, kernel: str) -> nbformat.NotebookNode:
    client = nbclient.NotebookClient(notebook, kernel_name=kernel, timeout=120, allow_errors=True,
                                     resources={"metadata": {"path": str(folder)}})
    client.execute()
    return notebook


def _errors(notebook: nbformat.NotebookNode) -> list[tuple[str, str]]:
    """``(cell source start, error)`` for every cell that raised."""
    return [(cell.source[:60], f"{o.get('ename')}: {o.get('evalue')}")
            for cell in notebook.cells if cell.cell_type == "code"
            for o in cell.get("outputs", []) if o.get("output_type") == "error"]


def _named_mutant(name: str, folder: Path) -> tuple[str, str, str]:
    """``(function, mistake id, submission source)`` of the first catalogued mutant the kit
    names in-process."""
    spec = load_assignment(name)
    with handout_kit(folder) as kit:
        for mistake in mistakes_of(spec):
            try:
                source = mutant_source(spec, mistake)
            except MutantSourceError:
                continue
            if mistake.id in kit.run_check(mistake.function, run_in_namespace(source)).mistakes:
                return mistake.function, mistake.id, source
    pytest.fail(f"{name}: no catalogued mistake is named by the self-check")


@pytest.mark.parametrize("name", BANK)
def test_released_notebook_runs_in_a_clean_kernel(handouts, venv_kernel: str, name: str) -> None:
    spec = load_assignment(name)
    handout = handouts[name]
    notebook = nbformat.read(handout.notebook, as_version=4)

    solved = _execute(with_master_code(notebook, spec), handout.folder, venv_kernel)
    assert not _errors(solved), _errors(solved)
    checks = check_outputs(solved)
    for function in spec.function_names:
        text = "".join(checks[function])
        assert "public checks passed" in text and "hidden" in text, f"{function}: {text}"
    assert f"{len(spec.function_names)} of {len(spec.function_names)} functions pass" in "".join(checks["all"])

    untouched = _execute(notebook, handout.folder, venv_kernel)
    check_cells = {cell.source for cell in untouched.cells if cell.metadata.get("grader", {}).get("self_check")}
    raised = _errors(untouched)
    assert all(error.startswith("NotImplementedError") for _, error in raised), raised  # the demo cells only
    assert not [source for source, _ in raised if any(source.startswith(c[:60]) for c in check_cells)]
    checks = check_outputs(untouched)
    for function in spec.function_names:
        assert "not implemented yet" in "".join(checks[function]), checks[function]

    function, mistake_id, source = _named_mutant(name, handout.folder)
    wrong = _execute(with_mutant(notebook, spec, function, source), handout.folder, venv_kernel)
    text = "".join(check_outputs(wrong)[function])
    title = next(m.title for m in mistakes_of(spec) if m.id == mistake_id)
    assert "wrong on" in text and f"Known mistake: {title}" in text, text
