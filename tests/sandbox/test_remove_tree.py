"""``channel.remove_tree``: a session's directory goes, whatever the student left in it, and
nothing outside it (a symlink is removed, never followed)."""

from __future__ import annotations

import os
from pathlib import Path

from dnn_autograder.grader.sandbox.channel import remove_tree


def test_empty_scratch_directories(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "scratch").mkdir(parents=True)
    (root / "other").mkdir()
    remove_tree(str(root))
    assert not root.exists()


def test_files_and_locked_modes(tmp_path: Path) -> None:
    root = tmp_path / "root"
    deep = root / "scratch" / "a" / "b"
    deep.mkdir(parents=True)
    (deep / "f.txt").write_text("x")
    (root / "file-at-top").write_text("y")
    os.chmod(deep, 0o500)
    os.chmod(root / "scratch", 0o500)
    remove_tree(str(root))
    assert not root.exists()


def test_symlinks_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "keep").mkdir(parents=True)
    root = tmp_path / "root"
    (root / "scratch").mkdir(parents=True)
    os.symlink(outside, root / "link")  # rmdir refuses a symlink: the whole tree path removes it
    os.symlink(outside / "keep", root / "scratch" / "link")
    remove_tree(str(root))
    assert not root.exists() and (outside / "keep").is_dir()


def test_a_missing_directory_is_no_error(tmp_path: Path) -> None:
    remove_tree(str(tmp_path / "never-made"))
