"""The catalogue as data for readers: each assignment's ``catalogue.toml``.

The report, the terminal table and the Gradescope text need a mistake's title, explanation and
one-line fix, but not its mutant or structural check. ``mistakes.py`` imports the reference (the
answer key) and numpy to build those; ``catalogue.toml`` holds only the words, generated from
``mistakes.py`` and checked against it by a test, so readers never import the code that computes.

After adding or changing an entry in any ``mistakes.py``, regenerate every assignment's file::

    python -m dnn_autograder.grader.assignment.catalogue_data          # write
    python -m dnn_autograder.grader.assignment.catalogue_data --check  # exit 1 when a file is stale
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from dnn_autograder.grader.assignment.spec import ASSIGNMENTS_DIR, available_assignments

log = logging.getLogger(__name__)

FILE_NAME = "catalogue.toml"
REWRITE_COMMAND = "python -m dnn_autograder.grader.assignment.catalogue_data"
HEADER = (
    "# The words of this assignment's mistakes.py (ids, titles, explanations, one-line fixes).\n"
    "# Generated: do not edit. After changing mistakes.py run\n"
    "#     python -m dnn_autograder.grader.assignment.catalogue_data\n"
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`(\"'])")


@dataclass(frozen=True)
class Entry:
    """What a reader shows of one catalogued mistake.

    Attributes:
        id: the mistake's stable id (``adam-no-bias-correction``).
        function: the graded function it belongs to.
        title: one line naming the mistake.
        explanation: what the code did, why it is wrong, the correct formula.
        fix: one sentence saying what to change (see :func:`fix_of`).
    """

    id: str
    function: str
    title: str
    explanation: str
    fix: str


def fix_of(explanation: str) -> str:
    """The sentence of the explanation that says what to do: in the catalogue's style the last one
    holding a formula (an ``=``), else the last sentence."""
    parts = [p.strip() for p in _SENTENCE_END.split(explanation.strip()) if p.strip()]
    with_formula = [p for p in parts if "=" in p]
    return (with_formula or parts or [""])[-1]


def entries_of(mistakes: Iterable[object]) -> tuple[Entry, ...]:
    """Catalogue entries (anything with ``id``, ``function``, ``title``, ``explanation``) as data."""
    return tuple(
        Entry(id=m.id, function=m.function, title=m.title, explanation=m.explanation,  # type: ignore[attr-defined]
              fix=fix_of(m.explanation))  # type: ignore[attr-defined]
        for m in mistakes
    )


def to_toml(entries: Sequence[Entry]) -> str:
    """``catalogue.toml`` text: one ``[[mistake]]`` table per entry, in catalogue order."""
    blocks = [HEADER]
    for entry in entries:
        blocks.append("\n[[mistake]]\n" + "".join(
            f"{key} = {_string(getattr(entry, key))}\n"
            for key in ("id", "function", "title", "explanation", "fix")))
    return "".join(blocks)


def parse(text: str) -> dict[str, Entry]:
    """``{id: Entry}`` from ``catalogue.toml`` text."""
    data = tomllib.loads(text)
    return {row["id"]: Entry(**{key: str(row.get(key, "")) for key in
                                ("id", "function", "title", "explanation", "fix")})
            for row in data.get("mistake", [])}


@cache
def read_catalogue(assignment: str, root: Path = ASSIGNMENTS_DIR) -> Mapping[str, Entry]:
    """``{mistake id: Entry}`` of an assignment, or ``{}`` when it has no ``catalogue.toml``."""
    path = root / assignment / FILE_NAME
    try:
        return parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        log.debug("no %s for %s", FILE_NAME, assignment)
        return {}


def generated(assignment: str, root: Path = ASSIGNMENTS_DIR) -> str:
    """What ``catalogue.toml`` should hold, from the assignment's ``mistakes.py`` (imports it)."""
    from dnn_autograder.grader.assignment.catalogue_index import all_mistakes
    from dnn_autograder.grader.assignment.spec import load_assignment

    return to_toml(entries_of(all_mistakes(load_assignment(assignment, root)).values()))


def catalogue_problems(assignment: str, root: Path = ASSIGNMENTS_DIR) -> list[str]:
    """Why the assignment's ``catalogue.toml`` does not hold its ``mistakes.py``'s words (``[]``
    when it is current), for ``grade selfcheck``: readers would show stale or bare ids."""
    path = root / assignment / FILE_NAME
    try:
        text = generated(assignment, root)
    except Exception as exc:  # noqa: BLE001 - a catalogue that cannot load is reported elsewhere too
        return [f"{assignment}: {FILE_NAME} cannot be generated: {exc}"]
    if not path.is_file():
        return [f"{assignment}: {FILE_NAME} is missing: run {REWRITE_COMMAND}"]
    if path.read_text(encoding="utf-8") != text:
        return [f"{assignment}: {FILE_NAME} is stale (mistakes.py changed): run {REWRITE_COMMAND}"]
    return []


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write (or --check) every assignment's catalogue.toml.")
    parser.add_argument("--check", action="store_true", help="only report stale files; exit 1 if any")
    args = parser.parse_args(argv)
    stale, broken = [], []
    for name in available_assignments():
        path = ASSIGNMENTS_DIR / name / FILE_NAME
        try:
            text = generated(name)
        except Exception as exc:  # noqa: BLE001 - report every assignment, not just the first bad one
            broken.append(f"{name}: {exc}")
            continue
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(str(path))
        if not args.check:
            path.write_text(text, encoding="utf-8")
    verb = "stale" if args.check else "written"
    for name in stale:
        print(f"{verb}: {name}")
    for problem in broken:
        print(f"could not load: {problem}", file=sys.stderr)
    return 1 if broken or (args.check and stale) else 0


def _string(value: str) -> str:
    # a JSON string is a valid TOML basic string (same escapes; non-ASCII kept as is)
    return json.dumps(value, ensure_ascii=False)


if __name__ == "__main__":
    sys.exit(main())
