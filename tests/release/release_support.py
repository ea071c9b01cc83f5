"""Shared helpers of the release tests: the assignment bank's notebooks, and a way to run a
master notebook's code cells with the course's helper modules importable.

The helper modules are the real stand-ins from ``course_helpers`` when they import; small
numpy-only fakes (enough for the masters) are used otherwise. The course's test modules
(``testCases``, ``public_tests``) are empty shells, as in the grading sandbox.
"""

from __future__ import annotations

import importlib
import sys
import tomllib
import types
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import nbformat
import numpy as np

from dnn_autograder.grader.assignment.spec import available_assignments

REPO = Path(__file__).resolve().parents[2]
ASSIGNMENTS = REPO / "dnn_autograder" / "assignments"
NAMES = ("initialization", "regularization", "gradient_checking", "optimization")
#: every assignment of the bank (the four course ones, activations, and any added later)
BANK = available_assignments(ASSIGNMENTS)
FIXTURES = REPO / "tests" / "fixtures" / "submissions"

HELPER_MODULES = ("init_utils", "reg_utils", "gc_utils", "opt_utils", "opt_utils_v1a")
TEST_MODULES = ("testCases", "testCases_v2", "public_tests", "test_utils")

#: The course's gradient-checking network, in flattening order.
GC_SHAPES = (("W1", (5, 4)), ("b1", (5, 1)), ("W2", (3, 5)), ("b2", (3, 1)),
             ("W3", (1, 3)), ("b3", (1, 1)))


def read_master(name: str) -> nbformat.NotebookNode:
    return nbformat.read(ASSIGNMENTS / name / "master.ipynb", as_version=4)


def read_starter(name: str) -> nbformat.NotebookNode:
    return nbformat.read(ASSIGNMENTS / name / "starter.ipynb", as_version=4)


def spec_functions(name: str) -> list[str]:
    """Graded function names listed in the assignment's ``spec.toml``."""
    with open(ASSIGNMENTS / name / "spec.toml", "rb") as handle:
        return [function["name"] for function in tomllib.load(handle)["functions"]]


def code_cells(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


# --- fallback fakes, used only when course_helpers cannot be imported ---------------------------

def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _relu(x):
    return np.maximum(0, x)


def _compute_cost(a3, Y):
    m = Y.shape[1]
    logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
    return 1.0 / m * np.nansum(logprobs)


def _dictionary_to_vector(parameters):
    blocks = [np.reshape(parameters[key], (-1, 1)) for key, _ in GC_SHAPES]
    keys = [key for key, shape in GC_SHAPES for _ in range(shape[0] * shape[1])]
    return np.concatenate(blocks, axis=0), keys


def _vector_to_dictionary(theta):
    parameters, start = {}, 0
    for key, shape in GC_SHAPES:
        size = shape[0] * shape[1]
        parameters[key] = np.array(theta[start:start + size]).reshape(shape)
        start += size
    return parameters


def _gradients_to_vector(gradients):
    return np.concatenate([np.reshape(gradients["d" + key], (-1, 1)) for key, _ in GC_SHAPES])


_FAKES: dict[str, dict[str, Any]] = {
    "init_utils": {"sigmoid": _sigmoid, "relu": _relu},
    "reg_utils": {"sigmoid": _sigmoid, "relu": _relu, "compute_cost": _compute_cost},
    "gc_utils": {
        "sigmoid": _sigmoid, "relu": _relu,
        "dictionary_to_vector": _dictionary_to_vector,
        "vector_to_dictionary": _vector_to_dictionary,
        "gradients_to_vector": _gradients_to_vector,
    },
    "opt_utils": {"sigmoid": _sigmoid, "relu": _relu},
    "opt_utils_v1a": {"sigmoid": _sigmoid, "relu": _relu},
}


def helper_module(name: str) -> types.ModuleType:
    """The course helper module ``name``: the real stand-in if it imports, else a fake."""
    try:
        return importlib.import_module(f"dnn_autograder.course_helpers.{name}")
    except ImportError:
        module = types.ModuleType(name)
        module.__dict__.update(_FAKES[name])
        return module


@contextmanager
def course_modules() -> Iterator[None]:
    """Make the course's helper and test modules importable under their course names."""
    saved = {name: sys.modules.get(name) for name in HELPER_MODULES + TEST_MODULES}
    try:
        for name in HELPER_MODULES:
            sys.modules[name] = helper_module(name)
        for name in TEST_MODULES:
            sys.modules[name] = types.ModuleType(name)
        yield
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


def run_master(name: str) -> dict[str, Any]:
    """Execute every code cell of a master notebook in order; return the namespace."""
    namespace: dict[str, Any] = {"__name__": f"master_{name}"}
    with course_modules():
        for index, cell in enumerate(code_cells(read_master(name))):
            exec(compile(cell.source, f"{name}/master.ipynb, code cell {index}", "exec"), namespace)
    return namespace
