"""The class summary page: score distribution, pass rate per function, the most frequent
diagnosed mistakes (with links to the students concerned) and a table of students linking to
their reports.

``report_links`` maps a student's key (``SubmissionResult.student``, else ``submission``) to
the relative path of their report, as a plain path (not URL-encoded): it is percent-encoded
here, so a folder name such as ``javascript:x`` stays a relative link.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from dnn_autograder.grader.model import SubmissionResult
from dnn_autograder.grader.outputs.render import summary_charts
from dnn_autograder.grader.outputs.render.context import STATUS, Catalogue, mistakes_for
from dnn_autograder.grader.outputs.render.env import render, trusted_svg
from dnn_autograder.grader.outputs.render.text import clean, points, slug

#: mistakes listed, most frequent first
TOP_MISTAKES = 10


def render_class_summary(results: Sequence[SubmissionResult], report_links: Mapping[str, str],
                         *, catalogue: Catalogue | None = None, draw: bool = True) -> str:
    """The summary page of a class of submissions."""
    summary = summary_context(results, report_links, catalogue=catalogue, draw=draw)
    return render("summary.html.j2", summary=summary, grader_version=summary["grader_version"])


def write_class_summary(path: str | Path, results: Sequence[SubmissionResult],
                        report_links: Mapping[str, str], *,
                        catalogue: Catalogue | None = None) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_class_summary(results, report_links, catalogue=catalogue),
                      encoding="utf-8")


def student_key(result: SubmissionResult) -> str:
    """The key of ``report_links`` for this result."""
    return result.student or result.submission


def summary_context(results: Iterable[SubmissionResult], report_links: Mapping[str, str], *,
                    catalogue: Catalogue | None = None, draw: bool = True) -> dict[str, Any]:
    """What the page shows, from one pass over ``results`` (a big class's are read back from
    disk one at a time: each pass costs a read of every result)."""
    links = {key: _href(value) for key, value in report_links.items()}
    percents: list[float] = []
    versions: set[str] = set()
    not_graded = 0
    students: list[tuple[str, int, dict[str, Any]]] = []
    table: dict[tuple[str, str], dict[str, Any]] = {}
    mistakes: Counter[tuple[str, str, str]] = Counter()
    who: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for index, result in enumerate(results):
        percents.append(100 * result.score / result.max_score if result.max_score else 0.0)
        if result.grader_version:
            versions.add(result.grader_version)
        not_graded += result.error is not None
        students.append((student_key(result).lower(), index, _student(result, links)))
        _count_functions(table, result)
        _count_mistakes(mistakes, who, result, links)
    functions = _function_rows(table)
    context = {
        "title": "Class summary",
        "grader_version": clean(", ".join(sorted(versions)) or "unknown", limit=100),
        "count": len(percents),
        "not_graded": not_graded,
        "mean": f"{statistics.fmean(percents):.0f}" if percents else "\u2013",
        "median": f"{statistics.median(percents):.0f}" if percents else "\u2013",
        "students": [row for _, _, row in sorted(students)],  # by name, ties in class order
        "functions": functions,
        "mistakes": _top_mistakes(mistakes, who, catalogue),
        "score_svg": "",
        "pass_svg": "",
    }
    if draw and percents:
        context["score_svg"] = trusted_svg(summary_charts.score_histogram(percents, "summary-scores"))
    if draw and functions:
        labels = [f["name"].replace("$", "") for f in functions]
        context["pass_svg"] = trusted_svg(
            summary_charts.pass_rates(labels, [f["rate"] for f in functions], "summary-pass"))
    return context


def _student(result: SubmissionResult, links: Mapping[str, str]) -> dict[str, Any]:
    key = student_key(result)
    counts: Counter[str] = Counter(str(f.status) for a in result.assignments for f in a.functions)
    return {
        "name": clean(key, limit=200),
        "href": links.get(key),
        "score": points(result.score),
        "max_score": points(result.max_score),
        "counts": [{"status": STATUS[s], "count": counts.get(s, 0)} for s in STATUS],
        "error": None if result.error is None else clean(result.error, limit=300),
    }


def _count_functions(table: dict[tuple[str, str], dict[str, Any]], result: SubmissionResult) -> None:
    for assignment in result.assignments:
        for f in assignment.functions:
            row = table.setdefault((assignment.assignment, f.name), {
                "assignment": clean(assignment.title or assignment.assignment, limit=200),
                "name": clean(f.name, limit=120), **{s: 0 for s in STATUS}, "total": 0})
            row[f.status if f.status in STATUS else "error"] += 1
            row["total"] += 1


def _function_rows(table: dict[tuple[str, str], dict[str, Any]]) -> list[dict[str, Any]]:
    for row in table.values():
        row["rate"] = round(100 * row["passed"] / row["total"]) if row["total"] else 0
    return list(table.values())


def _count_mistakes(counts: Counter[tuple[str, str, str]], who: dict[tuple[str, str, str], list[dict[str, Any]]],
                    result: SubmissionResult, links: Mapping[str, str]) -> None:
    key = student_key(result)
    for assignment in result.assignments:
        for f in assignment.functions:
            for mistake_id in dict.fromkeys(f.diagnoses):
                item = (assignment.assignment, f.name, mistake_id)
                counts[item] += 1
                href = links.get(key)
                anchor = slug(slug(assignment.assignment), f.name)
                who.setdefault(item, []).append({
                    "name": clean(key, limit=200),
                    "href": f"{href}#{anchor}" if href else None,
                })


def _top_mistakes(counts: Counter[tuple[str, str, str]], who: dict[tuple[str, str, str], list[dict[str, Any]]],
                  catalogue: Catalogue | None) -> list[dict[str, Any]]:
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_MISTAKES]
    out = []
    for (name, function, mistake_id), count in ranked:
        mistake = mistakes_for(name, catalogue).get(mistake_id)
        out.append({
            "id": clean(mistake_id, limit=100),
            "title": clean(mistake.title if mistake else mistake_id, limit=300),
            "function": clean(function, limit=120),
            "count": count,
            "students": who[(name, function, mistake_id)],
        })
    return out


def _href(path: str) -> str:
    """A relative link: each character outside the unreserved set and ``/`` is percent-encoded
    (a ``:`` too, so no link can carry a scheme)."""
    return quote(str(path).replace("\\", "/"), safe="/")
