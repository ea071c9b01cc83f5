"""Moodle's assignment download ("Download all submissions"), zipped or unpacked.

With "Download submissions in folders" each student has a folder
``<Full Name>_<participant id>_assignsubmission_file_/`` holding their files as uploaded (sub-folders
kept); without it, each file is named ``<Full Name>_<participant id>_assignsubmission_file_<file>``.
Online-text submissions (``assignsubmission_onlinetext_``) are skipped with the reason. The
participant id is per assignment, so the roster's ``lms_id`` should hold it; a student whose id
matches nobody is matched by their full name when exactly one roster row has it.

The download holds no submission times: give them in a times CSV (``--times``), or they are
"unknown".
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

from dnn_autograder.grader.errors import UsageError
from dnn_autograder.grader.lms import safezip
from dnn_autograder.grader.lms.collect import Entry, safe_relative

SOURCE = "moodle"
_PREFIX = re.compile(r"(?P<name>.+)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)_(?P<rest>.*)", re.DOTALL)
_MAX_FILES = 20_000


def parse_prefix(name: str) -> tuple[str, str, str, str] | None:
    """``(full name, participant id, plugin, rest)`` of a folder or file name, or None."""
    match = _PREFIX.fullmatch(name)
    return None if match is None else (match["name"], match["id"], match["plugin"], match["rest"])


def read_moodle(path: str | Path) -> tuple[list[Entry], list[str]]:
    """``(entries, "name: reason" of entries skipped)`` of a Moodle download (a zip or a folder)."""
    path = Path(path)
    if path.is_dir():
        return _from_folder(path)
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        raise UsageError(f"cannot read the Moodle download {path}: {error}") from error
    members, skipped = safezip.members(archive)
    entries: list[Entry] = []
    for member in members:
        entry = _entry(member.parts, partial(safezip.read, archive, member), skipped)
        if entry is not None:
            entries.append(entry)
    return entries, skipped


def _entry(parts: tuple[str, ...], read: Callable[[], bytes], skipped: list[str]) -> Entry | None:
    shown = "/".join(parts)
    parsed = parse_prefix(parts[0])
    if parsed is None:
        skipped.append(f"{shown!r}: not named <Full Name>_<id>_assignsubmission_<plugin>_ as Moodle does")
        return None
    name, participant, plugin, rest = parsed
    if plugin != "file":
        skipped.append(f"{shown!r}: a Moodle {plugin} submission, not a file")
        return None
    filename = safe_relative((rest, *parts[1:]) if len(parts) == 1 else parts[1:])
    if filename is None:
        skipped.append(f"{shown!r}: no usable file name")
        return None
    return Entry(SOURCE, participant, name, filename, (0,), read)


def _from_folder(root: Path) -> tuple[list[Entry], list[str]]:
    entries: list[Entry] = []
    skipped: list[str] = []
    for file in walk_files(root, skipped):
        parts = file.relative_to(root).parts
        entry = _entry(parts, partial(read_regular, file), skipped)
        if entry is not None:
            entries.append(entry)
    return entries, skipped


def walk_files(root: Path, skipped: list[str], *, hidden: bool = True) -> Iterator[Path]:
    """Regular files under ``root`` (hidden ones too unless ``hidden`` is False); links and special
    files are skipped with the reason, and links are never followed."""
    count = 0
    for folder_name, dirs, files in os.walk(root, followlinks=False):
        folder = Path(folder_name)
        for name in list(dirs):
            if (folder / name).is_symlink():
                skipped.append(f"{(folder / name).relative_to(root).as_posix()!r}: a symbolic link")
            if not hidden and name.startswith("."):
                dirs.remove(name)
        dirs.sort()
        for name in sorted(files):
            file = folder / name
            if not hidden and name.startswith("."):
                continue
            if file.is_symlink() or not file.is_file():
                skipped.append(f"{file.relative_to(root).as_posix()!r}: not a regular file")
                continue
            count += 1
            if count > _MAX_FILES:
                raise UsageError(f"{root} holds more than {_MAX_FILES} files")
            yield file


def read_regular(file: Path) -> bytes:
    if file.stat().st_size > safezip.MAX_FILE_BYTES:
        raise UsageError(f"{file} is bigger than {safezip.MAX_FILE_BYTES} bytes")
    return file.read_bytes()
