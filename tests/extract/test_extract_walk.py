"""Listing and reading a submission's files: links, special files, odd shapes and the caps.

Every fixture is built here, in a temporary folder. The listing is checked through
``submission_files`` (the public entry point the pipeline used before the walk existed) and
``list_submission`` (which also says what it left out).
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from dnn_autograder.grader.errors import SubmissionError
from dnn_autograder.grader.extract import MAX_FILE_BYTES, extract_file, submission_files


def list_submission(path: Path):
    from dnn_autograder.grader.extract.walk import list_submission

    return list_submission(path)


def read_submission_file(path: Path, **options):
    from dnn_autograder.grader.extract.walk import read_submission_file

    return read_submission_file(path, **options)


def _walk():
    """The walk module (imported late, so the tests of the public API run without it)."""
    from dnn_autograder.grader.extract import walk

    return walk

CODE = ("def update_lr(learning_rate0, epoch_num, decay_rate):\n"
        "    return learning_rate0 / (1 + decay_rate * epoch_num)\n")


def _deep(root: Path, levels: int) -> Path:
    """A chain of ``levels`` nested folders under ``root``, built with relative mkdirs (a path of
    1100 components is longer than PATH_MAX); returns the deepest folder's path from ``root``."""
    here = os.open(root, os.O_RDONLY)
    try:
        for _ in range(levels):
            os.mkdir("d", dir_fd=here)
            inner = os.open("d", os.O_RDONLY, dir_fd=here)
            os.close(here)
            here = inner
        fd = os.open("work.py", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=here)
        os.write(fd, CODE.encode())
        os.close(fd)
    finally:
        os.close(here)
    return root


@pytest.fixture
def deep_tree(tmp_path: Path):
    """``tmp_path`` for a test that nests folders deeply: removed here, level by level, because
    pytest's own clean-up (``shutil.rmtree``) recurses and fails on such a tree."""
    yield tmp_path
    levels = []
    here = os.open(tmp_path, os.O_RDONLY)
    while os.path.isdir(os.path.join(f"/proc/self/fd/{here}", "d")):
        levels.append(here)
        here = os.open("d", os.O_RDONLY, dir_fd=here)
    while levels:
        for name in os.listdir(f"/proc/self/fd/{here}"):
            os.unlink(name, dir_fd=here)
        os.close(here)
        here = levels.pop()
        os.rmdir("d", dir_fd=here)
    os.close(here)


def _reasons(path: Path) -> dict[str, str]:
    return {item.file: item.reason for item in list_submission(path).ignored}


def test_a_link_to_a_file_is_never_read(tmp_path: Path) -> None:
    alice, mallory = tmp_path / "alice", tmp_path / "mallory"
    alice.mkdir()
    mallory.mkdir()
    (alice / "optimization.py").write_text(CODE, encoding="utf-8")
    (mallory / "optimization.py").symlink_to("../alice/optimization.py")
    assert submission_files(mallory) == ()
    assert "symbolic link" in _reasons(mallory)["optimization.py"]
    with pytest.raises(SubmissionError, match="symbolic link"):
        extract_file(mallory / "optimization.py")


def test_a_link_to_a_folder_is_never_searched(tmp_path: Path) -> None:
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "work.py").write_text(CODE, encoding="utf-8")
    mallory = tmp_path / "mallory"
    mallory.mkdir()
    (mallory / "borrowed").symlink_to("../alice")
    assert submission_files(mallory) == ()
    assert "symbolic link" in _reasons(mallory)["borrowed"]


def test_a_submission_that_is_itself_a_link_is_refused(tmp_path: Path) -> None:
    (tmp_path / "real.py").write_text(CODE, encoding="utf-8")
    (tmp_path / "link.py").symlink_to("real.py")
    assert submission_files(tmp_path / "link.py") == ()
    assert "symbolic link" in _reasons(tmp_path / "link.py")["link.py"]


@pytest.fixture
def alarm():
    """Fail (rather than hang) a test whose code blocks for more than 10 s."""
    def expire(signum, frame):
        raise TimeoutError("blocked for more than 10 s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def test_a_fifo_is_refused_without_blocking(tmp_path: Path, alarm: None) -> None:
    os.mkfifo(tmp_path / "notes.py")
    (tmp_path / "work.py").write_text(CODE, encoding="utf-8")
    started = time.monotonic()
    assert [p.name for p in submission_files(tmp_path)] == ["work.py"]
    assert "FIFO" in _reasons(tmp_path)["notes.py"]
    with pytest.raises(SubmissionError, match="FIFO"):
        read_submission_file(tmp_path / "notes.py")
    assert time.monotonic() - started < 5


def test_a_device_is_never_read(tmp_path: Path) -> None:
    (tmp_path / "zero.py").symlink_to("/dev/zero")
    assert submission_files(tmp_path) == ()
    with pytest.raises(SubmissionError, match="symbolic link"):
        extract_file(tmp_path / "zero.py")
    with pytest.raises(SubmissionError, match="character device"):
        read_submission_file(Path("/dev/zero"))


def test_a_folder_1100_levels_deep_costs_nothing_but_its_files(deep_tree: Path) -> None:
    tmp_path = deep_tree
    (tmp_path / "top.py").write_text(CODE, encoding="utf-8")
    _deep(tmp_path, 1100)
    started = time.monotonic()
    listing = list_submission(tmp_path)  # no RecursionError
    assert [p.name for p in listing.files] == ["top.py"]
    deepest_searched = "/".join(["d"] * _walk().MAX_DEPTH)
    assert any(i.file.startswith(deepest_searched + "/d") and "deep" in i.reason for i in listing.ignored)
    assert time.monotonic() - started < 5


def test_files_within_the_depth_cap_are_found(tmp_path: Path) -> None:
    _deep(tmp_path, _walk().MAX_DEPTH - 1)
    assert [p.name for p in submission_files(tmp_path)] == ["work.py"]


def test_the_number_of_entries_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_walk(), "MAX_ENTRIES", 50)
    for index in range(120):
        (tmp_path / f"f{index:03}.py").write_text("x = 1\n", encoding="utf-8")
    listing = list_submission(tmp_path)
    assert len(listing.files) <= 50
    assert any("more than" in i.reason for i in listing.ignored)


def test_the_bytes_read_for_one_submission_are_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_walk(), "MAX_SUBMISSION_BYTES", 1000)
    for name in ("a.py", "b.py", "c.py"):
        (tmp_path / name).write_text("x = 1\n" + "#" * 440 + "\n", encoding="utf-8")
    listing = list_submission(tmp_path)
    assert [p.name for p in listing.files] == ["a.py", "b.py"]
    assert "read limit" in _reasons(tmp_path)["c.py"]


def test_a_file_growing_past_the_cap_is_read_no_further(tmp_path: Path) -> None:
    path = tmp_path / "big.py"
    path.write_bytes(b"#" * 200)
    with pytest.raises(SubmissionError, match="limit"):
        read_submission_file(path, limit=100)
    assert read_submission_file(path, limit=200) == b"#" * 200


def test_checkpoint_folders_are_never_graded_and_say_so(tmp_path: Path) -> None:
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "work-checkpoint.ipynb").write_text("{}", encoding="utf-8")
    (tmp_path / "work.py").write_text(CODE, encoding="utf-8")
    assert [p.name for p in submission_files(tmp_path)] == ["work.py"]
    assert "checkpoint" in _reasons(tmp_path)[".ipynb_checkpoints/"]


def test_names_with_terminal_escapes_are_cleaned_where_they_enter(tmp_path: Path) -> None:
    hostile = "evil\x1b]52;c;cm0gLXJmIH4vKg==\x07\u202e.py"
    (tmp_path / hostile).write_text(CODE, encoding="utf-8")
    listing = list_submission(tmp_path)
    assert listing.names == ("evil\\x1b]52;c;cm0gLXJmIH4vKg==\\x07\\u202e.py",)
    extracted = extract_file(listing.files[0], listing.names[0])
    assert "\x1b" not in extracted.path and "\\x1b" in extracted.path
    assert all("\x1b" not in unit.filename for unit in extracted.units)


def test_a_txt_file_says_it_is_not_python_or_a_notebook(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text(CODE, encoding="utf-8")
    with pytest.raises(SubmissionError, match=r"not a \.py or \.ipynb file"):
        extract_file(path)


def test_a_huge_python_file_is_not_told_to_clear_notebook_outputs(tmp_path: Path) -> None:
    path = tmp_path / "huge.py"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(SubmissionError) as caught:
        extract_file(path)
    assert "limit" in str(caught.value) and "notebook" not in str(caught.value)
    notebook = tmp_path / "huge.ipynb"
    with notebook.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(SubmissionError, match="Clear All Outputs"):
        extract_file(notebook)
