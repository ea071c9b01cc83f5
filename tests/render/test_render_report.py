"""The student's HTML report: content, escaping of hostile text, self-containment."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import result_fixtures as rf
from render_html_checks import assert_safe_and_accessible

from dnn_autograder.grader.outputs.render import render_report, write_report
from dnn_autograder.grader.outputs.render.context import report_context


@pytest.fixture(scope="module")
def page(catalogue: dict) -> str:
    return render_report(rf.submission(), catalogue=catalogue)


@pytest.fixture(scope="module")
def hostile(catalogue: dict) -> str:
    return render_report(rf.hostile_submission(), catalogue=catalogue)


def _section(page: str, function: str) -> str:
    start = page.index(f'id="optimization-{function.replace("_", "-")}"')
    end = page.find('<section class="function', start + 1)
    return page[start:end if end > 0 else len(page)]


def test_header_facts(page: str) -> None:
    assert "<h1>Feedback report</h1>" in page
    for fact in ("alice", "class/alice", "Optimization Methods", "1 / 8", "12%", rf.GRADED_AT,
                 rf.VERSION, "Case seed", "separate process; wall-clock deadline; memory limit"):
        assert fact in page, fact


@pytest.mark.parametrize(
    ("function", "symbol", "word", "points"),
    [
        ("update_parameters_with_gd", "\u2713", "passed", "1 / 1 points"),
        ("update_parameters_with_adam", "\u2717", "failed", "0 / 2 points"),
        ("initialize_adam", "!", "error", "0 / 1 points"),
        ("random_mini_batches", "\u2013", "missing", "0 / 2 points"),
    ],
    ids=["passed", "failed", "error", "missing"],
)
def test_status_in_words_and_symbol(page: str, function: str, symbol: str, word: str,
                                    points: str) -> None:
    section = _section(page, function)
    badge = (f'<span class="status status-{word}"><span class="symbol" aria-hidden="true">'
             f"{symbol}</span> {word}</span>")
    assert badge in section
    assert points in section


def test_diagnosis_shows_catalogue_title_and_formula(page: str) -> None:
    section = _section(page, "update_parameters_with_adam")
    assert "<strong>Adam without bias correction</strong>" in section
    assert '<code class="ident">adam-no-bias-correction</code>' in section
    assert "<code>v_corrected = v / (1 - beta1**t)</code>" in section


def test_unknown_diagnosis_falls_back_to_its_id() -> None:
    page = render_report(rf.submission(), catalogue={})
    section = _section(page, "update_parameters_with_adam")
    assert "<strong>adam-no-bias-correction</strong>" in section


def test_smallest_failing_case_marks_differing_cells(page: str) -> None:
    section = _section(page, "update_parameters_with_adam")
    # a named mistake's example is "a case that shows" it (not necessarily the smallest)
    assert "A case that shows this mistake" in section and "edge: first step (t = 1)" in section
    marked = re.findall(r'<td class="diff"><strong>([^<]+)</strong>', section)
    assert marked == ["0.8316", "0.4364", "0.8439", "-0.0636"]  # expected side, then yours
    assert "(differs)" in section and "2 of 6 elements differ" in section
    assert 'These parts match: <code class="ident">parameters[&#34;b1&#34;]</code>' in section
    # the differing cells are shown once, in the grids: no second table of the same elements
    assert '<table class="rows">' not in section
    assert section.count("2 of 6 elements differ") == 1


def test_large_difference_is_drawn_as_heatmap(page: str) -> None:
    section = _section(page, "update_parameters_with_momentum")
    assert section.count('<svg role="img"') == 1
    assert 'aria-label="Heatmap of the absolute difference for v[&quot;dW1&quot;]"' in section
    assert "10 of 120 elements differ" in section
    assert "array of shape (10, 12)" in section


def test_error_shows_traceback_and_output(page: str) -> None:
    section = _section(page, "initialize_adam")
    assert "The case that went wrong" in section
    assert "Traceback (your code only)" in section
    assert "KeyError: &#39;dW3&#39;" in section
    assert "hello from the student" in section
    assert "Expected result" not in section or "<code>parameters" in section


def test_wrong_type_is_explained(page: str) -> None:
    section = _section(page, "update_lr")
    # said once, beside the values (the comparison's wording, not a second one of the report's)
    assert section.count("expected float, got str") == 1
    assert "types differ" not in section


def test_overview_links_every_function(page: str) -> None:
    for name in ("update_parameters_with_gd", "random_mini_batches", "update_lr"):
        assert f'href="#optimization-{name.replace("_", "-")}"' in page


def test_page_is_self_contained_and_accessible(page: str) -> None:
    parsed = assert_safe_and_accessible(page)
    assert parsed.tags["style"] == 1
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_hostile_text_is_inert(hostile: str) -> None:
    parsed = assert_safe_and_accessible(hostile)
    assert parsed.tags["img"] == 0 and parsed.tags["b"] == 0 and parsed.tags["i"] == 0
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile
    assert "&lt;/pre&gt;&lt;b&gt;not bold&lt;/b&gt;" in hostile
    assert "&lt;img src=x onerror=alert(3)&gt;" in hostile  # the student's name, as text
    assert "{{ 7 * 7 }}" in hostile and "{% raw %}" in hostile  # not evaluated
    for number in range(1, 12):  # every planted alert is present, escaped
        assert f"alert({number})" in hostile, number


def test_hostile_control_characters_and_unicode(hostile: str) -> None:
    assert "\x00" not in hostile and "\x1b" not in hostile and "\u202e" not in hostile
    assert "\\x00" in hostile and "\\x1b[31mred" in hostile and "\\u202eevil" in hostile
    assert "\u00fcn\u00efc\u00f6d\u00e9 \u2713 \U0001F600" in hostile
    hostile.encode("utf-8")  # lone surrogates were replaced


def test_long_output_is_cut_in_the_middle(hostile: str) -> None:
    assert "END-OF-OUTPUT" in hostile  # the tail is kept
    assert re.search(r"the middle \d+ characters are not shown", hostile)
    assert hostile.count("x" * 3000) <= 1 and len(hostile) < 120_000


def test_write_report_creates_folders(tmp_path: Path, catalogue: dict) -> None:
    target = tmp_path / "out" / "alice" / "report.html"
    write_report(target, rf.submission(), catalogue=catalogue)
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_report_with_pictures(all_figures: dict, catalogue: dict) -> None:
    page = render_report(rf.submission(figures=all_figures), catalogue=catalogue)
    assert_safe_and_accessible(page)
    assert "Pictures from your code" in page
    for title in ("Your optimizers on an elongated bowl", "Activations of a deep network",
                  "Your dropout against keep_prob", "What your gradient_check reports"):
        assert title in page, title
    assert page.count('<svg role="img"') == 5  # four pictures and one heatmap
    assert "<style" not in page.split("</style>", 1)[1]  # matplotlib's page-wide style removed


def test_draw_false_leaves_pictures_out(all_figures: dict, catalogue: dict) -> None:
    page = render_report(rf.submission(figures=all_figures), catalogue=catalogue, draw=False)
    assert "<svg" not in page and "Pictures from your code" not in page


def test_bad_figure_data_yields_a_note(catalogue: dict) -> None:
    page = render_report(rf.submission(figures={"gradient_check": {"cases": "nonsense"}}),
                         catalogue=catalogue)
    assert "This picture could not be drawn." in page


def test_context_is_plain_data(catalogue: dict) -> None:
    context = report_context(rf.submission(), catalogue=catalogue, draw=False)

    def walk(value: object) -> None:
        assert not isinstance(value, np.ndarray | np.generic), type(value)
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    walk(context)


def test_submission_that_could_not_be_graded() -> None:
    result = rf.classroom()[3]
    page = render_report(result, catalogue={})
    assert_safe_and_accessible(page)
    assert "Not graded:" in page and "Nothing was graded" in page
    assert "&lt;script&gt;" in page
