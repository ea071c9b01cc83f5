"""Issue 11, the child's own process: what student code attempts is recorded whatever it does to
the runner, nothing it must not touch is pre-loaded, threads started by top-level code are
refused, and host paths stay outside.

Re-run as ``nobody`` by ``test_unprivileged.py``.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

import numpy as np
import pytest

from .support import HELPERS, REPO, units

TAMPER = "tried to tamper with the grader"


@pytest.mark.parametrize("function", ["hostile", "via_traceback", "via_generator"])
def test_frame_walking_into_the_runner_is_tamper(function: str, sandbox: Any, world: Any) -> None:
    with sandbox.session(units("erase_violations_via_frames")) as session:
        world.watch(session)
        record = session.call(function, ())
        assert record.outcome == "violation", record
        assert TAMPER in record.message, record.message
        assert session.call("well_behaved", (20,)).value == 41


def test_violations_reach_the_parent_even_if_the_runner_is_emptied(sandbox: Any, world: Any) -> None:
    with sandbox.session(units("erase_violations_via_frames")) as session:
        record = session.call("via_bound_methods", ())
        assert record.outcome == "violation", record
        assert "tried to read a file outside its scratch directory" in record.message, record.message
        assert session.call("well_behaved", (1,)).value == 3
    assert not os.path.exists("/tmp/dnn_sandbox_erase.txt")


@pytest.mark.parametrize(("function", "detail"), [("swap_reports", "replaced or broke its report channel"),
                                                  ("close_reports", "closed the grader's report channel")])
def test_the_report_channel_cannot_be_silenced(function: str, detail: str, sandbox: Any, world: Any) -> None:
    with sandbox.session(units("erase_violations_via_frames")) as session:
        world.watch(session)
        record = session.call(function, ())
        assert record.outcome == "violation", record
        assert f"{TAMPER}: {detail}" in record.message, record.message
        assert session.call("well_behaved", (20,)).value == 41


@pytest.mark.parametrize("function", ["hostile", "via_modules", "via_package", "via_numpy", "via_worker_classes"])
def test_no_ctypes_handle_is_reachable(function: str, sandbox: Any, world: Any) -> None:
    with sandbox.session(units("ctypes_from_runner")) as session:
        world.watch(session)
        record = session.call(function, ())
        assert record.outcome in ("raised", "violation"), record
        assert record.error_type != "LookupError", record  # the path exists: it must not lead to libc
        assert session.call("well_behaved", (20,)).value == 41


def test_the_ctypes_classes_are_not_listed_as_subclasses(sandbox: Any, world: Any) -> None:
    """The worker removes them from ``object``'s and ``type``'s subclass lists once, before it
    forks (``guard.unlist_native_classes``): no child walks those lists."""
    with sandbox.session(units("ctypes_from_runner")) as session:
        world.watch(session)
        record = session.call("listed_native_classes", ())
    assert record.outcome == "returned" and record.value == [], record


def test_patching_the_runner_costs_the_call_and_does_not_reach_the_next(sandbox: Any,
                                                                        world: Any) -> None:
    with sandbox.session(units("patch_runner_reset")) as session:
        world.watch(session)
        record = session.call("hostile", ())
        after = session.call("uses_add", (np.ones(2), np.ones(2)))
    assert record.outcome == "violation", record
    assert TAMPER in record.message, record.message
    assert after.outcome == "returned" and after.value.tolist() == [2.0, 2.0], after


def test_threads_started_by_top_level_code_are_refused(sandbox: Any, world: Any) -> None:
    started = time.monotonic()
    with sandbox.session(units("spinning_threads_at_import")) as session:
        world.watch(session)
        failed = [u for u in session.units if not u.ok]
        values = [session.call(name, (3,)).value for _ in range(5)
                  for name in ("twice", "well_behaved")]
    elapsed = time.monotonic() - started
    assert values == [6, 7] * 5
    assert any("thread" in u.message for u in failed), session.units
    assert elapsed < 4.0, f"{elapsed:.1f} s"


def test_host_paths_are_not_shown_to_the_child(sandbox: Any, world: Any) -> None:
    with sandbox.session(units("print_host_paths")) as session:
        record = session.call("hostile", ())
    assert record.outcome == "returned", record
    text = str(record.value) + record.output
    secrets = {str(REPO), os.path.realpath(sys.prefix), sys.prefix, str(HELPERS),
               os.path.dirname(os.path.realpath(np.__file__)), os.path.realpath(sys.executable)}
    for secret in secrets:
        assert secret not in text, (secret, text)
    assert "/root" not in text and "site-packages" not in text, text


def test_library_code_that_reads_frames_is_not_tamper(sandbox: Any, world: Any) -> None:
    from dnn_autograder.grader.sandbox import units_from_source

    source = (
        "import collections, enum, traceback, typing, dataclasses, warnings\n"
        "Point = collections.namedtuple('Point', 'x y')\n"
        "T = typing.TypeVar('T')\n"
        "Colour = enum.Enum('Colour', 'RED GREEN')\n"
        "@dataclasses.dataclass\n"
        "class Box:\n"
        "    size: int = 1\n"
        "def works(x):\n"
        "    try:\n"
        "        1 / 0\n"
        "    except ZeroDivisionError:\n"
        "        text = traceback.format_exc()\n"
        "    warnings.warn('careful')\n"
        "    return Point(x, Box().size).x + len(traceback.format_stack()) * 0 + ('ZeroDivisionError' in text)\n")
    with sandbox.session(units_from_source(source, "ok.py")) as session:
        world.watch(session)
        assert all(u.ok for u in session.units), session.units
        record = session.call("works", (2,))
    assert (record.outcome, record.value) == ("returned", 3), record
