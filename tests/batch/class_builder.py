"""Build class folders for the batch tests: good submissions and every kind of broken one."""

from __future__ import annotations

import json
import os
from pathlib import Path

GOOD = ("def forward(x):\n    return x\n\n\ndef backward(x):\n    return x\n\n\n"
        "def update(x):\n    return x\n")
PARTIAL = "def forward(x):\n    return x\n"


def notebook(source: str) -> str:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                       "cells": [{"cell_type": "code", "metadata": {}, "execution_count": None,
                                  "outputs": [], "source": source}]})


#: student file or folder -> (content, expected score) for the fake engine.
BROKEN = {
    "invalid_json.ipynb": ("{\"cells\": [", 0.0),
    "binary_garbage.py": (b"\x00\x01\x02\xff\xfe" * 200, 0.0),
    "empty.py": ("", 0.0),
    "python_as_notebook.ipynb": (GOOD, 3.0),  # really Python: read as Python, graded
    "zip_archive.ipynb": (b"PK\x03\x04rest of a zip", 0.0),
}


def build_class(root: Path, *, good: int = 12, extra: dict[str, str | bytes] | None = None,
                huge: bool = True) -> dict[str, float]:
    """Write a class into ``root``; return ``{student id: expected fake score}`` (ids are the
    names without ``.py``/``.ipynb``)."""
    root.mkdir(parents=True, exist_ok=True)
    expected: dict[str, float] = {}
    for index in range(good):
        if index % 3 == 0:  # a folder holding a notebook
            folder = root / f"student{index:02d}"
            folder.mkdir()
            (folder / "work.ipynb").write_text(notebook(GOOD), encoding="utf-8")
            expected[folder.name] = 3.0
        elif index % 3 == 1:
            (root / f"student{index:02d}.py").write_text(GOOD, encoding="utf-8")
            expected[f"student{index:02d}"] = 3.0
        else:
            (root / f"student{index:02d}.py").write_text(PARTIAL, encoding="utf-8")
            expected[f"student{index:02d}"] = 1.0
    for name, (content, score) in BROKEN.items():
        _write(root / name, content)
        expected[name.rsplit(".", 1)[0]] = score  # the id drops .py/.ipynb
    if huge:
        with open(root / "huge.py", "wb") as stream:
            stream.truncate(21 * 2**20)  # over the 20 MB limit
        expected["huge"] = 0.0
    latin1 = os.fsdecode(b"caf\xe9.py")  # a non-UTF-8 file name
    (root / latin1).write_text(GOOD, encoding="utf-8")
    expected["caf\\xe9"] = 3.0
    empty_folder = root / "nothing_here"
    empty_folder.mkdir()
    expected["nothing_here"] = 0.0
    for name, content in (extra or {}).items():
        _write(root / name, content)
    (root / "roster.csv").write_text("not a student\n", encoding="utf-8")
    (root / ".hidden.py").write_text(GOOD, encoding="utf-8")
    return expected


def _write(path: Path, content: str | bytes) -> None:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


def peak_traced_mb(class_dir: Path, out: Path) -> float:
    """Grade ``class_dir`` with the fake engine (2 workers, no reports) and return the peak of the
    memory Python allocated in this process meanwhile (tracemalloc), in MB."""
    import tracemalloc

    from dnn_autograder.grader.classes.batch import grade_batch

    tracemalloc.start()
    try:
        summary = grade_batch(class_dir, out, engine="batch_fake_engine:FakeEngine", jobs=2, progress=None,
                              reports=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert summary.graded == len(list(class_dir.iterdir()))
    return peak / 2**20
