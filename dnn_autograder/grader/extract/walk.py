"""Listing and reading a submission's files without trusting their shape.

A submission's files are data, never a path to something else. The walk never follows a
symbolic link (to a file or to a folder, inside the submission or the submission itself): every
link is refused and reported, whatever it points to. Only regular files are read; FIFOs,
sockets and devices are refused without being opened for reading. The walk uses an explicit
stack (no recursion) and ``lstat`` only, and stops at the caps below; reading opens with
``O_NOFOLLOW | O_NONBLOCK``, checks with ``fstat`` that it holds a regular file and reads at most
the cap plus one byte. What is left out is listed in :class:`Listing.ignored` with the reason, so
the result can say it; nothing here raises for a student's files except :class:`SubmissionError`
from :func:`read_submission_file`.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from dnn_autograder.grader.errors import SubmissionError
from dnn_autograder.grader.extract.model import MAX_FILE_BYTES  # largest single file read: 20 MB
from dnn_autograder.grader.grading.untrusted import visible
from dnn_autograder.grader.model import IgnoredFile

#: Deepest folder level searched below the submission folder (the folder itself is level 0).
MAX_DEPTH = 16
#: Folder entries looked at in one submission, all levels together; the rest is not searched.
MAX_ENTRIES = 2000
#: Most bytes of submission files read for one submission, all files together: 50 MB.
MAX_SUBMISSION_BYTES = 50 * 1024 * 1024

SUBMISSION_SUFFIXES = frozenset({".py", ".ipynb"})
#: Folders never searched and never mentioned (caches, virtual environments' insides).
QUIET_FOLDERS = frozenset({"__pycache__", "__MACOSX", "site-packages", "node_modules"})
CHECKPOINTS = ".ipynb_checkpoints"

LINK_REASON = "symbolic link: links are never followed; submit the file itself, not a link to it"
CHECKPOINT_REASON = "Jupyter checkpoint folder (autosaved copies): never graded"
DEPTH_REASON = f"folder nested more than {MAX_DEPTH} levels deep: not searched"
ENTRIES_REASON = f"the submission has more than {MAX_ENTRIES} files and folders: the rest was not searched"
TOTAL_REASON = f"over the {MAX_SUBMISSION_BYTES // 2**20} MB read limit for one submission: not read"
_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def special_reason(mode: int) -> str:
    """Why a file of this ``st_mode`` is not read (it is not a regular file)."""
    kind = next((what for test, what in _KINDS if test(mode)), "not a regular file")
    return f"{kind}, not a regular file: only regular files are read"


@dataclass(frozen=True)
class Listing:
    """A submission's files to extract, in a stable order, and what was left out.

    ``files`` are real paths to open; ``names`` are their names for people (relative to the
    submission folder, cleaned by :func:`~dnn_autograder.grader.grading.untrusted.visible`), one per file.
    """

    files: tuple[Path, ...]
    names: tuple[str, ...]
    ignored: tuple[IgnoredFile, ...]


def list_submission(path: Path) -> Listing:
    """The files of a submission: a regular file itself, or a folder's ``.py``/``.ipynb`` files.

    Hidden files and folders, caches and virtual environments are skipped silently; links,
    special files, checkpoint folders and what lies past the caps are listed in ``ignored``.
    """
    path = Path(path)
    try:
        info = os.lstat(path)
    except OSError as error:
        return Listing((), (), (IgnoredFile(visible(path.name), _os_reason(error)),))
    if stat.S_ISLNK(info.st_mode):
        return Listing((), (), (IgnoredFile(visible(path.name), LINK_REASON),))
    if stat.S_ISREG(info.st_mode):
        return Listing((path,), (visible(path.name),), ())
    if not stat.S_ISDIR(info.st_mode):
        return Listing((), (), (IgnoredFile(visible(path.name), special_reason(info.st_mode)),))
    return _walk(path)


def _walk(root: Path) -> Listing:
    found: list[tuple[tuple[bytes, ...], Path, str, int]] = []
    ignored: list[IgnoredFile] = []
    stack: list[tuple[str, tuple[str, ...]]] = [(os.fspath(root), ())]
    seen = 0
    while stack:
        folder, parts = stack.pop()
        try:
            with os.scandir(folder) as entries:
                batch = []
                for entry in entries:
                    seen += 1
                    if seen > MAX_ENTRIES:
                        break
                    batch.append(entry)
        except OSError as error:
            ignored.append(IgnoredFile(_shown(parts) or ".", _os_reason(error)))
            continue
        for entry in sorted(batch, key=lambda e: os.fsencode(e.name)):
            _visit(entry, parts, found, ignored, stack)
        if seen > MAX_ENTRIES:
            ignored.append(IgnoredFile(_shown(parts) or ".", ENTRIES_REASON))
            break
    found.sort(key=lambda item: item[0])
    files, names, total = [], [], 0
    for _, file, name, size in found:
        total += size
        if total > MAX_SUBMISSION_BYTES:
            ignored.append(IgnoredFile(name, TOTAL_REASON))
            continue
        files.append(file)
        names.append(name)
    return Listing(tuple(files), tuple(names), tuple(sorted(ignored, key=lambda i: i.file)))


def _visit(entry: os.DirEntry[str], parts: tuple[str, ...], found: list, ignored: list[IgnoredFile],
           stack: list[tuple[str, tuple[str, ...]]]) -> None:
    """Sort one folder entry: a file to read, a folder to search, or something left out."""
    name = entry.name
    here = (*parts, name)
    try:
        info = entry.stat(follow_symlinks=False)
    except OSError as error:
        ignored.append(IgnoredFile(_shown(here), _os_reason(error)))
        return
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        if name == CHECKPOINTS:
            ignored.append(IgnoredFile(_shown(here) + "/", CHECKPOINT_REASON))
        elif name.startswith(".") or name in QUIET_FOLDERS or _is_virtualenv(entry.path):
            return
        elif len(here) > MAX_DEPTH:
            ignored.append(IgnoredFile(_shown(here) + "/", DEPTH_REASON))
        else:
            stack.append((entry.path, here))
        return
    suffix = Path(name).suffix.lower()
    if name.startswith(".") or suffix not in SUBMISSION_SUFFIXES and not (stat.S_ISLNK(mode) and not suffix):
        return  # not a submission file (a link without a suffix may stand for a folder: reported)
    if stat.S_ISLNK(mode):
        ignored.append(IgnoredFile(_shown(here), LINK_REASON))
    elif not stat.S_ISREG(mode):
        ignored.append(IgnoredFile(_shown(here), special_reason(mode)))
    else:
        key = tuple(os.fsencode(p) for p in here)
        found.append((key, Path(entry.path), _shown(here), info.st_size))


def _is_virtualenv(folder: str) -> bool:
    try:
        return stat.S_ISREG(os.lstat(os.path.join(folder, "pyvenv.cfg")).st_mode)
    except OSError:
        return False


def _shown(parts: tuple[str, ...]) -> str:
    return visible("/".join(parts))


def _os_reason(error: OSError) -> str:
    return f"cannot be read ({error.strerror or error})"


def read_submission_file(path: Path, *, limit: int = MAX_FILE_BYTES, name: str | None = None) -> bytes:
    """The bytes of a regular file, never following a link and never blocking on a FIFO.

    Raises:
        SubmissionError: a link, not a regular file, unreadable, or over ``limit`` bytes (the
            message says which, naming the file as ``name``).
    """
    shown = name or visible(Path(path).name)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        if os.path.islink(path):
            raise SubmissionError(f"{shown} is a {LINK_REASON}") from None
        raise SubmissionError(f"{shown} {_os_reason(error)}: check that the file exists and is readable") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SubmissionError(f"{shown} is {special_reason(info.st_mode)}")
        if info.st_size > limit:
            raise SubmissionError(_too_big(shown, info.st_size, limit))
        chunks, remaining = [], limit + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:
            raise SubmissionError(_too_big(shown, len(data), limit))
        return data
    except OSError as error:
        raise SubmissionError(f"{shown} {_os_reason(error)}") from None
    finally:
        os.close(fd)


def _too_big(name: str, size: int, limit: int) -> str:
    what = f"{name} is {size / 2**20:.1f} MB, over the {limit // 2**20} MB limit for one file"
    if name.lower().endswith(".ipynb"):
        return (f"{what}: clear the notebook's outputs (Edit > Clear All Outputs), save it and "
                "submit it again, or submit your code as a .py file")
    return f"{what}: submit only your code (no data or generated text in the file)"
