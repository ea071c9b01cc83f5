"""The grader's own memory is bounded whatever the student sends (issue 11).

Each test grades one hostile submission in a fresh Python process and reads that process's peak
resident memory (``VmHWM``; the sandbox worker and children are other processes): a normal
grading peaks at about 90 MiB here. Before the bounds, these submissions took the grader to
0.9-2.75 GiB. Also run as ``nobody`` by ``test_unprivileged.py``.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dnn_autograder.grader.membudget import memory_budget
from dnn_autograder.grader.values import Summary, bounded, retained_bytes, to_jsonable

from .support import HOSTILE, LIMITS, open_sandbox, units

#: The grading process must stay under this (a normal grading: about 90 MiB).
PEAK_MIB = 400

_PROBE = """
import json, resource, sys


def peak_mib():
    # VmHWM: this process's peak resident memory since it started. Not ru_maxrss, which Linux
    # carries over from the parent across exec (it would report pytest's own peak).
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024

from dnn_autograder.grader.grading.pipeline import grade_submission
result = grade_submission(sys.argv[1], assignment=sys.argv[2])
functions = {f.name: [f.status, f.message] for a in result.assignments for f in a.functions}
notes = [note for a in result.assignments for note in a.notes]
print(json.dumps({"peak_mib": peak_mib(),
                  "error": result.error, "functions": functions, "notes": notes,
                  "protections": list(result.protections)}))
"""


def _grade(path: Path, assignment: str) -> dict:
    done = subprocess.run([sys.executable, "-c", _PROBE, str(path), assignment], capture_output=True,
                          text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("fixture, assignment, function, status, words", [
    pytest.param("huge_list_return", "optimization", "update_lr", "failed", "", marks=pytest.mark.slow),  # ~40 s
    ("huge_array_return", "optimization", "update_lr", "failed", ""),
    ("raise_item_cap", "optimization", "update_lr", "error", "more than the grader accepts"),
    ("forged_socket_message", "optimization", "update_lr", "error", "more than the grader accepts"),
    ("standin_absurd_args", "gradient_checking", "gradient_check", "failed", ""),
    ("standin_kept_args", "gradient_checking", "gradient_check", "failed", ""),
    ("forged_stand_in_record", "gradient_checking", "gradient_check_n", "error", "malformed"),
])
def test_grading_a_hostile_return_stays_bounded(fixture: str, assignment: str, function: str, status: str,
                                                 words: str) -> None:
    seen = _grade(HOSTILE / f"{fixture}.py", assignment)
    assert seen["peak_mib"] < PEAK_MIB, seen
    got_status, message = seen["functions"][function]
    assert got_status == status, seen
    assert words in message


def test_a_huge_list_literal_is_refused_before_parsing(tmp_path: Path) -> None:
    """3 MB of literal list: 1.5 GiB in ``ast.parse``. That statement is reported and left out;
    the function after it is graded."""
    source = tmp_path / "optimization.py"
    source.write_text("def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):\n"
                      "    table = [" + ",".join(["1"] * 1_500_000) + "]\n"
                      "    return learning_rate0 * table[0]\n\n\n"
                      "def update_lr(learning_rate0, epoch_num, decay_rate):\n"
                      "    return learning_rate0 / (1 + decay_rate * epoch_num)\n")
    seen = _grade(source, "optimization")
    assert seen["peak_mib"] < PEAK_MIB, seen
    assert seen["functions"]["update_lr"][0] == "passed", seen
    assert any("too large to parse" in note and "schedule_lr_decay" in note for note in seen["notes"]), seen


def test_a_notebook_whose_json_expands_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "optimization.ipynb"
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
            "source": ["def update_lr(learning_rate0, epoch_num, decay_rate):\n",
                       "    return learning_rate0 / (1 + decay_rate * epoch_num)\n"]}
    text = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell]})
    # 6 million empty lists in the metadata: 18 MB of text, over 400 MiB once loaded
    bomb.write_text(text[:-1] + ', "junk": [' + "[]," * 6_000_000 + "[]]}")
    seen = _grade(bomb, "optimization")
    assert seen["peak_mib"] < PEAK_MIB, seen
    assert seen["error"] and "too large" in seen["error"], seen


def test_memfd_cannot_hold_memory_outside_the_address_space() -> None:
    box = open_sandbox(LIMITS)
    try:
        with box.session(units("memfd_fallocate")) as session:
            record = session.call("hostile", ())
            assert record.outcome == "raised", record
            assert "PermissionError" in record.message, record.message
            assert "no-memfd" in session.protections
            assert session.call("well_behaved", (3,)).value == 7
    finally:
        box.close()


def test_a_memory_budget_refuses_growth_and_restores_the_limit() -> None:
    before = resource.getrlimit(resource.RLIMIT_AS)
    with pytest.raises(MemoryError), memory_budget(64 << 20):
        bytearray(512 << 20)
    assert resource.getrlimit(resource.RLIMIT_AS) == before
    with memory_budget(64 << 20):
        small = bytearray(8 << 20)  # within the budget
    assert len(small) == 8 << 20


def test_what_is_kept_of_a_large_value_is_a_summary() -> None:
    huge = np.arange(1_000_000, dtype=np.float64)  # 8 MB: mean 499999.5, min 0, max 999999
    kept = bounded({"small": np.ones(3), "huge": huge, "many": list(range(500_000))})
    assert np.array_equal(kept["small"], np.ones(3))
    summary = kept["huge"]
    assert isinstance(summary, Summary) and summary.shape == (1_000_000,) and summary.dtype == "float64"
    assert summary.stats["min"] == 0 and summary.stats["max"] == 999_999 and summary.stats["mean"] == 499_999.5
    assert summary.head == (0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0)
    assert isinstance(kept["many"], Summary) and kept["many"].shape == (500_000,)
    assert retained_bytes(kept) < 8 << 10
    assert to_jsonable(kept)["huge"] == {"shape": [1_000_000], "dtype": "float64",
                                         "head": [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
                                         "summary": {"min": 0.0, "max": 999999.0, "mean": 499999.5,
                                                     "std": pytest.approx(288675.13, rel=1e-6)}}


def test_a_container_of_many_parts_is_kept_within_the_limit_in_total() -> None:
    parts = {f"W{i}": np.ones(65_536) for i in range(100)}  # 100 arrays of 512 KiB, each under 1 MiB
    kept = bounded(parts, 1 << 20)
    assert list(kept) == list(parts)
    assert sum(v.nbytes if isinstance(v, np.ndarray) else 512 for v in kept.values()) < 2 << 20
