"""The engine's figure contract: an assignment folder's ``figures.py`` defines ``FIGURES``; the engine
runs each ``build`` on a guarded student handle and each ``draw`` on the data, naming no assignment."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from render_session import LocalSession

from dnn_autograder.grader.grading.figures import Figure, compute_figures, drawers
from dnn_autograder.grader.outputs.render.plots import figure_blocks

SPEC = '''name = "{name}"
title = "Pictures"

[[functions]]
name = "update_lr"
points = 1
returns = ["learning_rate"]
'''

FIGURES = '''
from dnn_autograder.grader.grading.figures import Figure, Omit, reference_outputs, why

def rates(student):
    if not student.has("update_lr"):
        return None
    spec = student.spec.function("update_lr")
    ref = [float(reference_outputs(spec, (1.0, e, 1.0))["learning_rate"]) for e in range(3)]
    try:
        yours = [float(student.call("update_lr", (1.0, e, 1.0))["learning_rate"]) for e in range(3)]
        notes = []
    except Omit as exc:
        yours, notes = None, [why("update_lr", exc)]
    return {"yours": yours, "reference": ref, "notes": notes}

def broken(student):
    raise RuntimeError("a bug of this builder")

def nothing(student):
    return None

def draw(data, prefix):
    return {"title": "rates", "svg": "", "caption": prefix, "table": None, "notes": []}

FIGURES = (Figure("rates", rates, draw), Figure("broken", broken, draw), Figure("nothing", nothing, draw))
'''

GOOD = ("def update_lr(learning_rate0, epoch_num, decay_rate):\n"
        "    return learning_rate0 / (1 + decay_rate * epoch_num)\n")
RAISES = "def update_lr(learning_rate0, epoch_num, decay_rate):\n    raise ValueError('no')\n"


@pytest.fixture
def root(tmp_path: Path, request: pytest.FixtureRequest) -> tuple[Path, str]:
    name = "pics_" + request.node.name.replace("[", "_").replace("]", "").replace("-", "_")
    folder = tmp_path / name
    folder.mkdir()
    (folder / "spec.toml").write_text(SPEC.format(name=name), encoding="utf-8")
    (folder / "figures.py").write_text(FIGURES, encoding="utf-8")
    return tmp_path, name


def test_builders_run_on_the_student_handle_and_a_broken_one_costs_only_its_figure(root) -> None:
    base, name = root
    session = LocalSession(GOOD)
    data = compute_figures(session, name, session.defined, root=base)
    assert list(data) == ["rates"]  # "broken" raised (logged), "nothing" returned None
    expected = [1.0 / (1 + e) for e in range(3)]  # update_lr: lr0 / (1 + decay * epoch)
    assert data["rates"]["yours"] == pytest.approx(expected)
    assert data["rates"]["reference"] == pytest.approx(expected)


def test_a_failing_student_call_becomes_a_note(root) -> None:
    base, name = root
    session = LocalSession(RAISES)
    data = compute_figures(session, name, session.defined, root=base)["rates"]
    assert data["yours"] is None
    assert data["notes"] and data["notes"][0].startswith("your `update_lr`") and "ValueError" in data["notes"][0]


def test_no_function_no_figure_and_no_figures_file_no_figures(root, tmp_path: Path) -> None:
    base, name = root
    session = LocalSession("x = 1\n")
    assert compute_figures(session, name, session.defined, root=base) == {}
    other = LocalSession(GOOD)
    assert compute_figures(other, name + "_none", other.defined, root=base) == {}  # unknown assignment
    (base / name / "figures.py").unlink()
    assert compute_figures(other, name, other.defined, root=base) == {}  # no figures.py
    assert other.calls == 0


def test_the_budget_is_the_engines(root) -> None:
    base, name = root
    session = LocalSession(GOOD)
    data = compute_figures(session, name, session.defined, root=base, budget_s=0.0)["rates"]
    assert data["yours"] is None and "time allowed for pictures ran out" in data["notes"][0]
    assert session.calls == 0


def test_drawers_come_from_the_assignment_folder(root) -> None:
    base, name = root
    found = drawers(name, base)
    assert sorted(found) == ["broken", "nothing", "rates"]
    assert drawers("../" + name, base) == {} and drawers("no_such", base) == {}


def test_blocks_follow_the_data_order_skip_unknown_figures_and_survive_a_failing_drawer() -> None:
    def fails(data, prefix):
        raise ValueError("odd data")

    def block(data, prefix):
        return {"title": data["t"], "svg": "", "caption": prefix, "table": None, "notes": ["drawn"]}

    figures = {"b": {"t": "B", "notes": ["from the data"]}, "unknown": {}, "a": {"t": "A"}, "bad": {}}
    blocks = figure_blocks(figures, "p", drawers={"a": block, "b": block, "bad": fails})
    assert [b["title"] for b in blocks] == ["B", "A", "bad"]
    assert [b["caption"] for b in blocks[:2]] == ["p-0", "p-2"]
    assert blocks[0]["notes"] == ["from the data", "drawn"]
    assert blocks[2]["notes"] == ["This picture could not be drawn."]


def test_the_course_assignments_draw_their_own_figures(all_figures: dict) -> None:
    own = {name: sorted(drawers(name)) for name in ("optimization", "initialization", "regularization",
                                                    "gradient_checking")}
    assert own == {"optimization": ["optimizer_paths"], "initialization": ["init_activations"],
                   "regularization": ["dropout_scaling"], "gradient_checking": ["gradient_check"]}
    blocks = figure_blocks({"init_activations": all_figures["init_activations"]}, "x", "initialization")
    assert [b["title"] for b in blocks] == ["Activations of a deep network built with your initializers"]


def test_drawing_imports_no_reference_and_no_mistakes(all_figures: dict, tmp_path: Path) -> None:
    """The course assignments' drawers import no answer key (a report is drawn without grading)."""
    data = tmp_path / "figures.json"
    data.write_text(json.dumps(all_figures), encoding="utf-8")
    code = textwrap.dedent(f"""
        import json, sys
        from dnn_autograder.grader.outputs.render.plots import figure_blocks
        figures = json.load(open({str(data)!r}))
        owners = {{"optimizer_paths": "optimization", "init_activations": "initialization",
                  "dropout_scaling": "regularization", "gradient_check": "gradient_checking"}}
        for key, data in figures.items():
            assert len(figure_blocks({{key: data}}, "t", owners[key])) == 1
        bad = [m for m in sys.modules if m.endswith('.mistakes') or m.startswith('dnn_autograder.reference')
               or m.startswith('hypothesis')]
        assert not bad, bad
    """)
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_figure_is_a_frozen_record() -> None:
    figure = Figure("x", lambda student: None, lambda data, prefix: {})
    with pytest.raises(AttributeError):
        figure.name = "y"  # type: ignore[misc]


SCRIPT_SPEC = '''name = "{name}"
title = "Scripts"

[[functions]]
name = "update_lr"
points = 1
shape = "script"
reference = "dnn_autograder.reference:update_lr"
'''

SCRIPT_FIGURES = '''
from dnn_autograder.grader.grading.figures import Figure, Omit, why
from dnn_autograder.grader.model import Step, Var

def decay(student):
    steps = [Step("update_lr", args=(Var("lr"), epoch, 1.0), returns=("rate",), compare=("rate",))
             for epoch in range(3)]
    try:
        return {"rates": dict(student.run_script("update_lr", {"lr": 1.0}, steps)), "notes": []}
    except Omit as exc:
        return {"rates": None, "notes": [why("update_lr", exc)]}

FIGURES = (Figure("decay", decay, lambda data, prefix: {}),)
'''


def test_a_builder_can_run_a_script_of_calls(tmp_path: Path) -> None:
    name = "pics_scripts"
    (tmp_path / name).mkdir()
    (tmp_path / name / "spec.toml").write_text(SCRIPT_SPEC.format(name=name), encoding="utf-8")
    (tmp_path / name / "figures.py").write_text(SCRIPT_FIGURES, encoding="utf-8")
    session = LocalSession(GOOD)
    data = compute_figures(session, name, session.defined, root=tmp_path)["decay"]
    # lr0 / (1 + decay * epoch) for epochs 0, 1, 2, named after the step that computed each
    assert data["rates"] == pytest.approx({"step 1: rate": 1.0, "step 2: rate": 0.5, "step 3: rate": 1 / 3})
    broken = LocalSession(RAISES)
    data = compute_figures(broken, name, broken.defined, root=tmp_path)["decay"]
    assert data["rates"] is None and "ValueError" in data["notes"][0]


def test_a_broken_figures_module_costs_only_its_own_drawers(root) -> None:
    base, name = root
    (base / "zz_broken").mkdir()
    (base / "zz_broken" / "spec.toml").write_text(SPEC.format(name="zz_broken"), encoding="utf-8")
    (base / "zz_broken" / "figures.py").write_text("raise ImportError('a broken folder')\n", encoding="utf-8")
    assert sorted(drawers(None, base)) == ["broken", "nothing", "rates"]
    assert drawers("zz_broken", base) == {}


def test_a_note_of_the_figure_data_is_shown_once(sandbox) -> None:
    """The engine adds the data's notes to the drawer's block: a drawer that repeats them shows
    every note twice (it did, for a diverging Adam in the CS231n update-rules picture)."""
    from dnn_autograder.grader.grading.pipeline import grade_submission
    from dnn_autograder.grader.outputs.render.plots import figure_blocks

    path = Path(__file__).resolve().parents[1] / "fixtures" / "cs231n" / "optim" / "optim_adam_t_after_use.py"
    (graded,) = grade_submission(path, assignment="cs231n_optim", sandbox=sandbox).assignments
    blocks = figure_blocks(graded.figures, "fig", assignment=graded.assignment)
    notes = [note for block in blocks for note in block["notes"]]
    assert any("diverged" in note for note in notes)
    assert len(notes) == len(set(notes)), notes
