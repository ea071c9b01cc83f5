"""The case bank: each assignment's Hypothesis-generated cases, stored beside its spec.

Drawing cases with Hypothesis costs seconds per assignment, and a different Hypothesis version
may draw different ones. So the drawn cases are stored in ``assignments/<name>/cases.bank`` (one
plain-data frame of :mod:`dnn_autograder.grader.sandbox.child.wire`: JSON plus raw array bytes, never pickle)
together with a digest of the files that define them. Every machine then grades on exactly the
same cases, and a cold start reads a file instead of running Hypothesis. A bank whose digest no
longer matches its sources is ignored (the cases are drawn live, with a warning) until it is
rewritten with ``python -m dnn_autograder.grader.casebank``.
"""

from __future__ import annotations

import hashlib
import logging
import sys
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from dnn_autograder.grader.model import Case
from dnn_autograder.grader.sandbox.child import wire
from dnn_autograder.grader.spec import (
    AssignmentSpec,
    FunctionSpec,
    assignment_module,
    available_assignments,
    load_assignment,
)

log = logging.getLogger(__name__)

BANK_FORMAT = 1
BANK_NAME = "cases.bank"
MAX_BANK_BYTES = 64 << 20
_STRATEGIES = Path(__file__).with_name("strategies.py")


def source_digest(spec: AssignmentSpec) -> str:
    """Hash of what determines the generated cases: the spec, cases.py and the vocabulary."""
    digest = hashlib.sha256()
    for path in (spec.folder / "spec.toml", spec.folder / "cases.py", _STRATEGIES):
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()[:20]


def generated_cases(spec: AssignmentSpec) -> Mapping[str, tuple[Case, ...]]:
    """``{function name: its generated cases}``: from the bank when it is current, else drawn."""
    banked = _read_bank(spec)
    if banked is not None and all(f.name in banked for f in spec.functions):
        return banked
    log.warning("%s: case bank missing or stale; drawing cases with Hypothesis (slower). "
                "Run `python -m dnn_autograder.grader.casebank` to rewrite it.", spec.name)
    return {f.name: draw_function_cases(spec, f) for f in spec.functions}


def draw_function_cases(spec: AssignmentSpec, function: FunctionSpec) -> tuple[Case, ...]:
    """Draw ``function.cases`` examples of its strategy with the assignment's fixed seed."""
    from dnn_autograder.grader.suite import draw_cases

    index = spec.function_names.index(function.name)
    strategy = getattr(assignment_module(spec, "cases"), function.strategy)()
    return draw_cases(strategy, function.cases, seed=spec.case_seed * 1000 + index)


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
        header = wire.parse_header(data[start:start + head_len])
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


def _encode_case(encoder: wire.Encoder, case: Case) -> dict[str, Any]:
    return {
        "args": encoder.encode(dict(case.args)),
        "world": case.world,
        "seed": case.seed,
        "label": case.label,
    }


def _decode_case(item: Mapping[str, Any], body: bytearray) -> Case:
    args = wire.decode(item["args"], body)
    if not isinstance(args, dict):
        raise ValueError("case arguments are not a mapping")
    return Case(args=args, world=str(item["world"]), seed=item["seed"], label=str(item["label"]))


def main(argv: list[str] | None = None) -> int:
    """Rewrite the case banks of the named assignments (all by default)."""
    names = (argv if argv is not None else sys.argv[1:]) or list(available_assignments())
    for name in names:
        path = write_bank(load_assignment(name))
        print(f"wrote {path} ({path.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
