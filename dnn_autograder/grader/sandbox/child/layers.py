"""Kernel-level layers a sandbox child applies to itself (Linux; ctypes over libc).

Each function returns whether it worked, so the child can report the layers actually active.
Order (see ``zygote.py``): namespaces (in the intermediate process), then in the child: chroot,
rlimits, uid drop or capability drop, parent-death signal, no-new-privs, Landlock, seccomp.
"""

from __future__ import annotations

import ctypes
import os
import platform
import resource
import signal
import struct

_libc = ctypes.CDLL(None, use_errno=True)
_pylibc = ctypes.PyDLL(None, use_errno=True)  #: for ``fork_into``: keeps the GIL across the call

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38
PR_SET_CHILD_SUBREAPER = 36
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2


_SYS_CLONE_X86_64 = 56


def fork_into(flags: int) -> int:
    """``os.fork()`` straight into new namespaces: ``clone(2)`` with ``flags`` | SIGCHLD,
    wrapped in the interpreter's own fork handlers (``PyOS_BeforeFork`` and the
    ``AfterFork`` that ``os.fork`` runs), without releasing the GIL. Returns 0 in the child,
    the child's pid in the parent, -1 when the kernel refuses (or not on x86-64)."""
    if platform.machine() != "x86_64":
        return -1
    api = ctypes.pythonapi  # a PyDLL: calls keep the GIL, so the child starts holding it
    api.PyOS_BeforeFork()
    pid = _pylibc.syscall(ctypes.c_long(_SYS_CLONE_X86_64), ctypes.c_ulong(flags | signal.SIGCHLD),
                          ctypes.c_void_p(0), ctypes.c_void_p(0), ctypes.c_void_p(0), ctypes.c_void_p(0))
    if pid == 0:
        api.PyOS_AfterFork_Child()
    else:
        api.PyOS_AfterFork_Parent()
    return pid


def unshare(flags: int) -> bool:
    return _libc.unshare(ctypes.c_int(flags)) == 0


def prctl(option: int, arg: int) -> bool:
    return _libc.prctl(option, ctypes.c_ulong(arg), 0, 0, 0) == 0


def scratch_tmpfs(path: str, size: int, uid: int, gid: int) -> bool:
    """Mount a ``size``-byte tmpfs owned by ``uid`` on ``path``, in our own mount namespace
    (made private first, so nothing propagates to the machine's)."""
    ms_rec, ms_private = 0x4000, 1 << 18
    ms_nosuid, ms_nodev, ms_noexec = 2, 4, 8
    if _libc.mount(None, b"/", None, ms_rec | ms_private, None) != 0:
        return False
    options = f"size={size},nr_inodes=4096,mode=0700,uid={uid},gid={gid}".encode()
    return _libc.mount(b"tmpfs", os.fsencode(path), b"tmpfs",
                       ms_nosuid | ms_nodev | ms_noexec, options) == 0


def write_id_maps(uid: int, gid: int) -> bool:
    """Map our own uid/gid into the user namespace just created (unprivileged: one id each)."""
    try:
        for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1\n"),
                           ("gid_map", f"{gid} {gid} 1\n")):
            fd = os.open(f"/proc/self/{name}", os.O_WRONLY)
            try:
                os.write(fd, text.encode())
            finally:
                os.close(fd)
        return True
    except OSError:
        return False


def close_fds_except(keep: set[int]) -> None:
    try:
        fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        fds = list(range(3, 1024))
    for fd in fds:
        if fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass


def count_tasks(uid: int) -> int:
    """Threads (what RLIMIT_NPROC counts) currently owned by ``uid`` on the machine."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
        except OSError:
            continue
        if int(fields.get("Uid", "-1").split()[0]) == uid:
            total += int(fields.get("Threads", "1"))
    return total


def set_rlimits(*, memory: int, cpu: int, file_bytes: int, open_files: int,
                processes: int) -> None:
    """Raises OSError if a limit cannot be set (the child then refuses to run code)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # too-large writes fail with EFBIG instead
    for which, soft, hard in (
        (resource.RLIMIT_CORE, 0, 0),
        (resource.RLIMIT_CPU, cpu, cpu + 1),  # pid-namespace init ignores SIGXCPU: SIGKILL at +1
        (resource.RLIMIT_FSIZE, file_bytes, file_bytes),
        (resource.RLIMIT_NOFILE, open_files, open_files),
        (resource.RLIMIT_NPROC, processes, processes),
        (resource.RLIMIT_AS, memory, memory),
    ):
        resource.setrlimit(which, (soft, hard))


def drop_to(uid: int, gid: int) -> bool:
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    return os.getuid() == uid and os.geteuid() == uid and uid != 0


def drop_capabilities() -> bool:
    """Empty every capability set (inside a user namespace the child starts with all of them)."""
    for cap in range(64):  # the bounding set first (needs CAP_SETPCAP), so nothing comes back
        if _libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP; EINVAL past the last one
            break
    header = ctypes.create_string_buffer(struct.pack("=Ii", 0x20080522, 0), 8)  # version 3
    data = ctypes.create_string_buffer(24)  # two zeroed {effective, permitted, inheritable}
    return _libc.capset(header, data) == 0


# --- Landlock (unprivileged file-system, TCP and signal confinement) -----------------------
_LANDLOCK_CREATE, _LANDLOCK_ADD_RULE, _LANDLOCK_RESTRICT = 444, 445, 446
_FS_BITS = {1: 13, 2: 14, 3: 15, 4: 15, 5: 16}  # ABI -> number of file-system access rights


def landlock_abi() -> int:
    abi = _libc.syscall(_LANDLOCK_CREATE, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    return max(abi, 0)


def landlock(scratch: str) -> bool:
    """Allow file access beneath ``scratch`` only; refuse TCP bind/connect (ABI 4+) and
    signals or abstract sockets outside the domain (ABI 6+)."""
    abi = landlock_abi()
    if abi < 1:
        return False
    fs = (1 << _FS_BITS.get(abi, 16)) - 1
    net = 0b11 if abi >= 4 else 0
    scoped = 0b11 if abi >= 6 else 0
    attr = struct.pack("=QQQ", fs, net, scoped)[: 8 if abi < 4 else 16 if abi < 6 else 24]
    ruleset = _libc.syscall(_LANDLOCK_CREATE, ctypes.c_char_p(attr), ctypes.c_size_t(len(attr)),
                            ctypes.c_uint32(0))
    if ruleset < 0:
        return False
    try:
        where = os.open(scratch, os.O_PATH | os.O_DIRECTORY)
        try:
            rule = struct.pack("=Qi", fs, where)
            if _libc.syscall(_LANDLOCK_ADD_RULE, ruleset, 1, ctypes.c_char_p(rule), 0) != 0:
                return False
        finally:
            os.close(where)
        return _libc.syscall(_LANDLOCK_RESTRICT, ruleset, 0) == 0
    finally:
        os.close(ruleset)


# --- seccomp (x86-64): no new processes, sockets, signals, namespaces or mounts ------------
_DENIED_X86_64 = (
    41, 42, 43, 49, 50, 53, 288,  # socket connect accept bind listen socketpair accept4
    57, 58, 59, 322,  # fork vfork execve execveat
    62, 200, 234, 129, 297, 424, 434,  # kill tkill tgkill rt_(tg)sigqueueinfo pidfd_*
    101, 310, 311,  # ptrace process_vm_readv/writev
    272, 308, 165, 166, 155, 161,  # unshare setns mount umount2 pivot_root chroot
    428, 429, 430, 431, 432, 433, 442,  # new mount API
    321, 298, 323, 250, 248, 249,  # bpf perf_event_open userfaultfd keyctl add_key request_key
    425, 426, 427,  # io_uring
    29, 30, 31, 64, 65, 66, 68, 69, 70, 71, 240,  # System V IPC, mq_open: outlive the process
    319, 447,  # memfd_create memfd_secret: memory outside RLIMIT_AS (the parent lists "no-memfd")
)
_AUDIT_ARCH_X86_64 = 0xC000003E
_CLONE, _CLONE3, _CLONE_THREAD = 56, 435, 0x00010000
_RET_ALLOW, _RET_ERRNO, _RET_KILL = 0x7FFF0000, 0x00050000, 0x80000000
_EPERM, _ENOSYS = 1, 38


def _insn(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def seccomp_program() -> bytes | None:
    if platform.machine() != "x86_64":
        return None
    ld, jeq, jge, jset, ret = 0x20, 0x15, 0x35, 0x45, 0x06
    program = [
        _insn(ld, 0, 0, 4), _insn(jeq, 1, 0, _AUDIT_ARCH_X86_64), _insn(ret, 0, 0, _RET_KILL),
        _insn(ld, 0, 0, 0),
        _insn(jge, 0, 1, 0x40000000), _insn(ret, 0, 0, _RET_ERRNO | _EPERM),  # x32 ABI
    ]
    for number in _DENIED_X86_64:
        program += [_insn(jeq, 0, 1, number), _insn(ret, 0, 0, _RET_ERRNO | _EPERM)]
    program += [
        _insn(jeq, 0, 1, _CLONE3), _insn(ret, 0, 0, _RET_ERRNO | _ENOSYS),  # libc falls back
        _insn(jeq, 1, 0, _CLONE), _insn(ret, 0, 0, _RET_ALLOW),
        _insn(ld, 0, 0, 16), _insn(jset, 1, 0, _CLONE_THREAD),  # clone: threads only
        _insn(ret, 0, 0, _RET_ERRNO | _EPERM), _insn(ret, 0, 0, _RET_ALLOW),
    ]
    return b"".join(program)


def seccomp() -> bool:
    program = seccomp_program()
    if program is None:
        return False
    code = ctypes.create_string_buffer(program, len(program))
    fprog = struct.pack("=HxxxxxxQ", len(program) // 8, ctypes.addressof(code))
    return _libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.c_char_p(fprog), 0, 0) == 0
