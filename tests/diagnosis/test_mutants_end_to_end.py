"""Every catalogued mutant, handed in as a student's .py and .ipynb, loses points on its
function, is diagnosed with its own id, and costs nothing elsewhere."""

from __future__ import annotations

import pytest
from submissions import write_notebook, write_py

from dnn_autograder.grader.assignment.spec import available_assignments, load_assignment
from dnn_autograder.grader.grading.pipeline import grade_submission
from dnn_autograder.grader.handouts.mutant_submissions import mutant_source, mutants_by_id

MUTANTS = [
    (name, mistake_id)
    for name in available_assignments()
    for mistake_id in mutants_by_id(load_assignment(name))
]


@pytest.fixture(autouse=True)
def no_shrinking(monkeypatch):
    """The counterexample's size is not under test here; shrinking costs seconds per mutant."""
    import dnn_autograder.grader.grading.grade_function as gf
    from dnn_autograder.grader.values import size_of

    monkeypatch.setattr(gf, "smallest_failure", lambda session, suite, failing, properties=None: min(
        failing, key=lambda o: (o.errored, size_of(o.case.args))))


# the default run hands each mutant in as a .py; the same as a notebook runs with the slow tests
# (`grade selfcheck`, which CI runs too, grades every mutant as a submission again)
@pytest.mark.parametrize("form", ["py", pytest.param("ipynb", marks=pytest.mark.slow)])
@pytest.mark.parametrize(("assignment", "mistake_id"), MUTANTS, ids=[m for _, m in MUTANTS])
def test_mutant_is_caught_and_named(sandbox, tmp_path, assignment, mistake_id, form):
    spec = load_assignment(assignment)
    mistake = mutants_by_id(spec)[mistake_id]
    source = mutant_source(spec, mistake)
    write = write_py if form == "py" else write_notebook
    path = write(tmp_path, mistake_id, source)
    result = grade_submission(path, assignment=assignment, sandbox=sandbox)
    (graded,) = result.assignments
    by_name = {f.name: f for f in graded.functions}
    target = by_name.pop(mistake.function)
    assert target.score < target.max_score, f"{mistake_id} slipped through: {target.message}"
    assert mistake_id in target.diagnoses, (target.status, target.diagnoses, target.message)
    assert target.counterexample is not None
    # a forward mistake may cost the backward passes that differentiate it (the mistake's also_costs)
    lost_elsewhere = {n: f.status for n, f in by_name.items() if f.status != "passed" and n not in mistake.also_costs}
    assert not lost_elsewhere, f"one mistake must cost once: {lost_elsewhere}"
