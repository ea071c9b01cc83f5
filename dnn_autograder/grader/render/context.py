"""Plain dicts for the report template, built from a :class:`~dnn_autograder.grader.model.SubmissionResult`.

All text that may come from a student (output, tracebacks, messages, values, keys) passes
through :func:`dnn_autograder.grader.render.text.clean` here and is escaped by Jinja2 in the template.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Protocol

from dnn_autograder.grader.model import AssignmentResult, Counterexample, FunctionResult, SubmissionResult
from dnn_autograder.grader.render import plots
from dnn_autograder.grader.render.env import trusted_svg
from dnn_autograder.grader.render.text import clean, clip_output, points, segments, slug
from dnn_autograder.grader.render.values import MISSING, input_views, pair_views

log = logging.getLogger(__name__)

#: heatmaps of large differing arrays drawn per report (each costs ~30 ms)
MAX_HEATMAPS = 3

STATUS = {
    "passed": {"word": "passed", "symbol": "\u2713", "css": "passed"},
    "failed": {"word": "failed", "symbol": "\u2717", "css": "failed"},
    "error": {"word": "error", "symbol": "!", "css": "error"},
    "missing": {"word": "missing", "symbol": "\u2013", "css": "missing"},
}


class MistakeLike(Protocol):
    """What the report needs of a catalogue entry (:class:`dnn_autograder.grader.catalogue.Mistake`)."""

    @property
    def title(self) -> str: ...

    @property
    def explanation(self) -> str: ...


#: ``{assignment name: {mistake id: mistake}}``
Catalogue = Mapping[str, Mapping[str, MistakeLike]]


def load_catalogue(assignment: str) -> Mapping[str, MistakeLike]:
    """The assignment's catalogue, or ``{}`` when it cannot be loaded (ids are shown alone)."""
    try:
        from dnn_autograder.grader.catalogue_index import all_mistakes
        from dnn_autograder.grader.spec import load_assignment

        return all_mistakes(load_assignment(assignment))
    except Exception:  # noqa: BLE001 - a missing catalogue must not stop a report
        log.debug("no catalogue for %s", assignment, exc_info=True)
        return {}


def mistakes_for(assignment: str, catalogue: Catalogue | None) -> Mapping[str, MistakeLike]:
    if catalogue is not None:
        return catalogue.get(assignment, {})
    return load_catalogue(assignment)


def report_context(result: SubmissionResult, *, catalogue: Catalogue | None = None,
                   draw: bool = True) -> dict[str, Any]:
    """Everything the report template shows, as plain dicts and strings."""
    budget = {"heatmaps": MAX_HEATMAPS if draw else 0}
    who = clean(result.student or result.submission, limit=200)
    return {
        "title": f"Feedback report: {who}",
        "student": None if result.student is None else clean(result.student, limit=200),
        "submission": clean(result.submission, limit=400),
        "score": points(result.score),
        "max_score": points(result.max_score),
        "percent": _percent(result.score, result.max_score),
        "grader_version": clean(result.grader_version or "unknown", limit=60),
        "graded_at": clean(result.graded_at or "unknown", limit=60),
        "case_seed": result.case_seed,
        "duration": f"{result.duration_s:.1f} s",
        "protections": [clean(p, limit=200) for p in result.protections],
        "error": None if result.error is None else segments(result.error),
        "notes": [segments(n) for n in result.notes],
        "assignments": [_assignment(a, mistakes_for(a.assignment, catalogue), budget, draw)
                        for a in result.assignments],
    }


def _assignment(result: AssignmentResult, mistakes: Mapping[str, MistakeLike],
                budget: dict[str, int], draw: bool) -> dict[str, Any]:
    anchor = slug(result.assignment)
    functions = [_function(f, anchor, mistakes, budget) for f in result.functions]
    counts = {key: sum(1 for f in result.functions if f.status == key) for key in STATUS}
    figures = []
    if draw and result.figures:
        figures = plots.figure_blocks(result.figures, f"fig-{anchor}")
    for block in figures:
        block["svg"] = trusted_svg(block["svg"]) if block["svg"] else ""
    return {
        "id": anchor,
        "name": clean(result.assignment, limit=100),
        "title": clean(result.title or result.assignment, limit=200),
        "score": points(result.score),
        "max_score": points(result.max_score),
        "source": clean(result.source, limit=400),
        "notes": [segments(n) for n in result.notes],
        "counts": [{"status": STATUS[k], "count": v} for k, v in counts.items() if v],
        "functions": functions,
        "figures": figures,
    }


def _function(result: FunctionResult, assignment_id: str, mistakes: Mapping[str, MistakeLike],
              budget: dict[str, int]) -> dict[str, Any]:
    return {
        "id": slug(assignment_id, result.name),
        "name": clean(result.name, limit=120),
        "status": STATUS.get(result.status, STATUS["error"]),
        "score": points(result.score),
        "max_score": points(result.max_score),
        "message": segments(result.message),
        "cases_run": result.cases_run,
        "cases_passed": result.cases_passed,
        "checks": [clean(c, limit=100) for c in result.checks],
        "diagnoses": [_diagnosis(d, mistakes) for d in result.diagnoses],
        "example": None if result.counterexample is None else _example(
            result.counterexample, budget, result.status),
        "output": clip_output(result.output) if result.output else None,
        "traceback": "\n".join(clean(line).rstrip("\n") for line in result.traceback),
    }


def _diagnosis(mistake_id: str, mistakes: Mapping[str, MistakeLike]) -> dict[str, Any]:
    mistake = mistakes.get(mistake_id)
    if mistake is None:
        return {"id": clean(mistake_id, limit=100), "title": clean(mistake_id, limit=100),
                "explanation": [], "known": False}
    return {"id": clean(mistake_id, limit=100), "title": clean(mistake.title, limit=300),
            "explanation": segments(mistake.explanation), "known": True}


def _example(example: Counterexample, budget: dict[str, int], status: str) -> dict[str, Any]:
    inputs, omitted = input_views(example.inputs)
    pairs: list[dict[str, Any]] = []
    if example.got:
        names = list(example.expected) + [n for n in example.got if n not in example.expected]
        for name in names:
            pairs.extend(pair_views(example.expected.get(name, MISSING),
                                    example.got.get(name, MISSING), str(name)))
    for pair in pairs:
        heat = pair.pop("heat")
        pair["heat_svg"] = ""
        if heat is not None and budget["heatmaps"] > 0:
            budget["heatmaps"] -= 1
            prefix = f"heat-{budget['heatmaps']}-{slug(pair['where'])}"
            try:
                pair["heat_svg"] = trusted_svg(plots.heatmap(heat, pair["where"], prefix))
            except Exception:  # noqa: BLE001 - the numbers are still shown as text
                log.exception("heatmap failed")
    expected_only = [] if example.got else input_views(example.expected)[0]
    return {
        "heading": "The case that went wrong" if status == "error" else "Smallest failing case",
        "label": clean(example.label, limit=200),
        "inputs": inputs,
        "inputs_omitted": omitted,
        "differing": [p for p in pairs if p["state"] != "matches"],
        "matching": [p["where"] for p in pairs if p["state"] == "matches"],
        "expected_only": expected_only,
        "mismatches": [
            {"where": clean(m.where, limit=200), "kind": clean(m.kind, limit=40),
             "summary": segments(m.summary),
             "rows": [[clean(cell, limit=120) for cell in (*row, "", "", "")[:3]]
                      for row in m.rows[:12]]}
            for m in example.mismatches[:12]
        ],
    }


def _percent(score: float, max_score: float) -> int:
    return round(100 * score / max_score) if max_score else 0
