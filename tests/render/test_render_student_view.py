"""The report as the student who wrote the code reads it (issue 12): each thing said once, in the
student's words; file name, score and date in the header, the grader's own facts folded away;
identifiers kept whole; each difference labelled once.

One real grading of ``tests/fixtures/submissions/mixed_results_optimization.py`` (a function of
each kind: passed, failed with a named mistake, failed with an unnamed bug, error, missing).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from visible_text import sentences, squash, visible

from dnn_autograder.grader.assignment.spec import load_assignment
from dnn_autograder.grader.grading.pipeline import grade_submission
from dnn_autograder.grader.model import SubmissionResult
from dnn_autograder.grader.outputs.render import render_report
from dnn_autograder.grader.outputs.render.env import stylesheet

MIXED = Path(__file__).resolve().parent.parent / "fixtures" / "submissions" / "mixed_results_optimization.py"


@pytest.fixture(scope="module")
def graded() -> SubmissionResult:
    return grade_submission(MIXED)


@pytest.fixture(scope="module")
def page(graded: SubmissionResult) -> str:
    return render_report(graded, draw=False)


def test_fixture_has_every_kind_of_result(graded: SubmissionResult) -> None:
    by_name = {f.name: f for f in graded.assignments[0].functions}
    assert by_name["update_parameters_with_gd"].status == "passed"
    assert by_name["update_parameters_with_adam"].diagnoses == ("adam-no-bias-correction",)
    assert by_name["update_parameters_with_momentum"].status == "failed"
    assert not by_name["update_parameters_with_momentum"].diagnoses
    assert by_name["update_lr"].status == "error"
    assert by_name["initialize_adam"].status == "missing"


def test_no_sentence_is_said_twice_in_a_function(page: str) -> None:
    seen = visible(page)
    assert len(seen.sections) == 8
    for section, parts in seen.sections.items():
        repeated = [s for s, n in Counter(sentences("".join(parts))).items() if n > 1]
        assert not repeated, (section, repeated)


def test_each_difference_is_described_once(graded: SubmissionResult, page: str) -> None:
    seen = visible(page)
    for function in graded.assignments[0].functions:
        if function.counterexample is None:
            continue
        section = squash("".join(seen.sections["optimization-" + function.name.replace("_", "-")]))
        for mismatch in function.counterexample.mismatches:
            summary = squash(mismatch.summary)
            assert section.count(summary) <= 1, (function.name, summary)


def test_the_diagnosis_is_explained_once(page: str) -> None:
    adam = squash("".join(visible(page).sections["optimization-update-parameters-with-adam"]))
    explanation = load_assignment_explanation("adam-no-bias-correction")
    first_sentence = explanation.split(". ")[0]
    assert adam.count(first_sentence) == 1, adam
    assert adam.count("Adam without bias correction") == 1, adam


def load_assignment_explanation(mistake_id: str) -> str:
    from dnn_autograder.grader.assignment.catalogue_index import all_mistakes

    return all_mistakes(load_assignment("optimization"))[mistake_id].explanation


def test_no_grader_jargon_in_the_visible_text(page: str) -> None:
    text = visible(page).text
    assert "checked by:" not in text
    assert "(exact)" not in text and "properties)" not in text


def test_a_passed_function_says_so_once(page: str) -> None:
    gd = squash("".join(visible(page).sections["optimization-update-parameters-with-gd"]))
    assert gd.count("43") == 1, gd


def test_header_has_file_name_score_and_readable_date(graded: SubmissionResult, page: str) -> None:
    header = squash("".join(visible(page).header))
    assert MIXED.name in header
    assert f"{graded.score:g} / {graded.max_score:g}" in header
    day = graded.graded_at[:10]
    year, month, date = day.split("-")
    months = ["January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December"]
    assert f"{int(date)} {months[int(month) - 1]} {year}" in header, header
    assert graded.graded_at not in header


def test_no_absolute_path_or_protection_in_the_visible_text(graded: SubmissionResult, page: str) -> None:
    text = visible(page).text
    assert str(MIXED.parent) not in text
    assert "/fixtures/" not in text
    assert graded.protections
    for name in graded.protections:
        assert name not in text.split(), name
        assert name in page, f"{name} must stay in the collapsed section"


def test_about_section_holds_seed_and_version(graded: SubmissionResult, page: str) -> None:
    about = page[page.index("<details"):page.index("</details>")]
    assert "About this grading" in about
    assert f"{load_assignment('optimization').case_seed}" in about
    assert graded.grader_version in about


def test_recognised_assignment_keeps_the_specs_seed(graded: SubmissionResult) -> None:
    assert graded.case_seed == load_assignment("optimization").case_seed != 0


def test_each_difference_is_labelled_once(page: str) -> None:
    adam = squash("".join(visible(page).sections["optimization-update-parameters-with-adam"]))
    # s_corrected is an output only (not an input), so its label appears once per difference
    assert adam.count('s_corrected["dW1"]') == 1, adam


def test_identifiers_are_never_broken() -> None:
    css = str(stylesheet())
    rule = css[css.index(".ident {"):]
    rule = rule[:rule.index("}")]
    assert "white-space: nowrap" in rule
    code = css[css.index("code, pre, .value {"):]
    assert "overflow-wrap: anywhere" not in code[:code.index("}")]


def test_difference_labels_are_wrapped_whole(page: str) -> None:
    adam = page[page.index('id="optimization-update-parameters-with-adam"'):]
    adam = adam[:adam.index("</section>")]
    assert '<code class="ident">s_corrected[&#34;dW1&#34;]</code>' in adam or \
        '<code class="ident">s_corrected[&quot;dW1&quot;]</code>' in adam, adam[:3000]


def _many_outputs_example():
    import numpy as np

    from dnn_autograder.grader.model import AssignmentResult, Counterexample, FunctionResult

    arrays = {f"W{i}": np.full((2, 2), float(i)) for i in range(1, 16)}
    inputs = {"parameters": arrays, "grads": {f"d{k}": v for k, v in arrays.items()}, "t": 2,
              "learning_rate": 0.01}
    expected = {"parameters": arrays, "v": {f"d{k}": v for k, v in arrays.items()}}
    got = {"parameters": {k: v + 1 for k, v in arrays.items()}, "v": {f"d{k}": v + 1 for k, v in arrays.items()}}
    example = Counterexample(inputs=inputs, expected=expected, got=got, label="generated")
    function = FunctionResult("update_parameters_with_adam", 0.0, 2.0, "failed", (),
                              "Wrong result on 3 of 3 test cases.", example, cases_run=3)
    assignment = AssignmentResult("optimization", "Optimization Methods", 0.0, 2.0, (function,))
    return SubmissionResult("a.py", 0.0, 2.0, (assignment,))


def test_scalar_inputs_are_always_shown() -> None:
    text = squash("".join(visible(render_report(_many_outputs_example(), draw=False)).text))
    assert "t = 2" in text and "learning_rate = 0.01" in text, text[:2000]


def test_many_differences_are_summarised_after_the_first_few() -> None:
    text = visible(render_report(_many_outputs_example(), draw=False)).text
    assert 1 <= text.count("Expected shape") <= 4, text  # side-by-side grids: only the first few
    for i in range(1, 16):
        assert text.count(f'parameters["W{i}"]') <= 2, i  # once as an input, once as a difference
        assert text.count(f'v["dW{i}"]') == 1, i


def test_the_case_label_is_said_once(graded: SubmissionResult, page: str) -> None:
    update_lr = next(f for f in graded.assignments[0].functions if f.name == "update_lr")
    label = update_lr.counterexample.label
    section = squash("".join(visible(page).sections["optimization-update-lr"]))
    assert label and section.count(label) == 1, section


def test_gradescope_shows_the_case_of_an_error(graded: SubmissionResult) -> None:
    from dnn_autograder.grader.outputs.exports.gradescope import function_output

    update_lr = next(f for f in graded.assignments[0].functions if f.name == "update_lr")
    text = function_output(update_lr, "optimization")
    assert text.count(update_lr.counterexample.label) == 1, text
    assert "The case that went wrong" in text
