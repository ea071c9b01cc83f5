"""Messy student notebooks: what is kept, what wins, what is reported and where."""

from __future__ import annotations

import json

import pytest
from extract_builders import FIXTURES, code, markdown, notebook_json, raw_notebook
from nbformat.v4 import new_raw_cell

from dnn_autograder.grader.extract import extract_file
from dnn_autograder.grader.extract.model import TOP_LEVEL_REASON

UPDATE_LR = '''\
def update_lr(learning_rate0, epoch_num, decay_rate):
    """Inverse-time decay."""
    return learning_rate0 / (1 + decay_rate * epoch_num)
'''

SCHEDULE_LR = """\
def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    return learning_rate0 / (1 + decay_rate * np.floor(epoch_num / time_interval))
"""


def sources(extracted):
    return [unit.source for unit in extracted.units]


def test_graded_functions_found_without_markers(write_notebook):
    path = write_notebook(
        markdown("# Optimization Methods"),
        "import numpy as np",
        UPDATE_LR,  # the "# GRADED FUNCTION: update_lr" marker was deleted
        "# GRADED FUNCTION: schedule_lr_decay\n" + SCHEDULE_LR,
    )
    extracted = extract_file(path)
    assert set(extracted.functions) == {"update_lr", "schedule_lr_decay"}
    assert extracted.hints["graded_functions"] == "schedule_lr_decay"
    assert extracted.hints["title"] == "Optimization Methods"
    unit = extracted.functions["update_lr"]
    assert (unit.kind, unit.filename, unit.first_line) == (
        "definition",
        "submission.ipynb, cell 3",
        1,
    )
    assert unit.source == UPDATE_LR.rstrip("\n")
    assert extracted.functions["schedule_lr_decay"].first_line == 2


def test_function_defined_twice_last_definition_wins(write_notebook):
    first = "def update_lr(learning_rate0, epoch_num, decay_rate):\n    return learning_rate0\n"
    extracted = extract_file(write_notebook(first, "x = 1", UPDATE_LR))
    assert extracted.functions["update_lr"].filename == "submission.ipynb, cell 3"
    assert extracted.functions["update_lr"] is extracted.units[-1]
    assert [unit.names for unit in extracted.units] == [("update_lr",), ("x",), ("update_lr",)]


def test_duplicated_cells_keep_execution_order(write_notebook):
    wrong = "def update_lr(learning_rate0, epoch_num, decay_rate):\n    return 0.0\n"
    extracted = extract_file(write_notebook(UPDATE_LR, wrong, UPDATE_LR))
    assert len(extracted.units) == 3  # executed in order, as the notebook would run
    assert extracted.functions["update_lr"].filename.endswith("cell 3")
    assert extracted.functions["update_lr"].source == UPDATE_LR.rstrip("\n")


def test_magics_shell_and_help_lines_are_dropped_and_reported(write_notebook):
    setup = "\n".join(
        [
            "%matplotlib inline",
            "%load_ext autoreload",
            "%autoreload 2",
            "!pip install --quiet numpy",
            "np.random?",
            "??update_lr",
            "import numpy as np",
            "files = !ls",
        ]
    )
    extracted = extract_file(write_notebook(setup))
    assert sources(extracted) == ["import numpy as np"]
    assert [(s.where, s.reason.split(":")[0]) for s in extracted.skipped] == [
        ("cell 1, line 1", "magic"),
        ("cell 1, line 2", "magic"),
        ("cell 1, line 3", "magic"),
        ("cell 1, line 4", "shell command"),
        ("cell 1, line 5", "help request"),
        ("cell 1, line 6", "help request"),
        ("cell 1, line 8", "shell command"),
    ]
    assert extracted.skipped[0].reason == "magic: %matplotlib inline"


def test_indented_magic_inside_a_function_keeps_the_block(write_notebook):
    cell = (
        "def f(x):\n    for i in range(3):\n        %timeit x + 1\n    !echo done\n    return x\n"
    )
    extracted = extract_file(write_notebook(cell))
    assert extracted.functions["f"].source == (
        "def f(x):\n    for i in range(3):\n        pass\n    pass\n    return x"
    )
    assert [s.where for s in extracted.skipped] == ["cell 1, line 3", "cell 1, line 4"]


@pytest.mark.parametrize(
    ("magic", "kept"),
    [
        ("%%time", True),
        ("%%timeit -n 3", True),
        ("%%capture captured", True),
        ("%%bash", False),
        ("%%writefile opt_helpers.py", False),
        ("%%html", False),
        ("%%javascript", False),
    ],
    ids=lambda value: str(value).split()[0] if isinstance(value, str) else None,
)
def test_cell_magics(write_notebook, magic, kept):
    extracted = extract_file(write_notebook(f"{magic}\n{UPDATE_LR}update_lr(0.5, 1, 1)\n"))
    if kept:
        assert extracted.functions["update_lr"].first_line == 2
        assert extracted.skipped[0].reason.startswith("magic: %%")
        assert extracted.skipped[-1].reason == TOP_LEVEL_REASON
    else:
        assert extracted.units == ()
        (skipped,) = extracted.skipped
        assert skipped.where == "cell 1"
        assert skipped.reason.startswith("cell magic: %%")
        assert skipped.functions == ("update_lr",)
        assert "cell magic" in extracted.broken_functions["update_lr"]


def test_syntax_error_in_another_cell_costs_only_that_cell(write_notebook):
    broken = "def schedule_lr_decay(learning_rate0, epoch_num, decay_rate:\n    return 1\n"
    extracted = extract_file(write_notebook("import numpy as np", broken, UPDATE_LR))
    assert set(extracted.functions) == {"update_lr"}
    (skipped,) = extracted.skipped
    assert skipped.where == "cell 2"
    assert skipped.reason == (
        "syntax error at line 1: '(' was never closed "
        "(the functions in it cannot be graded: schedule_lr_decay)"
    )
    assert skipped.functions == ("schedule_lr_decay",)
    assert extracted.broken_functions == {
        "schedule_lr_decay": (
            "submission.ipynb, cell 2: syntax error at line 1: '(' was never closed"
        )
    }


def test_syntax_error_in_the_same_cell_as_a_good_function(write_notebook):
    cell = (
        "import numpy as np\n"
        "\n"
        "def update_lr(learning_rate0, epoch_num, decay_rate):\n"
        "    return learning_rate0 / (1 + decay_rate * epoch_num\n"  # unclosed bracket
        "\n"
        "@staticmethod\n"
        "def helper():\n"
        "    return 1\n"
        "\n" + SCHEDULE_LR + "layers_dims = [2, 4, 1]\n"
    )
    extracted = extract_file(write_notebook(cell))
    assert set(extracted.functions) == {"helper", "schedule_lr_decay"}
    assert extracted.functions["helper"].source.startswith("@staticmethod\ndef helper")
    assert extracted.functions["helper"].first_line == 6
    assert extracted.functions["schedule_lr_decay"].first_line == 10
    assert [unit.names for unit in extracted.units][-1] == ("layers_dims",)
    (skipped,) = extracted.skipped
    assert skipped.where == "cell 1, lines 3-4"
    assert skipped.reason.startswith("syntax error at line 4: ")
    assert skipped.functions == ("update_lr",)
    assert "cell 1: syntax error at line 4" in extracted.broken_functions["update_lr"]


def test_broken_function_defined_correctly_elsewhere_is_not_broken(write_notebook):
    broken = "def update_lr(learning_rate0, epoch_num, decay_rate)\n    return 1\n"
    extracted = extract_file(write_notebook(UPDATE_LR, broken))
    assert extracted.functions["update_lr"].filename.endswith("cell 1")
    assert extracted.broken_functions == {}
    assert extracted.skipped[0].functions == ("update_lr",)


def test_course_helper_imports_are_kept_and_listed(write_notebook):
    extracted = extract_file(
        write_notebook(
            "import numpy as np\nimport matplotlib.pyplot as plt\nimport sklearn.datasets",
            "from reg_utils import *\nfrom testCases import *\nimport public_tests",
            "from public_tests import compute_cost_with_regularization_test as t1, t2",
            "from __future__ import annotations",
        )
    )
    assert extracted.imports == (
        "numpy", "matplotlib", "sklearn", "reg_utils", "testCases", "public_tests"
    )  # fmt: skip
    assert [unit.names for unit in extracted.units] == [
        ("np",), ("plt",), ("sklearn",), ("*",), ("*",), ("public_tests",), ("t1", "t2")
    ]  # fmt: skip
    assert all(unit.kind == "import" for unit in extracted.units)
    assert extracted.hints["future"] == "annotations"


def test_missing_import_is_not_invented(write_notebook):
    extracted = extract_file(write_notebook(SCHEDULE_LR))  # uses np, never imported
    assert extracted.imports == ()
    assert list(extracted.functions) == ["schedule_lr_decay"]


def test_training_loops_plots_and_test_calls_are_dropped(write_notebook):
    training = (
        "np.random.seed(1)\n"
        "costs = []\n"
        "for i in range(10000):\n"
        "    a3, cache = forward_propagation(X, parameters)\n"
        "    costs.append(compute_cost(a3, Y))\n"
        "plt.plot(costs)\n"
        "plt.show()\n"
    )
    extracted = extract_file(
        write_notebook(
            "import numpy as np",
            UPDATE_LR + "\nupdate_lr_test(update_lr)\nprint(update_lr(0.5, 2, 1))\n",
            training,
            "parameters = model(train_X, train_Y, layers_dims, optimizer='adam')",
            "if __name__ == '__main__':\n    main()",
        )
    )
    assert [unit.kind for unit in extracted.units] == ["import", "definition", "constant"]
    assert extracted.units[-1].source == "costs = []"
    assert [(s.where, s.reason) for s in extracted.skipped] == [
        ("cell 2, lines 5-6", TOP_LEVEL_REASON),
        ("cell 3, line 1", TOP_LEVEL_REASON),
        ("cell 3, lines 3-7", TOP_LEVEL_REASON),
        ("cell 4, line 1", TOP_LEVEL_REASON),
        ("cell 5, lines 1-2", TOP_LEVEL_REASON),
    ]


def test_stale_outputs_do_not_matter(write_notebook):
    stale = code(UPDATE_LR, output="Traceback (most recent call last):\nSyntaxError\n")
    with_outputs = extract_file(write_notebook(stale, name="a.ipynb"))
    without = extract_file(write_notebook(UPDATE_LR, name="b.ipynb"))
    assert sources(with_outputs) == sources(without)
    assert with_outputs.skipped == without.skipped == ()


def test_nbformat_3_is_upgraded():
    extracted = extract_file(FIXTURES / "optimization_nbformat3.ipynb")
    assert list(extracted.functions) == ["update_parameters_with_gd"]
    unit = extracted.functions["update_parameters_with_gd"]
    assert unit.filename == "optimization_nbformat3.ipynb, cell 3"
    assert unit.first_line == 3
    assert extracted.imports == ("numpy", "opt_utils")
    assert extracted.hints["nbformat"] == "3.0"
    assert extracted.hints["title"] == "Optimization Methods"
    assert extracted.skipped[0].where == "cell 2, line 1"


def test_nbformat_3_read_by_hand_when_nbformat_cannot_convert(write_file):
    broken_v3 = {  # no metadata, no outputs: nbformat's converter gives up
        "nbformat": 3,
        "worksheets": [
            {"cells": [{"cell_type": "code", "input": ["def f(x):\n", "    return x"]}]}
        ],
    }
    extracted = extract_file(write_file("old.ipynb", json.dumps(broken_v3)))
    assert extracted.functions["f"].source == "def f(x):\n    return x"


@pytest.mark.parametrize("minor", [0, 1, 2, 3, 4, 5], ids=lambda minor: f"nbformat-4.{minor}")
def test_nbformat_4_minor_versions(write_notebook, minor):
    extracted = extract_file(write_notebook(markdown("# Regularization"), UPDATE_LR, minor=minor))
    assert extracted.hints["nbformat"] == f"4.{minor}"
    assert extracted.functions["update_lr"].filename == "submission.ipynb, cell 2"


@pytest.mark.parametrize(
    "cells",
    [
        pytest.param([{"cell_type": "code", "source": UPDATE_LR}], id="no-metadata-no-outputs"),
        pytest.param(
            [{"cell_type": "code", "source": UPDATE_LR.splitlines(keepends=True)}],
            id="source-as-list",
        ),
        pytest.param([{"source": UPDATE_LR, "outputs": []}], id="no-cell-type"),
        pytest.param(["not a cell", {"cell_type": "code", "source": UPDATE_LR}], id="junk-cell"),
    ],
)
def test_lenient_notebook_shapes(write_file, cells):
    extracted = extract_file(write_file("lenient.ipynb", raw_notebook(cells)))
    assert list(extracted.functions) == ["update_lr"]
    assert extracted.functions["update_lr"].filename == f"lenient.ipynb, cell {len(cells)}"
    assert extracted.language_ok


def test_markdown_and_raw_cells_are_ignored(write_notebook):
    raw = new_raw_cell("def not_code(): pass")
    extracted = extract_file(
        write_notebook(markdown("```python\ndef not_code(): pass\n```"), raw, UPDATE_LR)
    )
    assert list(extracted.functions) == ["update_lr"]


@pytest.mark.parametrize(
    ("metadata", "language_ok"),
    [
        pytest.param({"kernelspec": {"name": "ir", "language": "R"}}, False, id="R"),
        pytest.param({"language_info": {"name": "julia"}}, False, id="julia"),
        pytest.param({"language_info": {"name": "python"}}, True, id="python"),
        pytest.param({"kernelspec": {"name": "python2", "language": "python"}}, True, id="py2"),
        pytest.param({}, True, id="unknown"),
    ],
)
def test_kernel_language(write_notebook, metadata, language_ok):
    extracted = extract_file(write_notebook(UPDATE_LR, metadata=metadata))
    assert extracted.language_ok is language_ok


def test_hints_from_metadata_and_name(write_notebook):
    metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "coursera": {"course_slug": "deep-neural-network", "graded_item_id": "Ckiv2"},
        "title": "Gradient Checking",
    }
    extracted = extract_file(
        write_notebook(UPDATE_LR, name="Gradient_Checking_v2.ipynb", metadata=metadata)
    )
    assert {key: extracted.hints[key] for key in ("file_stem", "kernel", "title", "format")} == {
        "file_stem": "Gradient_Checking_v2",
        "kernel": "python3",
        "title": "Gradient Checking",
        "format": "notebook",
    }
    assert extracted.hints["coursera.graded_item_id"] == "Ckiv2"


def test_extracted_file_is_json_serialisable(write_notebook):
    extracted = extract_file(write_notebook("import numpy as np", UPDATE_LR, "1 +"))
    data = json.loads(json.dumps(extracted.to_dict()))
    assert data["functions"] == {"update_lr": 1}
    assert data["units"][1]["names"] == ["update_lr"]
    assert data["skipped"][0]["where"] == "cell 3"


def test_notebook_json_builder_writes_the_requested_version():
    assert json.loads(notebook_json("x = 1", minor=0))["nbformat_minor"] == 0
