"""Plain dicts for the report template, built from a :class:`~dnn_autograder.grader.model.SubmissionResult`.

All text that may come from a student (output, tracebacks, messages, values, keys) passes
through :func:`dnn_autograder.grader.outputs.render.text.clean` here and is escaped by Jinja2 in the template.
"""

from __future__ import annotations

import functools
import logging
import tomllib
from collections.abc import Mapping
from datetime import datetime
from pathlib import PurePath
from typing import Any, Protocol

from dnn_autograder.grader.assignment.catalogue_data import read_catalogue
from dnn_autograder.grader.grading.labels import named_path
from dnn_autograder.grader.grading.messages import example_heading, lead
from dnn_autograder.grader.model import AssignmentResult, Counterexample, FunctionResult, SubmissionResult
from dnn_autograder.grader.outputs.render import plots
from dnn_autograder.grader.outputs.render.env import trusted_svg
from dnn_autograder.grader.outputs.render.final_block import final_grade_rows
from dnn_autograder.grader.outputs.render.text import clean, clip_output, points, segments, slug
from dnn_autograder.grader.outputs.render.values import MISSING, input_views, pair_views

log = logging.getLogger(__name__)

#: heatmaps of large differing arrays drawn per report (each costs ~30 ms)
MAX_HEATMAPS = 3
#: differing outputs shown side by side (expected | yours); further ones are listed in a line each
MAX_SIDE_BY_SIDE = 3

STATUS = {
    "passed": {"word": "passed", "symbol": "\u2713", "css": "passed"},
    "failed": {"word": "failed", "symbol": "\u2717", "css": "failed"},
    "error": {"word": "error", "symbol": "!", "css": "error"},
    "missing": {"word": "missing", "symbol": "\u2013", "css": "missing"},
}


#: what each way of checking a case means, for the "About this grading" section
CHECK_WORDS = {
    "exact": "compared with the answer key's results",
    "properties": "checked against the properties any correct answer must have",
    "error": "stopped by an error",
}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


class MistakeLike(Protocol):
    """What the report needs of a catalogue entry (:class:`dnn_autograder.grader.assignment.catalogue_data.Entry`;
    a :class:`dnn_autograder.grader.assignment.catalogue.Mistake` also fits, its fix read from the explanation)."""

    @property
    def title(self) -> str: ...

    @property
    def explanation(self) -> str: ...


#: ``{assignment name: {mistake id: mistake}}``
Catalogue = Mapping[str, Mapping[str, MistakeLike]]


def load_catalogue(assignment: str) -> Mapping[str, MistakeLike]:
    """The assignment's ``catalogue.toml`` (words only: no mutant, no reference is imported), or
    ``{}`` when it cannot be read (ids are shown alone)."""
    try:
        return read_catalogue(assignment)
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
    who = clean(result.student or _file_name(result.submission), limit=200)
    files = [_file_name(a.source) for a in result.assignments if a.source]
    assignments = [_assignment(a, mistakes_for(a.assignment, catalogue), budget, draw)
                   for a in result.assignments]
    return {
        "title": f"Feedback report: {who}",
        "student": None if result.student is None else clean(result.student, limit=200),
        "files": list(dict.fromkeys(files)) or [_file_name(result.submission)],
        "submission": clean(result.submission, limit=400),
        "score": points(result.score),
        "max_score": points(result.max_score),
        "percent": _percent(result.score, result.max_score),
        "grader_version": clean(result.grader_version or "unknown", limit=60),
        "graded_at": clean(result.graded_at or "unknown", limit=60),
        "graded_on": readable_time(result.graded_at),
        "case_seeds": _case_seeds(result),
        "duration": f"{result.duration_s:.1f} s",
        "protections": [clean(p, limit=200) for p in result.protections],
        "error": None if result.error is None else segments(result.error),
        "notes": [segments(n) for n in dict.fromkeys(result.notes)],
        "ignored": [{"file": clean(i.file, limit=200), "reason": clean(i.reason, limit=400)}
                    for i in getattr(result, "ignored", ())
                    if f"{i.file}: {i.reason}" not in (result.error or "")],  # each reason once
        "checks": [row for a in assignments for row in a.pop("checks")],
        "assignments": assignments,
        "final_grades": final_grade_rows(result),
    }


def readable_time(stamp: str) -> str:
    """``2026-12-06T03:45:10+00:00`` as "6 December 2026, 03:45 UTC" (the stamp itself if unreadable)."""
    try:
        moment = datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return clean(stamp or "unknown", limit=60)
    offset = moment.utcoffset()
    zone = "" if offset is None else "UTC" if not offset else moment.strftime("UTC%z")
    text = f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}, {moment:%H:%M}"
    return f"{text} {zone}".strip()


def _file_name(path: str) -> str:
    """The last part of a path (students need the file's name, not the grader's folders)."""
    return clean(PurePath(str(path).replace("\\", "/")).name or path, limit=200)


def _case_seeds(result: SubmissionResult) -> list[dict[str, Any]]:
    """Each graded assignment's case seed (from its ``spec.toml``), or the result's own."""
    seeds = []
    for a in result.assignments:
        seed = _spec_seed(a.assignment)
        seeds.append({"title": clean(a.title or a.assignment, limit=200),
                      "seed": result.case_seed if seed is None else seed})
    return seeds


def _spec_seed(assignment: str) -> int | None:
    """The ``case_seed`` of the assignment's ``spec.toml`` as the file is now (None when it has
    none, or cannot be read): parsed once per version of the file (its size and modification
    time), not once per report."""
    from dnn_autograder.grader.assignment.spec import ASSIGNMENTS_DIR

    path = ASSIGNMENTS_DIR / assignment / "spec.toml"
    try:
        info = path.stat()
    except (OSError, ValueError):
        return None
    return _seed_of(str(path), info.st_mtime_ns, info.st_size, info.st_ino)


@functools.lru_cache(maxsize=32)
def _seed_of(path: str, _mtime_ns: int, _size: int, _inode: int) -> int | None:
    try:
        with open(path, encoding="utf-8") as stream:
            data = tomllib.loads(stream.read())
        return int(data["case_seed"])
    except (OSError, KeyError, ValueError, TypeError, tomllib.TOMLDecodeError):
        return None


def _assignment(result: AssignmentResult, mistakes: Mapping[str, MistakeLike],
                budget: dict[str, int], draw: bool) -> dict[str, Any]:
    anchor = slug(result.assignment)
    functions = [_function(f, anchor, mistakes, budget) for f in result.functions]
    checks = [{"function": f["name"], "passed": r.cases_passed, "run": r.cases_run,
               "how": [CHECK_WORDS.get(c, clean(c, limit=100)) for c in r.checks]}
              for f, r in zip(functions, result.functions, strict=True) if r.cases_run]
    counts = {key: sum(1 for f in result.functions if f.status == key) for key in STATUS}
    figures = []
    if draw and result.figures:
        figures = plots.figure_blocks(result.figures, f"fig-{anchor}", result.assignment)
    for block in figures:
        block["svg"] = trusted_svg(block["svg"]) if block["svg"] else ""
    return {
        "id": anchor,
        "name": clean(result.assignment, limit=100),
        "title": clean(result.title or result.assignment, limit=200),
        "score": points(result.score),
        "max_score": points(result.max_score),
        "source": _file_name(result.source) if result.source else "",
        "ignored": [{"file": clean(i.file, limit=200), "reason": clean(i.reason, limit=400)}
                    for i in getattr(result, "ignored", ())],
        "notes": [segments(n) for n in dict.fromkeys(result.notes)],
        "counts": [{"status": STATUS[k], "count": v} for k, v in counts.items() if v],
        "functions": functions,
        "figures": figures,
        "checks": checks,
    }


def _function(result: FunctionResult, assignment_id: str, mistakes: Mapping[str, MistakeLike],
              budget: dict[str, int]) -> dict[str, Any]:
    known = [mistakes[d] for d in result.diagnoses if d in mistakes]
    return {
        "id": slug(assignment_id, result.name),
        "name": clean(result.name, limit=120),
        "status": STATUS.get(result.status, STATUS["error"]),
        "score": points(result.score),
        "max_score": points(result.max_score),
        "message": segments(lead(result.message, known)),
        "diagnoses": [_diagnosis(d, mistakes) for d in result.diagnoses],
        "example": None if result.counterexample is None else _example(
            result.counterexample, budget, result.status, named=bool(known),
            said=lead(result.message, known)),
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


def _example(example: Counterexample, budget: dict[str, int], status: str, *,
             named: bool = False, said: str = "") -> dict[str, Any]:
    """The example case; ``said`` is the message above it (a difference it states is not listed again)."""
    inputs, omitted = input_views(example.inputs)
    pairs: list[dict[str, Any]] = []
    if example.got:
        names = list(example.expected) + [n for n in example.got if n not in example.expected]
        for name in names:
            pairs.extend(pair_views(example.expected.get(name, MISSING),
                                    example.got.get(name, MISSING), str(name)))
    for view in (*inputs, *pairs):  # the course's names for tuple items: A1 (in cache), not cache[2]
        view["where"] = named_path(view["where"], example.item_names)
    expected_only = [] if example.got else input_views(example.expected)[0]
    mismatches: list[dict[str, Any]] = [
        {"where": clean(m.where, limit=200), "kind": clean(m.kind, limit=40),
         "summary": segments(m.summary),
         "rows": [[clean(cell, limit=120) for cell in (*row, "", "", "")[:3]]
                  for row in m.rows[:12]]}
        for m in example.mismatches[:12]
    ]
    differing = [p for p in pairs if p["state"] != "matches"]
    _attach_mismatches(differing, mismatches)
    shown = {p["where"] for p in differing}
    differing, also = _first_of_each_output(differing)
    heats = {id(pair): pair.pop("heat") for pair in pairs}
    for pair in differing:
        pair["heat_svg"] = _heat_svg(heats[id(pair)], pair["where"], budget)
    return {
        "heading": example_heading(status, named),
        "label": clean(example.label, limit=200),
        "script": [clean(line, limit=300) for line in example.script[:40]],
        "step": example.step,
        "inputs": inputs,
        "inputs_omitted": omitted,
        "differing": differing,
        "also_differing": [{"where": p["where"], "summary": p["summary"], "note": p["note"]} for p in also],
        "matching": [p["where"] for p in pairs if p["state"] == "matches"],
        "expected_only": expected_only,
        "mismatches": [m for m in mismatches if m["where"] not in shown
                       and "".join(part["text"] for part in m["summary"]).rstrip(".") not in said],
    }


def _heat_svg(heat: Any, where: str, budget: dict[str, int]) -> Any:
    """A heatmap of ``|yours - expected|`` while the page's budget lasts, else ``""``."""
    if heat is None or budget["heatmaps"] <= 0:
        return ""
    budget["heatmaps"] -= 1
    try:
        return trusted_svg(plots.heatmap(heat, where, f"heat-{budget['heatmaps']}-{slug(where)}"))
    except Exception:  # noqa: BLE001 - the numbers are still shown as text
        log.exception("heatmap failed")
        return ""


def _first_of_each_output(pairs: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The differences shown side by side (all when there are few, else the first of each
    output, at most :data:`MAX_SIDE_BY_SIDE`) and the rest, listed by label and summary only."""
    if len(pairs) <= MAX_SIDE_BY_SIDE:
        return pairs, []
    full: list[dict[str, Any]] = []
    rest: list[dict[str, Any]] = []
    outputs: set[str] = set()
    for pair in pairs:
        output = pair["where"].split("[", 1)[0]
        if output not in outputs and len(full) < MAX_SIDE_BY_SIDE:
            outputs.add(output)
            full.append(pair)
        else:
            rest.append(pair)
    return full, rest


def _attach_mismatches(pairs: list[dict[str, Any]], mismatches: list[dict[str, Any]]) -> None:
    """Label each difference once: a pair shown side by side takes its mismatch's summary (and,
    when the values are too large for a grid, its table of differing elements)."""
    by_where = {m["where"]: m for m in mismatches}
    for pair in pairs:
        found = by_where.get(pair["where"])
        pair["summary"] = found["summary"] if found else []
        grids = [side for side in (pair["expected"], pair["yours"]) if side and side["kind"] == "grid"]
        pair["rows"] = found["rows"] if found and not grids else []


def _percent(score: float, max_score: float) -> int:
    return round(100 * score / max_score) if max_score else 0
