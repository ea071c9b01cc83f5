"""Reading an untrusted zip: what may be taken out of it, and how much.

An LMS download is made of student files, so it is treated as hostile. :func:`members` lists
the regular files of a zip and refuses the archive (:class:`~dnn_autograder.grader.errors.UsageError`)
when it has more than :data:`MAX_ENTRIES` entries or declares more than :data:`MAX_TOTAL_BYTES`
uncompressed. Entries that are links, absolute, hold ``..`` or a drive letter, or are bigger than
:data:`MAX_FILE_BYTES` are skipped with the reason (never written). :func:`read` reads at most the
declared size, so a member that lies about its size (a zip bomb) cannot grow past it; such a
member, or a damaged one, refuses the whole download. Nothing is
extracted by path: callers choose where the bytes go.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath

from dnn_autograder.grader.errors import UsageError

MAX_ENTRIES = 20_000
MAX_FILE_BYTES = 64 * 2**20
MAX_TOTAL_BYTES = 2 * 2**30


@dataclass(frozen=True)
class Member:
    """A regular file of the zip: its ``path`` parts (cleaned) and its ``info``."""

    parts: tuple[str, ...]
    info: zipfile.ZipInfo


def members(archive: zipfile.ZipFile, *, max_entries: int = MAX_ENTRIES, max_file_bytes: int = MAX_FILE_BYTES,
            max_total_bytes: int = MAX_TOTAL_BYTES) -> tuple[list[Member], list[str]]:
    """``(regular files that may be read, "name: reason" of skipped entries)``."""
    infos = archive.infolist()
    if len(infos) > max_entries:
        raise UsageError(f"the zip has {len(infos)} entries, more than the {max_entries} allowed")
    total = sum(i.file_size for i in infos)
    if total > max_total_bytes:
        raise UsageError(f"the zip would unpack to {total} bytes, more than the {max_total_bytes} allowed")
    kept, skipped = [], []
    for info in infos:
        if info.is_dir():
            continue
        reason = _refusal(info, max_file_bytes)
        if reason:
            skipped.append(f"{info.filename!r}: {reason}")
            continue
        kept.append(Member(tuple(p for p in PurePosixPath(info.filename.replace("\\", "/")).parts), info))
    return kept, skipped


def read(archive: zipfile.ZipFile, member: Member) -> bytes:
    """The member's bytes, never more than its declared size (a longer stream is refused)."""
    limit = member.info.file_size
    try:
        with archive.open(member.info) as stream:
            data = stream.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise UsageError(f"{member.info.filename!r} is damaged or lies about its size ({error}): "
                         "the whole download is refused; download it again") from error
    if len(data) > limit:
        raise UsageError(f"{member.info.filename!r} holds more than it declares: refused (a zip bomb?)")
    return data


def _refusal(info: zipfile.ZipInfo, max_file_bytes: int) -> str:
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if mode and not stat.S_ISREG(mode) and stat.S_IFMT(mode):
        return "not a regular file"
    name = info.filename.replace("\\", "/")
    parts = PurePosixPath(name).parts
    if name.startswith("/") or not parts or ".." in parts or ":" in parts[0] or "\x00" in name:
        return "a path outside the folder"
    if info.file_size > max_file_bytes:
        return f"bigger than {max_file_bytes} bytes"
    return ""
