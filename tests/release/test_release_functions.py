"""``dnn_autograder.grader.handouts.release`` on small hand-made notebooks."""

from __future__ import annotations

import copy

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from release_support import ASSIGNMENTS, BANK, NAMES, read_master, read_starter

from dnn_autograder.grader.errors import SpecError
from dnn_autograder.grader.handouts.release import (
    ReleaseError,
    check_no_leak,
    find_masters,
    graded_function_name,
    make_starter,
    release,
    strip_solutions,
)

TWO_REGIONS = '''\
# GRADED FUNCTION: step

def step(w, dw, rate):
    """Move w against dw."""
    ### START CODE HERE ### (about 1 line)
    scaled_gradient = rate * dw
    ### END CODE HERE ###
    for _ in range(1):
        ### START CODE HERE ###
        new_weights = w - scaled_gradient
        ### END CODE HERE ###
    return new_weights
'''

WHOLE_BODY = '''\
# GRADED FUNCTION: double

def double(x):
    ### START CODE HERE ###
    result_of_doubling = 2 * x
    return result_of_doubling
    ### END CODE HERE ###
'''

GIVEN = "import numpy as np\nscaled_gradient_given = np.zeros(3)\n"


def notebook(*sources, name="toy"):
    cells = []
    for index, source in enumerate(sources):
        if source.startswith("md:"):
            cell = new_markdown_cell(source[3:])
        else:
            cell = new_code_cell(source, execution_count=index + 1,
                                 outputs=[new_output("stream", name="stdout", text="stale\n")])
        cell["id"] = f"cell-{index}"
        cells.append(cell)
    nb = new_notebook(cells=cells)
    nb.metadata["grader"] = {"assignment": name}
    return nb


def run_cell(source):
    namespace: dict = {}
    exec(compile(source, "cell", "exec"), namespace)
    return namespace


# --- make_starter ---------------------------------------------------------------------------

def test_regions_are_replaced_by_the_placeholder_at_their_indentation():
    starter = make_starter(notebook(TWO_REGIONS))
    assert starter.cells[0].source == '''\
# GRADED FUNCTION: step

def step(w, dw, rate):
    """Move w against dw."""
    ### START CODE HERE ### (about 1 line)
    # YOUR CODE HERE
    raise NotImplementedError()
    ### END CODE HERE ###
    for _ in range(1):
        ### START CODE HERE ###
        # YOUR CODE HERE
        raise NotImplementedError()
        ### END CODE HERE ###
    return new_weights
'''


def test_a_function_whose_whole_body_is_a_region_still_compiles_and_raises():
    namespace = run_cell(make_starter(notebook(WHOLE_BODY)).cells[0].source)
    with pytest.raises(NotImplementedError):
        namespace["double"](3)
    assert run_cell(WHOLE_BODY)["double"](3) == 6


def test_outputs_cleared_metadata_added_master_untouched():
    master = notebook("md:# Title", GIVEN, TWO_REGIONS)
    master.cells[2].metadata["tags"] = ["keep-me"]
    before = copy.deepcopy(master)
    starter = make_starter(master)
    assert master == before
    nbformat.validate(starter)
    for cell in starter.cells[1:]:
        assert cell.outputs == [] and cell.execution_count is None
    assert starter.cells[0] == master.cells[0]
    assert starter.cells[1].source == GIVEN
    assert "grader" not in starter.cells[1].metadata
    assert starter.cells[2].metadata == {"tags": ["keep-me"], "grader": {"graded_function": "step"}}
    assert starter.metadata == master.metadata


@pytest.mark.parametrize(
    "source",
    [
        "def f():\n    ### START CODE HERE ###\n    return 1\n",
        "def f():\n    ### END CODE HERE ###\n    return 1\n",
        "def f():\n    ### START CODE HERE ###\n    ### START CODE HERE ###\n"
        "    x = 1\n    ### END CODE HERE ###\n    ### END CODE HERE ###\n",
        "for i in range(2):\n### START CODE HERE ###\n    total_so_far = i\n"
        "### END CODE HERE ###\n",
    ],
    ids=["start-never-closed", "end-without-start", "nested-regions", "marker-indented-too-little"],
)
def test_broken_masters_are_refused(source):
    with pytest.raises(ReleaseError):
        make_starter(notebook(source))


def test_release_error_is_a_spec_error():
    assert issubclass(ReleaseError, SpecError)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("# GRADED FUNCTION: update_lr\ndef update_lr(): pass", "update_lr"),
        ("\n\n#GRADED FUNCTION:  initialize_adam  \n", "initialize_adam"),
        ("import numpy as np\n# GRADED FUNCTION: late_header", None),
        ("# GRADED FUNCTION: two words", None),
        ("", None),
    ],
    ids=["plain", "blank-lines-and-spacing", "header-not-first", "not-a-name", "empty"],
)
def test_graded_function_name(source, expected):
    assert graded_function_name(source) == expected


def test_strip_solutions_keeps_the_final_newline_state():
    assert strip_solutions(GIVEN) == GIVEN
    assert strip_solutions(GIVEN.rstrip("\n")) == GIVEN.rstrip("\n")


# --- check_no_leak --------------------------------------------------------------------------

def test_no_leak_in_a_clean_starter():
    master = notebook(GIVEN, TWO_REGIONS)
    assert check_no_leak(master, make_starter(master)) == []


@pytest.mark.parametrize(
    "planted",
    [
        "scaled_gradient = rate * dw",
        "    scaled_gradient   =   rate*dw   # differently spaced, with a comment",
        "md:Hint:\n\n    new_weights = w - scaled_gradient\n",
    ],
    ids=["same-line", "whitespace-and-comment", "in-markdown"],
)
def test_a_planted_leak_is_found(planted):
    master = notebook(GIVEN, TWO_REGIONS)
    starter = make_starter(master)
    if planted.startswith("md:"):
        starter.cells.append(new_markdown_cell(planted[3:]))
    else:
        starter.cells[0].source += planted + "\n"
    problems = check_no_leak(master, starter)
    assert len(problems) == 1
    assert "solution line" in problems[0]


def test_trivial_and_given_lines_are_not_leaks():
    master = notebook(
        "x_total = compute(1)\n",
        "def f(x):\n    ### START CODE HERE ###\n    y = x + 1\n    x_total = compute(1)\n"
        "    return x_total\n    ### END CODE HERE ###\n",
    )
    starter = make_starter(master)
    starter.cells[0].source += "y = x + 1\nreturn x_total\n"
    assert check_no_leak(master, starter) == []


@pytest.mark.parametrize("name", NAMES)
def test_a_leak_planted_in_a_real_starter_is_found(name):
    master, starter = read_master(name), read_starter(name)
    graded = [cell for cell in master.cells if "### START CODE HERE ###" in cell.source]
    solution = graded[-1].source.split("### START CODE HERE ###")[1].splitlines()[1]
    starter.cells[-1].source += "\n" + solution
    problems = check_no_leak(master, starter)
    assert problems and solution.strip() in problems[0]


# --- release --------------------------------------------------------------------------------

def write_master(folder, nb):
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / "master.ipynb")
    return folder / "master.ipynb"


def test_release_writes_one_starter_per_assignment(tmp_path):
    paths = release(ASSIGNMENTS, tmp_path / "out")
    assert sorted(path.name for path in paths) == sorted(f"{name}.ipynb" for name in BANK)
    for path in paths:
        written = nbformat.read(path, as_version=4)
        nbformat.validate(written)
        assert written == read_starter(path.stem)


def test_release_of_a_leaking_master_writes_nothing(tmp_path):
    leaking = notebook(TWO_REGIONS, "md:Spoiler:\n\n    scaled_gradient = rate * dw", name="leaky")
    good = write_master(tmp_path / "bank" / "good", notebook(TWO_REGIONS, name="good"))
    bad = write_master(tmp_path / "bank" / "leaky", leaking)
    with pytest.raises(ReleaseError, match="leak"):
        release([good, bad], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_release_accepts_one_folder_and_falls_back_to_its_name(tmp_path):
    nb = notebook(TWO_REGIONS)
    del nb.metadata["grader"]
    write_master(tmp_path / "momentum", nb)
    (path,) = release(tmp_path / "momentum", tmp_path / "out")
    assert path == tmp_path / "out" / "momentum.ipynb"


def test_two_masters_for_one_assignment_are_refused(tmp_path):
    first = write_master(tmp_path / "a", notebook(TWO_REGIONS, name="same"))
    second = write_master(tmp_path / "b", notebook(WHOLE_BODY, name="same"))
    with pytest.raises(ReleaseError, match="second master"):
        release([first, second], tmp_path / "out")


@pytest.mark.parametrize("source", ["empty-folder", ["missing.ipynb"]], ids=["folder", "list"])
def test_find_masters_reports_what_is_missing(tmp_path, source):
    (tmp_path / "empty-folder").mkdir()
    if isinstance(source, str):
        source = tmp_path / source
    else:
        source = [tmp_path / item for item in source]
    with pytest.raises(ReleaseError):
        find_masters(source)


def test_main_writes_to_a_folder_and_reports_leaks(tmp_path, monkeypatch, capsys):
    from dnn_autograder.grader.errors import ExitCode
    from dnn_autograder.grader.handouts import release as release_module

    assert release_module.main([str(tmp_path / "out")]) == ExitCode.OK
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        f"{name}.ipynb" for name in BANK
    )
    leaky = notebook(TWO_REGIONS, "md:    scaled_gradient = rate * dw", name="leaky")
    write_master(tmp_path / "bank" / "leaky", leaky)
    monkeypatch.setattr(release_module, "ASSIGNMENTS_DIR", tmp_path / "bank")
    assert release_module.main([str(tmp_path / "out2")]) == ExitCode.SELFCHECK_FAILED
    assert "leak" in capsys.readouterr().err
