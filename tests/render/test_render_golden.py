"""Golden file: the report of the fixture submission, byte for byte after normalisation.

After an intended change of the templates or the stylesheet, regenerate it with
``UPDATE_GOLDEN=1 python -m pytest tests/render/test_render_golden.py`` and review the diff.
"""

from __future__ import annotations

import dataclasses
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import result_fixtures as rf

from dnn_autograder.grader import __version__
from dnn_autograder.grader.outputs.render import render_report
from dnn_autograder.grader.outputs.render.context import readable_time

GOLDEN = Path(rf.__file__).with_name("report.golden.html")


def normalise(page: str, result_version: str, graded_at: str) -> str:
    """Pictures (matplotlib's exact SVG varies by version), date and version are placeholders."""
    page = re.sub(r"<svg\b.*?</svg>", "<svg>[picture]</svg>", page, flags=re.S)
    page = page.replace(graded_at, "[graded at]")
    page = page.replace(readable_time(graded_at), "[graded on]")
    return page.replace(result_version, "[version]")


def test_report_matches_golden_file(catalogue: dict) -> None:
    result = dataclasses.replace(
        rf.submission(), grader_version=__version__,
        graded_at=datetime.now(UTC).isoformat(timespec="seconds"))
    page = normalise(render_report(result, catalogue=catalogue), __version__, result.graded_at)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(page, encoding="utf-8")
    assert GOLDEN.exists(), "no golden file: create it with UPDATE_GOLDEN=1 and review it"
    golden = GOLDEN.read_text(encoding="utf-8")
    assert page == golden, (
        "the report differs from tests/fixtures/results/report.golden.html; if the change is"
        " intended, rerun with UPDATE_GOLDEN=1 and review the diff")
    assert "[version]" in golden and "[graded at]" in golden and "<svg>[picture]</svg>" in golden
    assert "[graded on]" in golden
