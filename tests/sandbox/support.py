"""Helpers for the sandbox tests: short limits, fixture loading, and the checks that nothing
escaped (files, processes, the worker)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import struct
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from dnn_autograder.grader.sandbox import Limits, Sandbox, units_from_source

HERE = Path(__file__).parent
REPO = HERE.parent.parent
HOSTILE = REPO / "tests" / "fixtures" / "hostile"
HELPERS = HERE / "standin_helpers"
LIMITS = Limits(call_timeout_s=1.0, load_timeout_s=2.5, memory_bytes=512 << 20,
                output_bytes=4096, return_bytes=16 << 20, cpu_seconds=30,
                output_stop_bytes=1 << 20, processes=16)
#: The kernel layers on their own (audit hook and seccomp off), then the bare minimum.
KERNEL_ONLY = ("audit-hook", "seccomp")
BARE = ("audit-hook", "seccomp", "landlock")
SANDBOX_UIDS = range(60000, 61000)


def units(name: str) -> tuple:
    path = HOSTILE / f"{name}.py"
    return units_from_source(path.read_text(), f"{name}.py")


#: Every Sandbox the tests open, to tell its worker's spare child from a stray process.
OPENED: list[Sandbox] = []


def open_sandbox(limits: Limits = LIMITS, **options: object) -> Sandbox:
    box = Sandbox(limits, helpers=HELPERS, **options)  # type: ignore[arg-type]
    OPENED.append(box)
    return box


def spares() -> set[int]:
    """The processes of the workers' spare children (forked ahead, running no student code)."""
    found = set()
    for box in OPENED:
        if not box._closed and box._worker.alive():
            with box._lock:
                found |= {p for p in box._worker.request({"op": "ping"}).get("spare", []) if p}
    return found


def descendants(pid: int | None = None) -> set[int]:
    """Every living process below ``pid`` (default: this test process)."""
    root = pid or os.getpid()
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat.rpartition(")")[2].split()
            if fields[0] != "Z":
                parents[int(entry)] = int(fields[1])
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def ancestors(pid: int) -> set[int]:
    """The processes above ``pid`` (its parent, grandparent, ...), as far as /proc tells."""
    found: set[int] = set()
    current = _parent_and_uid(pid)
    while current is not None and current[0] > 1 and current[0] not in found:
        found.add(current[0])
        current = _parent_and_uid(current[0])
    return found


def _parent_and_uid(pid: int) -> tuple[int, int] | None:
    """(parent, uid) of a living process; None for a zombie or a process that is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        if fields[0] == "Z":
            return None
        return int(fields[1]), os.stat(f"/proc/{pid}").st_uid
    except (OSError, IndexError):
        return None


def _describe(pids: set[int]) -> list[str]:
    described = []
    for pid in sorted(pids):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")[:80]
        except OSError:
            continue
        described.append(f"{pid} {stat.rpartition(')')[2].split()[:2]} {command.decode()}")
    return described


def _is_zygote(pid: int) -> bool:
    try:
        return b"sandbox/child/boot.py" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def sandbox_uid_processes(ours: set[int], open_children: set[int] = frozenset()) -> list[int]:
    """Processes owned by a sandbox uid that no other grader's worker owns (root runs only):
    other people's sandboxes may be running on this machine at the same time. The children of
    sessions still open (``open_children``) and what runs below them are not strays."""
    strays = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        info = _parent_and_uid(int(entry))
        if info is None or info[1] not in SANDBOX_UIDS:
            continue
        pid = int(entry)
        foreign = pid in open_children
        for _ in range(64):
            if foreign:
                break
            info = _parent_and_uid(pid)
            if info is None or info[0] <= 1:
                break
            pid = info[0]
            if (_is_zygote(pid) and pid not in ours) or pid in open_children:
                foreign = True
                break
        if not foreign:
            strays.append(int(entry))
    return strays


class World:
    """What must not change while hostile code runs."""

    PWNED = ("/tmp/dnn_sandbox_pwned.txt", "/tmp/dnn_sandbox_pwned_pickle",
             "/tmp/dnn_sandbox_pwned_system")

    def __init__(self, tmp_sentinel: Path) -> None:
        self.tmp_sentinel = tmp_sentinel
        for path in self.PWNED:
            Path(path).unlink(missing_ok=True)
        tmp_sentinel.write_text("sentinel\n")
        self.repo_hash = self._hash(HOSTILE / "SENTINEL.txt")
        self.tmp_hash = self._hash(tmp_sentinel)
        self.roots: list[str] = []
        # processes other tests of the same pytest run left running on purpose (multiprocessing's
        # forkserver and resource tracker, a batch worker's pool): not this sandbox's doing
        self.before = descendants()

    @staticmethod
    def _hash(path: Path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest()

    def watch(self, session) -> None:
        """Remember the scratch roots of a session's children (call after each child start)."""
        child = session._child
        if child is not None and child.root not in self.roots:
            self.roots.append(child.root)

    def check(self, sandbox: Sandbox) -> None:
        assert self._hash(HOSTILE / "SENTINEL.txt") == self.repo_hash, "repo sentinel changed"
        assert self._hash(self.tmp_sentinel) == self.tmp_hash, "/tmp sentinel changed"
        for path in self.PWNED:
            assert not Path(path).exists(), f"{path} was created"
        for root in self.roots:
            assert not Path(root).exists(), f"scratch directory {root} was left behind"
        assert sandbox._worker.alive(), "the sandbox worker died"
        for _ in range(100):  # an intermediate may still be tearing its namespaces down
            zygotes = {pid for pid in descendants() if _is_zygote(pid)
                       and (_parent_and_uid(pid) or (0, 0))[0] == os.getpid()}
            waiting = spares()
            left = {pid for pid in descendants() - zygotes - waiting
                    if not (self.before & ({pid} | ancestors(pid)))}
            if not left:
                break
            time.sleep(0.02)
        assert not left, f"stray processes: {_describe(left)} (spares {waiting})"
        if os.geteuid() == 0:
            open_children = {s._child.pid for box in [sandbox, *OPENED] for s in list(box._sessions)
                             if s._child is not None and not s._child.dead}
            for _ in range(100):  # a child whose worker just died exits within milliseconds
                strays = sandbox_uid_processes(zygotes, open_children)  # spares are root until used
                if not strays:
                    break
                time.sleep(0.02)
            assert not strays, f"processes of a sandbox uid are still running: {_describe(set(strays))}"
            strays = [p.name for p in Path("/tmp").iterdir() if _owned_by_sandbox(p)]
            assert not strays, f"files of a sandbox uid in /tmp: {strays}"


def _owned_by_sandbox(path: Path) -> bool:
    try:
        return path.lstat().st_uid in SANDBOX_UIDS
    except OSError:
        return False


def bits(value: Any) -> Any:
    """``value`` as comparable data, bit for bit: types kept (a list is not a tuple), floats,
    complex numbers, arrays and NumPy scalars by their bytes (so ``-0.0`` is not ``0.0`` and a NaN
    equals itself), dict keys and items in order."""
    kind = type(value)
    if kind is float:
        return ("float", struct.pack("<d", value))
    if kind is complex:
        return ("complex", struct.pack("<dd", value.real, value.imag))
    if kind is np.ndarray:
        return ("array", value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, np.generic):
        return ("scalar", value.dtype.str, value.tobytes())
    if kind is dict:
        return ("dict", [(bits(k), bits(v)) for k, v in value.items()])
    if kind in (list, tuple):
        return (kind.__name__, [bits(item) for item in value])
    return (kind.__name__, value)


@contextlib.contextmanager
def loaded(sandbox: Sandbox, source: str) -> Iterator[Any]:
    """A session of ``source`` (as ``submission.py``) whose units all loaded."""
    with sandbox.session(units_from_source(source, "submission.py")) as opened:
        assert all(unit.ok for unit in opened.units), opened.units
        yield opened
