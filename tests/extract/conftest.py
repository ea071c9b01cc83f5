"""Fixtures of the extract tests: files written to a temporary folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from extract_builders import notebook_json


@pytest.fixture
def write_notebook(tmp_path: Path) -> Callable[..., Path]:
    """``write_notebook(*cells, name="submission.ipynb", minor=5, metadata=None) -> Path``."""

    def write(*cells: Any, name: str = "submission.ipynb", **options: Any) -> Path:
        path = tmp_path / name
        path.write_text(notebook_json(*cells, **options), encoding="utf-8")
        return path

    return write


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    """``write_file(name, text_or_bytes) -> Path`` in a temporary folder."""

    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write
