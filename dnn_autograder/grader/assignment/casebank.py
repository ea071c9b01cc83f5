"""The case bank: each assignment's Hypothesis-generated cases, stored beside its spec.

Drawing cases with Hypothesis costs seconds per assignment, and a different Hypothesis version
may draw different ones. So the drawn cases are stored in ``assignments/<name>/cases.bank`` (one
plain-data frame of :mod:`dnn_autograder.grader.sandbox.child.wire`: JSON plus raw array bytes, never pickle)
together with a digest of the files that define them. Every machine then grades on exactly the
same cases, and a cold start reads a file instead of running Hypothesis. A bank whose digest no
longer matches its sources is ignored (the cases are drawn live, with a warning) until it is
rewritten with ``python -m dnn_autograder.grader.assignment.casebank``.

Drawn cases differ from the banked ones, so the same file can get another grade. :func:`bank_status`
tells whether a bank is current; ``grade selfcheck`` fails on any bank that is not, and the ``grade``
command refuses to start (:func:`check_banks_at_startup`) where nobody would read the warning.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import struct
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from dnn_autograder.grader.assignment.spec import (
    ASSIGNMENTS_DIR,
    AssignmentSpec,
    FunctionSpec,
    assignment_module,
    available_assignments,
    load_assignment,
)
from dnn_autograder.grader.errors import CaseBankError
from dnn_autograder.grader.grading.scripts import plain_steps, steps_from_plain
from dnn_autograder.grader.model import Case
from dnn_autograder.grader.sandbox.child import wire

log = logging.getLogger(__name__)

BANK_FORMAT = 1
BANK_NAME = "cases.bank"
MAX_BANK_BYTES = 64 << 20
_STRATEGIES = Path(__file__).with_name("strategies.py")


REWRITE_HINT = "python -m dnn_autograder.grader.assignment.casebank"


@dataclass(frozen=True)
class BankStatus:
    """Whether one assignment's ``cases.bank`` can be used as it is.

    ``state`` is ``current`` (usable), ``missing`` (no file: usually an install without the
    package data), ``stale`` (written for other sources than the installed spec, cases.py or
    strategies), ``unreadable`` (not a bank of this format) or ``incomplete`` (a graded function
    has no cases in it).
    """

    assignment: str
    path: Path
    state: str

    @property
    def ok(self) -> bool:
        return self.state == "current"

    def describe(self) -> str:
        """One line for a person: which bank, what is wrong, what to do."""
        what = {
            "current": "is current",
            "missing": "is missing (was the grader installed without its package data?)",
            "stale": "is stale (the case seed, a function's strategy or number of cases, cases.py or the "
                     "strategies changed since it was written)",
            "unreadable": "cannot be read",
            "incomplete": "has no cases for some graded function",
        }[self.state]
        fix = "" if self.ok else f"; rewrite it with `{REWRITE_HINT} {self.assignment}` or reinstall the grader"
        return f"{self.assignment}: case bank {self.path} {what}{fix}"


def bank_status(spec: AssignmentSpec, folder: Path | None = None) -> BankStatus:
    """The state of the bank in ``folder`` (default: the spec's own folder), judged against
    ``spec`` and the cases.py beside the bank."""
    folder = folder or spec.folder
    path = folder / BANK_NAME
    if not path.is_file():
        return BankStatus(spec.name, path, "missing")
    try:
        header = _read_header(path.read_bytes())
    except (wire.WireError, TypeError, ValueError, OSError, struct.error):
        return BankStatus(spec.name, path, "unreadable")
    if header.get("format") != BANK_FORMAT or header.get("source") != _digest(spec, folder):
        return BankStatus(spec.name, path, "stale")
    functions = header.get("functions")
    if not isinstance(functions, dict) or any(f.name not in functions for f in spec.functions):
        return BankStatus(spec.name, path, "incomplete")
    return BankStatus(spec.name, path, "current")


def unusable_banks(specs: Iterable[AssignmentSpec]) -> tuple[BankStatus, ...]:
    """The banks among ``specs`` that grading would not use (it would draw cases instead)."""
    return tuple(status for status in map(bank_status, specs) if not status.ok)


def in_ci(environ: Mapping[str, str]) -> bool:
    """True on a continuous-integration runner (``CI`` set to a true value, or ``GITHUB_ACTIONS``)."""
    flag = environ.get("CI", "").strip().lower()
    return flag not in ("", "0", "false", "no") or bool(environ.get("GITHUB_ACTIONS"))


def check_banks_at_startup(assignment: str | None, *, draw_cases: bool, writes_results: bool,
                           environ: Mapping[str, str] | None = None, root: Path = ASSIGNMENTS_DIR) -> None:
    """Refuse to grade on drawn cases where a warning would go unread.

    Drawn cases are not the banked ones, so grades made on them differ from every other
    install's. That is an error (not a warning) in CI and whenever the grades leave the terminal
    (``writes_results``: JSON, Gradescope, reports or class outputs), unless ``draw_cases`` says
    it is wanted. In a plain terminal run the grader warns and draws.

    Raises:
        CaseBankError: a bank of ``assignment`` (of every assignment when None) is not current.
    """
    environ = os.environ if environ is None else environ
    if draw_cases or not (writes_results or in_ci(environ)):
        return
    names = [assignment] if assignment else list(available_assignments(root))
    bad = unusable_banks(load_assignment(name, root) for name in names)
    if bad:
        lines = "\n  ".join(status.describe() for status in bad)
        raise CaseBankError(
            f"refusing to grade on cases drawn live (grades would differ from other installs):\n  {lines}\n"
            "Pass --draw-cases to grade anyway with freshly drawn cases.")


def source_digest(spec: AssignmentSpec) -> str:
    """Hash of what determines the generated cases: the spec's case seed and each function's
    name, position, strategy and number of cases, then cases.py and the vocabulary. Other spec
    keys (points, tolerances, output names, titles, comments) leave the bank current."""
    return _digest(spec, spec.folder)


def _digest(spec: AssignmentSpec, folder: Path) -> str:
    digest = hashlib.sha256()
    determining = {"case_seed": spec.case_seed,
                   "functions": [[f.name, f.strategy, f.cases] for f in spec.functions]}
    digest.update(json.dumps(determining, sort_keys=True).encode())
    for path in (folder / "cases.py", _STRATEGIES, *_borrowed_cases(folder)):
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()[:20]


_BORROWED = re.compile(r"^from\s+dnn_autograder\.assignments\.(\w+)\.cases\s+import", re.MULTILINE)


def _borrowed_cases(folder: Path) -> list[Path]:
    """The other assignments' ``cases.py`` that this folder's ``cases.py`` imports (a template
    year that reuses another's cases): a change there changes this bank's cases too."""
    path = folder / "cases.py"
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    return [folder.parent / name / "cases.py" for name in sorted(set(_BORROWED.findall(text))) if name != folder.name]


def generated_cases(spec: AssignmentSpec) -> Mapping[str, tuple[Case, ...]]:
    """``{function name: its generated cases}``: from the bank when it is current, else drawn."""
    banked = _read_bank(spec)
    if banked is not None and all(f.name in banked for f in spec.functions):
        return banked
    log.warning("%s: case bank missing or stale; drawing cases with Hypothesis (slower). "
                "Run `python -m dnn_autograder.grader.assignment.casebank` to rewrite it.", spec.name)
    return {f.name: draw_function_cases(spec, f) for f in spec.functions}


def draw_function_cases(spec: AssignmentSpec, function: FunctionSpec) -> tuple[Case, ...]:
    """Draw ``function.cases`` examples of its strategy with the assignment's fixed seed."""
    from dnn_autograder.grader.assignment.sampling import draw_cases  # Hypothesis: only when drawing

    index = spec.function_names.index(function.name)
    strategy = getattr(assignment_module(spec, "cases"), function.strategy)()
    return draw_cases(strategy, function.cases, seed=spec.case_seed * 1000 + index)


def __getattr__(name: str) -> Any:
    """``draw_cases`` (:mod:`.sampling`'s) is imported on first use: it imports Hypothesis (~0.2 s
    of CPU), which reading and checking banks never needs (a class batch's parent process)."""
    if name == "draw_cases":
        from dnn_autograder.grader.assignment.sampling import draw_cases

        return draw_cases
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def write_bank(spec: AssignmentSpec) -> Path:
    """Draw every function's cases and store them; returns the bank's path."""
    encoder = wire.Encoder(MAX_BANK_BYTES)
    functions = {
        f.name: [_encode_case(encoder, case) for case in draw_function_cases(spec, f)] for f in spec.functions
    }
    header = {"format": BANK_FORMAT, "source": source_digest(spec), "functions": functions}
    path = spec.folder / BANK_NAME
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(wire.pack(header, encoder))
    tmp.replace(path)
    _read_bank_cached.cache_clear()
    return path


def restamp_bank(spec: AssignmentSpec) -> Path:
    """Mark the existing bank current for the sources as they are now, keeping its cases.

    For a change that cannot alter the generated cases (an edge case's label in cases.py, a new
    digest formula): drawing anew would replace every case (draws differ between Hypothesis
    versions) and so change grades. Whether the strategies really are unchanged is the caller's
    judgement; ``git diff`` of cases.py and strategies.py shows it.
    """
    path = spec.folder / BANK_NAME
    data = path.read_bytes()
    head_len, body_len = wire.HEADER.unpack_from(data)
    start = wire.HEADER.size
    header = _read_header(data)
    header["source"] = source_digest(spec)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(wire.pack(header, body=data[start + head_len:start + head_len + body_len]))
    tmp.replace(path)
    _read_bank_cached.cache_clear()
    return path


def _read_bank(spec: AssignmentSpec) -> Mapping[str, tuple[Case, ...]] | None:
    path = spec.folder / BANK_NAME
    if not path.is_file():
        return None
    return _read_bank_cached(str(path), source_digest(spec))


@lru_cache(maxsize=16)
def _read_bank_cached(path: str, digest: str) -> Mapping[str, tuple[Case, ...]] | None:
    data = Path(path).read_bytes()
    try:
        head_len, body_len = wire.HEADER.unpack_from(data)
        start = wire.HEADER.size
        header = _read_header(data)
        body = bytearray(data[start + head_len:start + head_len + body_len])
        if header.get("format") != BANK_FORMAT or header.get("source") != digest:
            return None
        return {
            name: tuple(_decode_case(item, body) for item in items)
            for name, items in header["functions"].items()
        }
    except (wire.WireError, KeyError, TypeError, ValueError) as exc:
        log.warning("%s: unreadable case bank (%s); drawing cases instead", path, exc)
        return None


def _read_header(data: bytes) -> dict[str, Any]:
    """The JSON header of a bank file (format, source digest, functions), without the arrays."""
    head_len, _ = wire.HEADER.unpack_from(data)
    start = wire.HEADER.size
    header = wire.parse_header(data[start:start + head_len])
    if not isinstance(header, dict):
        raise ValueError("the bank's header is not a mapping")
    return header


def _encode_case(encoder: wire.Encoder, case: Case) -> dict[str, Any]:
    return {
        "args": encoder.encode(dict(case.args)),
        "world": case.world,
        "seed": case.seed,
        "label": case.label,
        **({"steps": encoder.encode(plain_steps(case.steps))} if case.steps else {}),
    }


def _decode_case(item: Mapping[str, Any], body: bytearray) -> Case:
    args = wire.decode(item["args"], body)
    if not isinstance(args, dict):
        raise ValueError("case arguments are not a mapping")
    steps = steps_from_plain(wire.decode(item["steps"], body)) if "steps" in item else ()
    return Case(args=args, world=str(item["world"]), seed=item["seed"], label=str(item["label"]), steps=steps)


def main(argv: list[str] | None = None) -> int:
    """Rewrite the case banks of the named assignments (all by default); with ``--restamp``, keep
    their cases and only mark them current (:func:`restamp_bank`)."""
    args = list(argv if argv is not None else sys.argv[1:])
    restamp = "--restamp" in args
    names = [a for a in args if a != "--restamp"] or list(available_assignments())
    for name in names:
        spec = load_assignment(name)
        path = restamp_bank(spec) if restamp else write_bank(spec)
        print(f"{'restamped' if restamp else 'wrote'} {path} ({path.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
