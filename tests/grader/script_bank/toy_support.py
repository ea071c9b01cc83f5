"""The toy script assignment as a released bank would hold it: a master notebook (graded cells with
START/END markers) beside a copy of ``toy_scripts/``, in a temporary assignments root.

Used by the tests of mutant submissions, the student kit and ``grade release`` for script units:
``toy_root(tmp)`` writes the root, ``load_toy(root)`` loads its spec (``toy_reference`` importable).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import nbformat

from dnn_autograder.grader.assignment.spec import AssignmentSpec, load_assignment

BANK = Path(__file__).resolve().parent
NAME = "toy_scripts"

IMPORTS = "import numpy as np\n"

#: the master's graded cells: a correct solution, each with its own cache layout where it has one
CELLS = {
    "momentum": '''\
def momentum(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    ### START CODE HERE ###
    velocity = config.get("velocity", np.zeros_like(w))
    velocity = config["momentum"] * velocity - config["learning_rate"] * dw
    config["velocity"] = velocity
    next_w = w + velocity
    ### END CODE HERE ###
    return next_w, config
''',
    "Momentum": '''\
class Momentum:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.v = None

    def update(self, params, grads):
        if self.v is None:
            self.v = {}
            for key, val in params.items():
                self.v[key] = np.zeros_like(val)
        for key in params.keys():
            ### START CODE HERE ###
            self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]
            params[key] += self.v[key]
            ### END CODE HERE ###
''',
    "scale_forward": '''\
def scale_forward(x, gamma):
    ### START CODE HERE ###
    out = gamma * x * x
    cache = (gamma, x)
    ### END CODE HERE ###
    return out, cache
''',
    "scale_backward": '''\
def scale_backward(dout, cache):
    gamma, x = cache
    ### START CODE HERE ###
    dx = 2 * gamma * x * dout
    dgamma = (x * x * dout).sum(axis=0)
    ### END CODE HERE ###
    return dx, dgamma
''',
}


def solution_source() -> str:
    """The master's code as one student file (the solution)."""
    return IMPORTS + "\n\n" + "\n\n".join(CELLS.values())


def master_notebook() -> nbformat.NotebookNode:
    cells = [nbformat.v4.new_markdown_cell("# Toy script units"), nbformat.v4.new_code_cell(IMPORTS.strip())]
    cells += [nbformat.v4.new_code_cell(f"# GRADED FUNCTION: {name}\n\n{source}") for name, source in CELLS.items()]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["grader"] = {"assignment": NAME}
    return notebook


def toy_root(tmp: Path) -> Path:
    """``<tmp>/bank/toy_scripts/`` (the toy folder and a master notebook); returns ``<tmp>/bank``."""
    root = tmp / "bank"
    folder = root / NAME
    shutil.copytree(BANK / NAME, folder, ignore=shutil.ignore_patterns("__pycache__"))
    nbformat.write(master_notebook(), folder / "master.ipynb")
    return root


def load_toy(root: Path) -> AssignmentSpec:
    """The toy spec from ``root`` (``toy_reference`` made importable for the rest of the session)."""
    if str(BANK) not in sys.path:
        sys.path.insert(0, str(BANK))
    return load_assignment(NAME, root)
