"""The first moments of a sandbox child: confine the process, then hand over to the runner.

Runs right after the intermediate's fork, still with the zygote's privileges. If a layer that
bounds processes cannot be applied (a child that would still be root, limits that cannot be
set), the child reports ``{"ev": "fatal"}`` and exits without running any student code.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import time
from typing import Any

from . import layers, wire
from .runner import Runner

CHANNEL = 3
REPORTS = 4  #: the report channel (``guard.REPORTS``): violations, as they happen


def run(assign: int, ns_layers: list[str], config: dict[str, Any], world: dict[str, Any]) -> None:
    """Wait (as a spare) for a session on ``assign``, then confine and serve. Never returns."""
    layers.prctl(layers.PR_SET_PDEATHSIG, signal.SIGKILL)
    channel = -1
    try:
        with socket.socket(fileno=assign) as handle:
            message, fds, _, _ = socket.recv_fds(handle, 1 << 16, 2)
        if not message or not fds:
            os._exit(0)  # the worker is going away
        channel = fds[0]
        reports = fds[1] if len(fds) > 1 else -1
        request = json.loads(message)
        request["timeline"] = [("child assigned", time.perf_counter())]
        runner, scratch, audit = _confine(request, channel, reports, ns_layers, config, world)
    except BaseException as exc:
        frame = wire.pack({"ev": "fatal", "message": f"{type(exc).__name__}: {exc}"[:500]})
        for fd in (CHANNEL, channel):
            try:
                os.write(fd, frame)
                break
            except OSError:
                continue
        os._exit(71)
    runner.prepare(scratch, frozenset(world["tests"]), audit)
    try:
        runner.serve()
    except BaseException as exc:  # the runner's own failure: say so rather than die silently
        try:
            os.write(CHANNEL, wire.pack({"ev": "dying", "how": f"grader error {type(exc).__name__}"}))
        finally:
            runner.real_exit(70)
    os._exit(0)


def _confine(request: dict[str, Any], channel: int, reports: int, ns_layers: list[str],
             config: dict[str, Any], world: dict[str, Any]) -> tuple[Runner, str, bool]:
    timeline = request["timeline"]
    disable = set(config.get("disable", ()))
    active = ["process", *ns_layers]
    os.setsid()
    _standard_fds(channel, reports)
    privileged = os.geteuid() == 0
    root = str(request["root"])
    limits = request["limits"]
    if "mountns" in active:
        active.remove("mountns")
        owner = (int(request["uid"]), int(request["gid"])) if privileged else \
            (os.getuid(), os.getgid())
        if layers.scratch_tmpfs(os.path.join(root, "scratch"), int(limits["scratch_bytes"]),
                                *owner):
            active.append("tmpfs")
    if "chroot" not in disable and (privileged or "userns" in active):
        os.chroot(root)
        os.chdir("/scratch")
        scratch = "/scratch"
        active.append("chroot")
    else:
        scratch = os.path.join(root, "scratch")
        os.chdir(scratch)
    processes = int(limits["processes"])
    if not privileged and "userns" not in active:
        processes += layers.count_tasks(os.getuid()) - 1  # NPROC counts the whole user; not us
    layers.set_rlimits(memory=int(limits["memory"]), cpu=int(limits["cpu"]),
                       file_bytes=int(limits["file_bytes"]), open_files=int(limits["open_files"]),
                       processes=processes)
    active.append("rlimits")
    if privileged:
        if not layers.drop_to(int(request["uid"]), int(request["gid"])):
            raise PermissionError("could not drop root privileges")
        active.append("uid-drop")
    elif "userns" in active:
        layers.drop_capabilities()
    if os.geteuid() == 0 and "userns" not in active:
        raise PermissionError("refusing to run student code as root")
    layers.prctl(layers.PR_SET_PDEATHSIG, signal.SIGKILL)  # after the uid change, which clears it
    os.nice(5)  # the grader stays responsive while a student's loop spins
    if layers.prctl(layers.PR_SET_NO_NEW_PRIVS, 1):
        active.append("no-new-privs")
    if "landlock" not in disable and layers.landlock(scratch):
        active.append("landlock")
    if "seccomp" not in disable and layers.seccomp():
        active.append("seccomp")
    audit = "audit-hook" not in disable
    active += ["audit-hook"] if audit else []
    active += ["report-channel"] if audit and reports >= 0 else []
    active += ["import-guard", "output-cap"]
    settings = {
        "output_bytes": int(limits["output_bytes"]),
        "output_stop_bytes": int(limits["output_stop_bytes"]),
        "return_bytes": int(limits["return_bytes"]),
        "layers": active,
        "course_modules": [*world["course"], *world["course"].values()],
        "timeline": timeline,
    }
    timeline.append(("child confined", time.perf_counter()))
    return Runner(socket.socket(fileno=CHANNEL), settings), scratch, audit


def _standard_fds(channel: int, reports: int) -> None:
    """0 = /dev/null, 1 and 2 = a memfd the runner reads after each call, 3 = the channel,
    4 = the report channel (when the parent sent one)."""
    channel = fcntl.fcntl(channel, fcntl.F_DUPFD, 100)  # out of the way of the dup2s below
    if reports >= 0:
        reports = fcntl.fcntl(reports, fcntl.F_DUPFD, 100)
    devnull = os.open("/dev/null", os.O_RDWR)
    output = os.memfd_create("sandbox-output", 0)
    os.dup2(devnull, 0)
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.dup2(channel, CHANNEL)
    keep = {0, 1, 2, CHANNEL}
    if reports >= 0:
        os.dup2(reports, REPORTS)
        keep.add(REPORTS)
    layers.close_fds_except(keep)
