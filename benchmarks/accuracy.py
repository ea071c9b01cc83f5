#!/usr/bin/env python
"""How accurate is the grader on student code its authors did not write?

Grades the independent bank of student solutions in ``tests/fixtures/bank/``:

* ``correct/<assignment>__<variant>.{py,ipynb}``: correct solutions written in many styles. Every
  graded function a file defines must get full marks; anything else is a *false failure*.
* ``wrong/<assignment>__<bug>.py``: one realistic bug each, described by a header::

      # BUG: <function>: <what is wrong>
      # EXPECT: <catalogued diagnosis id, or "none">
      # ACCEPT: <id>[, <id>...]      (optional: ids judged to describe the bug fairly)

  *Detection*: the buggy function loses points. *Recall*: files with ``EXPECT: <id>`` diagnosed
  with that id. *Precision*: diagnoses that are right (the EXPECT id, or an ACCEPT id) over every
  diagnosis given on the wrong files (any function of them).

``--seeds N`` also grades N correct submissions of the stochastic functions
(``initialize_parameters_random``, ``initialize_parameters_he``,
``forward_propagation_with_dropout``, ``random_mini_batches``) that draw from
``np.random.default_rng(<seed>)`` with seed = 0..N-1 written into the source, and counts the
functions that do not get full marks (false failures of the statistical checks).

    python benchmarks/accuracy.py [--json out.json] [--seeds [N]] [--no-bank] [--no-shrink]

``--no-shrink`` skips the Hypothesis shrinking of counterexamples (it only changes the case shown
to the student, never a score or a diagnosis) and makes the bank run several times faster.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BANK = ROOT / "tests" / "fixtures" / "bank"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dnn_autograder.grader.assignment.spec import load_assignment  # noqa: E402
from dnn_autograder.grader.grading.pipeline import grade_submission  # noqa: E402
from dnn_autograder.grader.sandbox import Limits, Sandbox  # noqa: E402

ASSIGNMENTS = ("initialization", "regularization", "gradient_checking", "optimization")

# ----------------------------------------------------------------------------- the bank


@dataclass(frozen=True)
class BankFile:
    path: Path
    kind: str  #: "correct" or "wrong"
    assignment: str
    defines: tuple[str, ...]  #: graded functions the file defines (found by our own parse)
    bug_function: str = ""
    bug: str = ""
    expect: str = "none"
    accept: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.path.name


_BUG = re.compile(r"^#\s*BUG:\s*([A-Za-z_]\w*)\s*:\s*(.+)$", re.M)
_EXPECT = re.compile(r"^#\s*EXPECT:\s*(\S+)\s*$", re.M)
_ACCEPT = re.compile(r"^#\s*ACCEPT:\s*(.+)$", re.M)


_CELL_BREAK = "\n\n# %% next cell\n\n"


def _is_ipython_line(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(("%", "!", "?")) or stripped.endswith("?")


def _source(path: Path) -> str:
    """The Python source of a .py, or the code cells of a notebook (magics, shell and help lines
    removed) joined by ``_CELL_BREAK``."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".ipynb":
        return text
    out = []
    for cell in json.loads(text)["cells"]:
        if cell.get("cell_type") != "code":
            continue
        src = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        out.append("\n".join(ln for ln in src.splitlines() if not _is_ipython_line(ln)))
    return _CELL_BREAK.join(out)


def _defined_functions(path: Path, assignment: str) -> tuple[str, ...]:
    """Graded functions defined at top level; a notebook is parsed cell by cell and cells that
    are not valid Python (a Python 2 print, a half-written line) are skipped, as Jupyter would
    fail only that cell."""
    names: set[str] = set()
    for chunk in _source(path).split(_CELL_BREAK):
        try:
            tree = ast.parse(chunk)
        except SyntaxError:
            continue
        names |= {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    graded = load_assignment(assignment).function_names
    return tuple(n for n in graded if n in names)


def assignment_of(path: Path) -> str:
    name = path.name.split("__", 1)[0]
    if name not in ASSIGNMENTS:
        raise ValueError(f"{path.name}: the file name must start with an assignment name and '__'")
    return name


def load_bank(bank: Path = BANK) -> list[BankFile]:
    files: list[BankFile] = []
    for kind in ("correct", "wrong"):
        for path in sorted((bank / kind).glob("*")):
            if path.suffix not in (".py", ".ipynb") or path.name.startswith(("_", ".")):
                continue
            assignment = assignment_of(path)
            defines = _defined_functions(path, assignment)
            if kind == "correct":
                files.append(BankFile(path, kind, assignment, defines))
                continue
            text = _source(path)
            bug, expect = _BUG.search(text), _EXPECT.search(text)
            if bug is None or expect is None:
                raise ValueError(f"{path.name}: needs '# BUG: <function>: ...' and '# EXPECT: ...' lines")
            accept = tuple(a.strip() for m in _ACCEPT.finditer(text) for a in m.group(1).split(",") if a.strip())
            if bug.group(1) not in defines:
                raise ValueError(f"{path.name}: the BUG line names {bug.group(1)}, which the file does not define")
            files.append(
                BankFile(
                    path,
                    kind,
                    assignment,
                    defines,
                    bug.group(1),
                    bug.group(2).strip(),
                    expect.group(1),
                    accept,
                )
            )
    return files


def same_mistake(diagnosis: str, expected: str) -> bool:
    """The grader names the ``gradient_check_n`` version of a gradient-check mistake with an
    ``-n-`` infix (``gradcheck-n-one-sided`` for ``gradcheck-one-sided``): the same mistake."""
    return diagnosis == expected or diagnosis.replace("gradcheck-n-", "gradcheck-", 1) == expected


def diagnosis_is_right(file: BankFile, function: str, diagnosis: str) -> bool:
    if function != file.bug_function:
        return False  # the other functions of a wrong file are correct: any diagnosis is wrong
    if file.expect != "none" and same_mistake(diagnosis, file.expect):
        return True
    return any(same_mistake(diagnosis, a) for a in file.accept)


# ----------------------------------------------------------------------------- grading


@contextlib.contextmanager
def shrinking(enabled: bool) -> Iterator[None]:
    """Optionally replace the counterexample shrinker by "the smallest failing case as is"."""
    if enabled:
        yield
        return
    import dnn_autograder.grader.grading.grade_function as gf
    from dnn_autograder.grader.values import size_of

    original = gf.smallest_failure
    gf.smallest_failure = lambda session, suite, failing, properties=None: min(
        failing, key=lambda o: (o.errored, size_of(o.case.args))
    )
    try:
        yield
    finally:
        gf.smallest_failure = original


@dataclass
class FunctionVerdict:
    name: str
    status: str
    score: float
    max_score: float
    diagnoses: tuple[str, ...]
    message: str

    @property
    def full(self) -> bool:
        return self.status == "passed" and self.score >= self.max_score


@dataclass
class FileVerdict:
    file: str
    kind: str
    assignment: str
    functions: dict[str, FunctionVerdict]
    seconds: float
    error: str | None = None


def grade_file(sb: Sandbox, file: BankFile) -> FileVerdict:
    started = time.monotonic()
    result = grade_submission(file.path, assignment=file.assignment, sandbox=sb)
    functions = {}
    for assignment in result.assignments:
        for f in assignment.functions:
            if f.name in file.defines:
                functions[f.name] = FunctionVerdict(
                    f.name, f.status, f.score, f.max_score, tuple(f.diagnoses), f.message
                )
    return FileVerdict(
        file.name,
        file.kind,
        file.assignment,
        functions,
        round(time.monotonic() - started, 3),
        result.error,
    )


# ----------------------------------------------------------------------------- bank report


@dataclass
class BankReport:
    correct_files: int = 0
    correct_full: int = 0
    false_failures: list[dict] = field(default_factory=list)
    wrong_files: int = 0
    detected: int = 0
    missed: list[dict] = field(default_factory=list)
    catalogued: int = 0
    recalled: int = 0
    recall_misses: list[dict] = field(default_factory=list)
    diagnoses_given: int = 0
    diagnoses_right: int = 0
    diagnoses_wrong: list[dict] = field(default_factory=list)
    accepted_on_none: list[dict] = field(default_factory=list)
    undiagnosed: list[str] = field(default_factory=list)
    side_failures: list[dict] = field(default_factory=list)  #: non-buggy functions of wrong files
    seconds: float = 0.0

    @property
    def recall(self) -> float:
        return self.recalled / self.catalogued if self.catalogued else float("nan")

    @property
    def precision(self) -> float:
        return self.diagnoses_right / self.diagnoses_given if self.diagnoses_given else float("nan")


def evaluate_bank(
    sb: Sandbox, files: list[BankFile], *, progress: bool = False
) -> tuple[BankReport, list[FileVerdict]]:
    report = BankReport()
    verdicts = []
    started = time.monotonic()
    for i, file in enumerate(files, 1):
        v = grade_file(sb, file)
        verdicts.append(v)
        if progress:
            print(f"  [{i:3d}/{len(files)}] {v.seconds:6.2f}s {file.name}", file=sys.stderr)
        if file.kind == "correct":
            report.correct_files += 1
            bad = [f for name in file.defines if not (f := v.functions.get(name)) or not f.full]
            missing = [n for n in file.defines if n not in v.functions]
            if not bad and not missing:
                report.correct_full += 1
            for f in bad:
                if f is not None:
                    report.false_failures.append(
                        {
                            "file": file.name,
                            "function": f.name,
                            "status": f.status,
                            "score": f"{f.score}/{f.max_score}",
                            "diagnoses": list(f.diagnoses),
                            "message": f.message,
                        }
                    )
            for n in missing:
                report.false_failures.append(
                    {
                        "file": file.name,
                        "function": n,
                        "status": "not graded",
                        "score": "-",
                        "diagnoses": [],
                        "message": v.error or "",
                    }
                )
            continue
        report.wrong_files += 1
        buggy = v.functions.get(file.bug_function)
        lost = buggy is not None and not buggy.full
        if lost:
            report.detected += 1
        else:
            report.missed.append(
                {
                    "file": file.name,
                    "function": file.bug_function,
                    "bug": file.bug,
                    "status": buggy.status if buggy else "not graded",
                }
            )
        if file.expect != "none":
            report.catalogued += 1
            if buggy is not None and any(same_mistake(d, file.expect) for d in buggy.diagnoses):
                report.recalled += 1
            else:
                report.recall_misses.append(
                    {
                        "file": file.name,
                        "expect": file.expect,
                        "status": buggy.status if buggy else "not graded",
                        "diagnoses": list(buggy.diagnoses) if buggy else [],
                        "message": buggy.message if buggy else "",
                    }
                )
        if buggy is not None and lost and not buggy.diagnoses:
            report.undiagnosed.append(file.name)
        for f in v.functions.values():
            if f.name != file.bug_function and not f.full:
                report.side_failures.append(
                    {
                        "file": file.name,
                        "function": f.name,
                        "status": f.status,
                        "diagnoses": list(f.diagnoses),
                        "message": f.message,
                    }
                )
            for d in f.diagnoses:
                report.diagnoses_given += 1
                if diagnosis_is_right(file, f.name, d):
                    report.diagnoses_right += 1
                    if file.expect == "none" or not same_mistake(d, file.expect):
                        report.accepted_on_none.append({"file": file.name, "diagnosis": d, "bug": file.bug})
                else:
                    report.diagnoses_wrong.append(
                        {
                            "file": file.name,
                            "function": f.name,
                            "diagnosis": d,
                            "expect": file.expect,
                            "bug": file.bug,
                            "message": f.message,
                        }
                    )
    report.seconds = round(time.monotonic() - started, 2)
    return report, verdicts


def print_bank(report: BankReport) -> None:
    print("=" * 78)
    print(
        f"CORRECT files: {report.correct_full}/{report.correct_files}"
        " got full marks on every function they define"
        f"  (false failures: {len(report.false_failures)})"
    )
    for f in report.false_failures:
        print(f"  FALSE FAILURE {f['file']} :: {f['function']} [{f['status']} {f['score']}] {f['diagnoses']}")
        print(f"      {f['message'][:400]}")
    print()
    print(f"WRONG files: detection {report.detected}/{report.wrong_files} (buggy function lost points)")
    for m in report.missed:
        print(f"  NOT DETECTED {m['file']} :: {m['function']} [{m['status']}]: {m['bug']}")
    print(
        f"  recall    {report.recalled}/{report.catalogued} catalogued bugs diagnosed with their id"
        f" = {report.recall:.3f}"
    )
    for m in report.recall_misses:
        print(f"  RECALL MISS {m['file']}: expected {m['expect']}, got {m['diagnoses']} [{m['status']}]")
        print(f"      {m['message'][:300]}")
    print(f"  precision {report.diagnoses_right}/{report.diagnoses_given} diagnoses right = {report.precision:.3f}")
    for d in report.diagnoses_wrong:
        print(f"  WRONG DIAGNOSIS {d['file']} :: {d['function']}: {d['diagnosis']} (EXPECT {d['expect']})")
        print(f"      bug: {d['bug']}")
        print(f"      grader said: {d['message'][:300]}")
    if report.accepted_on_none:
        print("  diagnoses on EXPECT: none files judged fair (ACCEPT lines), for review:")
        for d in report.accepted_on_none:
            print(f"    {d['file']}: {d['diagnosis']}  (bug: {d['bug']})")
    print(f"  wrong files with no diagnosis on the buggy function: {len(report.undiagnosed)}")
    for f in report.side_failures:
        print(f"  SIDE FAILURE (correct function in a wrong file) {f['file']} :: {f['function']} [{f['status']}]")
    print(f"  bank graded in {report.seconds:.1f} s")


# ----------------------------------------------------------------------------- seeds

STOCHASTIC = {
    "initialization": ("initialize_parameters_random", "initialize_parameters_he"),
    "regularization": ("forward_propagation_with_dropout",),
    "optimization": ("random_mini_batches",),
}

SEEDED_SOURCES = {
    "initialization": """import numpy as np


def initialize_parameters_random(layers_dims):
    rng = np.random.default_rng({seed})
    parameters = {{}}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = rng.standard_normal((layers_dims[l], layers_dims[l - 1])) * 10
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def initialize_parameters_he(layers_dims):
    rng = np.random.default_rng({seed})
    parameters = {{}}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = rng.standard_normal((layers_dims[l], layers_dims[l - 1])) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
""",
    "regularization": """import numpy as np
from reg_utils import relu, sigmoid


def forward_propagation_with_dropout(X, parameters, keep_prob=0.5):
    rng = np.random.default_rng({seed})
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    W3, b3 = parameters["W3"], parameters["b3"]
    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    D1 = (rng.random(A1.shape) < keep_prob).astype(int)
    A1 = A1 * D1 / keep_prob
    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    D2 = (rng.random(A2.shape) < keep_prob).astype(int)
    A2 = A2 * D2 / keep_prob
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)
    cache = (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)
    return A3, cache
""",
    "optimization": """import math

import numpy as np


def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    rng = np.random.default_rng({seed})
    m = X.shape[1]
    permutation = rng.permutation(m)
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[:, permutation].reshape((1, m))
    mini_batches = []
    for k in range(math.ceil(m / mini_batch_size)):
        mini_batches.append((shuffled_X[:, k * mini_batch_size:(k + 1) * mini_batch_size],
                             shuffled_Y[:, k * mini_batch_size:(k + 1) * mini_batch_size]))
    return mini_batches
""",
}


@dataclass
class SeedsReport:
    seeds: int = 0
    graded_functions: int = 0
    failures: list[dict] = field(default_factory=list)
    per_function_failures: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    seconds_per_seed: float = 0.0


def run_seeds(sb: Sandbox, n: int, *, first: int = 0, progress: bool = False) -> SeedsReport:
    report = SeedsReport(seeds=n, per_function_failures={f: 0 for fs in STOCHASTIC.values() for f in fs})
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="seeds-") as tmp:
        for seed in range(first, first + n):
            for assignment, functions in STOCHASTIC.items():
                path = Path(tmp) / f"{assignment}__seed{seed}.py"
                path.write_text(SEEDED_SOURCES[assignment].format(seed=seed), encoding="utf-8")
                result = grade_submission(path, assignment=assignment, sandbox=sb)
                by_name = {f.name: f for a in result.assignments for f in a.functions}
                for name in functions:
                    report.graded_functions += 1
                    f = by_name.get(name)
                    if f is None or f.status != "passed" or f.score < f.max_score:
                        report.per_function_failures[name] += 1
                        report.failures.append(
                            {
                                "seed": seed,
                                "function": name,
                                "status": f.status if f else "not graded",
                                "diagnoses": list(f.diagnoses) if f else [],
                                "message": f.message if f else (result.error or ""),
                            }
                        )
                path.unlink()
            if progress and (seed - first + 1) % 50 == 0:
                el = time.monotonic() - started
                print(
                    f"  seeds: {seed - first + 1}/{n} in {el:.0f} s, {len(report.failures)} failures",
                    file=sys.stderr,
                )
    report.seconds = round(time.monotonic() - started, 2)
    report.seconds_per_seed = round(report.seconds / max(n, 1), 4)
    return report


def _seeds_worker(job: tuple[int, int]) -> SeedsReport:
    first, n = job
    with Sandbox(Limits()) as sb:
        return run_seeds(sb, n, first=first)


def run_seeds_parallel(n: int, *, first: int = 0, jobs: int = 2) -> SeedsReport:
    """The same as :func:`run_seeds`, split over ``jobs`` processes (one Sandbox each)."""
    import concurrent.futures

    started = time.monotonic()
    size = -(-n // jobs)
    chunks = [(first + i, min(size, n - i)) for i in range(0, n, size)]
    merged = SeedsReport(seeds=n, per_function_failures={f: 0 for fs in STOCHASTIC.values() for f in fs})
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs) as pool:
        for part in pool.map(_seeds_worker, chunks):
            merged.graded_functions += part.graded_functions
            merged.failures += part.failures
            for k, v in part.per_function_failures.items():
                merged.per_function_failures[k] += v
    merged.failures.sort(key=lambda f: (f["seed"], f["function"]))
    merged.seconds = round(time.monotonic() - started, 2)
    merged.seconds_per_seed = round(merged.seconds / max(n, 1), 4)
    return merged


def print_seeds(report: SeedsReport) -> None:
    print("=" * 78)
    print(
        f"SEEDS: {report.seeds} seeds x {sum(len(f) for f in STOCHASTIC.values())}"
        f" stochastic functions = {report.graded_functions} gradings;"
        f" functions without full marks: {len(report.failures)}"
    )
    for name, count in report.per_function_failures.items():
        print(f"  {name:36s} {count} / {report.seeds}")
    for f in report.failures[:25]:
        print(f"  FAIL seed {f['seed']} {f['function']} [{f['status']}] {f['diagnoses']}: {f['message'][:200]}")
    if len(report.failures) > 25:
        print(f"  ... and {len(report.failures) - 25} more")
    print(
        f"  time: {report.seconds:.1f} s ({report.seconds_per_seed * 1000:.0f} ms per seed,"
        f" {report.seconds / max(report.graded_functions, 1) * 1000:.0f} ms per function grading)"
    )


# ----------------------------------------------------------------------------- main


def summary_table(bank: BankReport | None, seeds: SeedsReport | None) -> str:
    rows = []
    if bank is not None:
        rows += [
            ("correct files with full marks", f"{bank.correct_full}/{bank.correct_files}"),
            ("false failures (functions)", str(len(bank.false_failures))),
            ("wrong files detected", f"{bank.detected}/{bank.wrong_files}"),
            (
                "recall (catalogued bugs, right id)",
                f"{bank.recalled}/{bank.catalogued} = {bank.recall:.3f}",
            ),
            (
                "precision (right diagnoses)",
                f"{bank.diagnoses_right}/{bank.diagnoses_given} = {bank.precision:.3f}",
            ),
            ("wrong diagnoses", str(len(bank.diagnoses_wrong))),
            ("wrong files without a diagnosis", f"{len(bank.undiagnosed)}/{bank.wrong_files}"),
            ("bank grading time", f"{bank.seconds:.1f} s"),
        ]
    if seeds is not None:
        rows += [
            ("seeded stochastic gradings", f"{seeds.graded_functions} ({seeds.seeds} seeds)"),
            ("stochastic false failures", str(len(seeds.failures))),
            ("seeds time", f"{seeds.seconds:.1f} s ({seeds.seconds_per_seed * 1000:.0f} ms/seed)"),
        ]
    width = max(len(r[0]) for r in rows)
    line = "+" + "-" * (width + 2) + "+" + "-" * 26 + "+"
    out = [line, f"| {'measure'.ljust(width)} | {'value'.ljust(24)} |", line]
    out += [f"| {k.ljust(width)} | {v.ljust(24)} |" for k, v in rows]
    out.append(line)
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", type=Path, help="write every verdict and measure to this file")
    parser.add_argument(
        "--seeds",
        type=int,
        nargs="?",
        const=1000,
        default=None,
        metavar="N",
        help="also grade N differently-seeded correct stochastic submissions (default N: 1000)",
    )
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="grade the seeds in this many processes (one Sandbox each; default 1: the shared one)",
    )
    parser.add_argument("--no-bank", action="store_true", help="skip the bank (with --seeds)")
    parser.add_argument(
        "--no-shrink",
        action="store_true",
        help="skip counterexample shrinking (scores and diagnoses are unchanged)",
    )
    parser.add_argument("--bank", type=Path, default=BANK)
    parser.add_argument("-v", "--verbose", action="store_true", help="progress on stderr")
    args = parser.parse_args(argv)

    bank_report = seeds_report = None
    verdicts: list[FileVerdict] = []
    with shrinking(not args.no_shrink), Sandbox(Limits()) as sb:
        if not args.no_bank:
            files = load_bank(args.bank)
            n_c = sum(f.kind == "correct" for f in files)
            n_w = len(files) - n_c
            n_cat = sum(f.kind == "wrong" and f.expect != "none" for f in files)
            print(
                f"bank: {n_c} correct files, {n_w} wrong files ({n_cat} catalogued, {n_w - n_cat} beyond the catalogue)"
            )
            bank_report, verdicts = evaluate_bank(sb, files, progress=args.verbose)
            print_bank(bank_report)
        if args.seeds and args.jobs <= 1:
            seeds_report = run_seeds(sb, args.seeds, first=args.first_seed, progress=args.verbose)
    if args.seeds and args.jobs > 1:
        seeds_report = run_seeds_parallel(args.seeds, first=args.first_seed, jobs=args.jobs)
    if seeds_report is not None:
        print_seeds(seeds_report)
    print(summary_table(bank_report, seeds_report))
    if args.json:
        payload = {
            "bank": asdict(bank_report) | {"recall": bank_report.recall, "precision": bank_report.precision}
            if bank_report
            else None,
            "files": [asdict(v) for v in verdicts],
            "seeds": asdict(seeds_report) if seeds_report else None,
        }
        args.json.write_text(json.dumps(payload, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
