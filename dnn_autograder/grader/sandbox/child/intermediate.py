"""The intermediate process between the zygote and a child.

It unshares the namespaces (as root: pid, network, IPC and mount; otherwise a user namespace
with them), so that the child it forks is pid 1 of a fresh pid namespace: killing the child kills
everything the child started. It reports the child's pid and the namespace layers, waits for
the child, kills what the child left behind (without a pid namespace, as its subreaper), and
reports the child's exit status and CPU time.

Used without root, without a pid namespace, or when the kernel refuses ``clone`` with the
namespace flags; otherwise the zygote clones the child itself (``direct_flags``, ``run_direct``).
"""

from __future__ import annotations

import json
import os
import signal
from typing import Any

from . import launch, layers


def run(assign: int, report: int, config: dict[str, Any], world: dict[str, Any]) -> None:
    """Runs in the intermediate process; never returns."""
    zygote = os.getppid()
    layers.close_fds_except({assign, report})
    layers.prctl(layers.PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != zygote:
        os._exit(0)
    layers.prctl(layers.PR_SET_CHILD_SUBREAPER, 1)
    active = namespaces(set(config.get("disable", ())))
    child = os.fork()
    if child == 0:
        launch.run(assign, active, config, world)
        os._exit(0)
    os.close(assign)
    os.write(report, json.dumps({"pid": child, "layers": active}).encode() + b"\n")
    os.waitid(os.P_PID, child, os.WEXITED | os.WNOWAIT)  # a zombie still owns its group id
    try:
        os.killpg(child, signal.SIGKILL)
    except OSError:
        pass
    _, status, usage = os.wait4(child, 0)
    if "pidns" not in active:  # with one, the kernel already killed everything the child left
        kill_leftovers()
    result = {"status": status, "cpu": usage.ru_utime + usage.ru_stime, "maxrss": usage.ru_maxrss}
    try:
        os.write(report, json.dumps(result).encode() + b"\n")
    except OSError:
        pass
    os._exit(0)


#: the namespace layers, in the order they are made, and their ``clone``/``unshare`` flags
_FLAGS = {"pidns": layers.CLONE_NEWPID, "netns": layers.CLONE_NEWNET,
          "ipcns": layers.CLONE_NEWIPC, "mountns": layers.CLONE_NEWNS}


def _wanted(disable: set[str]) -> list[str]:
    """The namespace layers not disabled (the mount namespace serves the tmpfs and the chroot:
    without either, it is not made)."""
    return [name for name in _FLAGS if name not in disable
            and not (name == "mountns" and ("tmpfs" in disable or "chroot" in disable))]


def direct_flags(disable: set[str]) -> tuple[int, list[str]] | None:
    """Run as root with a pid namespace: the ``clone(2)`` flags that put a child straight into
    all its namespaces (no intermediate process), and the layers they give; None otherwise
    (without root, the user namespace's id maps are written by the process that made it; without
    a pid namespace, the intermediate is the subreaper that kills what the child leaves)."""
    if os.geteuid() != 0 or "pidns" in disable:
        return None
    wanted = _wanted(disable)
    return sum(_FLAGS[name] for name in wanted), wanted


def run_direct(assign: int, active: list[str], config: dict[str, Any], world: dict[str, Any]) -> None:
    """Runs in a child the zygote cloned into its namespaces (``direct_flags``); never returns.
    The zygote itself waits for it and reports its exit status and CPU time."""
    layers.close_fds_except({assign})
    launch.run(assign, active, config, world)
    os._exit(0)


def namespaces(disable: set[str]) -> list[str]:
    """Unshare what is allowed and possible; returns the namespace layers now in force."""
    flags, wanted = _FLAGS, _wanted(disable)
    if os.geteuid() != 0:
        if "userns" in disable:
            return []
        uid, gid = os.getuid(), os.getgid()
        mask = layers.CLONE_NEWUSER | sum(flags[name] for name in wanted)
        if layers.unshare(mask) and layers.write_id_maps(uid, gid):
            return ["userns", *wanted]
        return []
    return [name for name in wanted if layers.unshare(flags[name])]


def kill_leftovers() -> None:
    """Without a pid namespace, descendants may outlive the child: we are their subreaper, so
    they become our children; kill them until none is left."""
    me = str(os.getpid())
    while True:
        try:
            entries = [e for e in os.listdir("/proc") if e.isdigit()]
        except OSError:
            entries = []
        for entry in entries:
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = stat.read().rpartition(")")[2].split()[1]
            except (OSError, IndexError):
                continue
            if parent == me:
                try:
                    os.kill(int(entry), signal.SIGKILL)
                except OSError:
                    pass
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return
