"""The class summary: distribution, pass rates, frequent mistakes, student table, links."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import result_fixtures as rf
from render_html_checks import assert_safe_and_accessible

from dnn_autograder.grader.outputs.render import render_class_summary, write_class_summary
from dnn_autograder.grader.outputs.render.summary import summary_context

LINKS = {"alice": "alice/report.html", "bob": "bob/report.html",
         "javascript:alert(1)": "javascript:alert(1)/report.html"}


@pytest.fixture(scope="module")
def page(catalogue: dict) -> str:
    return render_class_summary(rf.classroom(), LINKS, catalogue=catalogue)


def test_summary_is_safe_and_accessible(page: str) -> None:
    parsed = assert_safe_and_accessible(page)
    assert page.count('<svg role="img"') == 2
    assert "javascript%3Aalert%281%29/report.html" in parsed.hrefs


def test_student_table_links_reports(page: str) -> None:
    assert '<a href="alice/report.html">alice</a>' in page
    assert '<a href="bob/report.html">bob</a>' in page
    assert "<th scope=\"row\">carol</th>" in page  # no report link given
    assert "not graded: could not recognise the assignment &lt;script&gt;" in page
    row = page[page.index('<a href="alice/report.html">alice</a>'):]
    row = row[: row.index("</tr>")]
    assert re.search(r"1 passed.*3 failed.*1 error.*1 missing", row, re.S)


def test_frequent_mistakes_link_to_the_function(page: str) -> None:
    assert "<strong>Adam without bias correction</strong>" in page
    assert "3 students" in page
    anchor = "#optimization-update-parameters-with-adam"
    assert f'<a href="alice/report.html{anchor}">alice</a>' in page
    assert f'<a href="bob/report.html{anchor}">bob</a>' in page


def test_pass_rates_and_distribution() -> None:
    context = summary_context(rf.classroom(), LINKS, catalogue=rf.catalogue(), draw=False)
    rates = {f["name"]: (f["rate"], f["passed"], f["total"]) for f in context["functions"]}
    assert rates["update_parameters_with_gd"] == (67, 2, 3)
    assert rates["random_mini_batches"] == (0, 0, 3)
    assert context["count"] == 4 and context["not_graded"] == 1
    assert [s["name"] for s in context["students"]] == ["alice", "bob", "carol",
                                                        "javascript:alert(1)"]


def test_empty_class(catalogue: dict) -> None:
    page = render_class_summary([], {}, catalogue=catalogue)
    assert "No catalogued mistake was diagnosed." in page and "<svg" not in page


def test_write_class_summary(tmp_path: Path, catalogue: dict) -> None:
    target = tmp_path / "out" / "summary.html"
    write_class_summary(target, rf.classroom(), LINKS, catalogue=catalogue)
    assert "Class summary" in target.read_text(encoding="utf-8")
