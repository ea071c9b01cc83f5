"""Recognition hints are data in each spec's ``[recognise]`` table: file names, shared names, markers."""

from __future__ import annotations

from pathlib import Path

import pytest

from dnn_autograder.grader.assignment.recognise import recognise
from dnn_autograder.grader.assignment.spec import AssignmentSpec, load_all, load_assignment
from dnn_autograder.grader.errors import SpecError
from dnn_autograder.grader.extract import extract_source
from dnn_autograder.grader.grading import pipeline

#: two versions of one exercise: the same graded name, its argument read two ways
P_DROPS = 'def f(x, p):\n    """p: the probability of dropping a unit."""\n    return x\n'
P_KEEPS = 'def f(x, p):\n    """p: the probability of keeping a unit."""\n    return x\n'


def _spec(root: Path, name: str, recognise_table: str, functions: tuple[str, ...] = ("update_lr",)) -> AssignmentSpec:
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    entries = "".join(f'[[functions]]\nname = "{f}"\npoints = 1\n'
                      f'reference = "dnn_autograder.reference:update_lr"\n\n' for f in functions)
    (folder / "spec.toml").write_text(f'name = "{name}"\ntitle = "{name.title()}"\n\n{entries}{recognise_table}',
                                      encoding="utf-8")
    return load_assignment(name, root)


@pytest.fixture
def versions(tmp_path: Path) -> tuple[AssignmentSpec, AssignmentSpec, AssignmentSpec]:
    """``old`` (markers: p drops), ``new`` (no markers: the default) and ``other`` (its own marker)."""
    old = _spec(tmp_path, "old", '[recognise]\nmarkers = ["probability of dropping"]\n', ("f", "g"))
    new = _spec(tmp_path, "new", "[recognise]\n", ("f", "g"))
    other = _spec(tmp_path, "other", '[recognise]\nmarkers = ["never present"]\n', ("f", "g"))
    return old, new, other


def test_markers_decide_between_assignments_that_grade_the_same_names(versions) -> None:
    old, new, other = versions
    assert recognise({"f"}, [old, new, other], {}, P_DROPS) == ("old",)
    assert recognise({"f"}, [new, old, other], {}, P_DROPS) == ("old",)
    # no marker matches: the version without markers (the default template) is the one
    assert recognise({"f"}, [old, new, other], {}, P_KEEPS) == ("new",)
    assert recognise({"f"}, [other, old], {}, P_KEEPS) == ("other",)  # no default: the first, one only


def test_markers_do_not_drop_an_assignment_with_other_names(tmp_path: Path, versions) -> None:
    old, new, _ = versions
    separate = _spec(tmp_path, "separate", "[recognise]\n", ("h",))
    assert recognise({"f", "h"}, [old, new, separate], {}, P_KEEPS) == ("new", "separate")


def test_the_plan_reads_markers_in_the_files_code(versions) -> None:
    old, new, _ = versions
    for source, expected in ((P_DROPS, "old"), (P_KEEPS, "new")):
        file = extract_source(source, "work.py")
        notes: list[str] = []
        plan = pipeline._plan([pipeline._Candidate(file, "work.py")], [new, old], forced=False, notes=notes)
        assert [spec.name for spec, _, _ in plan] == [expected]
    # --assignment overrides recognition
    plan = pipeline._plan([pipeline._Candidate(extract_source(P_DROPS, "w.py"), "w.py")], [new], forced=True,
                          notes=[])
    assert [spec.name for spec, _, _ in plan] == ["new"]


def test_file_names_and_shared_names_come_from_the_spec(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "topic", '[recognise]\nfile_names = ["week[-_ ]?7"]\nshared_names = ["update_lr"]\n',
                 ("update_lr", "schedule"))
    assert recognise(set(), [spec], {"file_stem": "Week_7 homework"}) == ("topic",)
    assert recognise(set(), [spec], {"title": "WEEK 7"}) == ("topic",)
    assert recognise(set(), [spec], {"file_stem": "week 8"}) == ()
    assert recognise({"update_lr"}, [spec], {}) == ()  # a shared name proves nothing alone
    assert recognise({"schedule"}, [spec], {}) == ("topic",)


@pytest.mark.parametrize(("table", "message"), [
    ('[recognise]\nfile_names = ["("]\n', "not a regular expression"),
    ('[recognise]\nmarkers = "p drops"\n', "must be a list of strings"),
    ('[recognise]\nshared_names = ["not_graded"]\n', "not graded"),
    ('[recognise]\nfilenames = ["x"]\n', "unknown keys"),
])
def test_a_bad_recognise_table_is_a_spec_error(tmp_path: Path, table: str, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        _spec(tmp_path, "bad", table)


def test_the_course_assignments_declare_their_hints() -> None:
    specs = {s.name: s for s in load_all()}
    for name in ("optimization", "initialization", "regularization", "gradient_checking"):
        assert specs[name].recognise.file_names, name
    assert set(specs["gradient_checking"].recognise.shared_names) >= {"forward_propagation", "backward_propagation"}
