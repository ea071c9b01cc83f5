"""Promises about the stylesheet and imports: AA contrast, nothing fetched, lazy matplotlib."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from dnn_autograder.grader.outputs.render.env import TEMPLATES_DIR, stylesheet

CSS = (TEMPLATES_DIR / "report.css").read_text(encoding="utf-8")
COLOURS = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6});", CSS))

#: (text colour, background): every pair the pages use for text
PAIRS = [
    ("ink", "paper"), ("ink", "panel"), ("muted", "paper"), ("muted", "panel"), ("link", "paper"),
    ("passed-ink", "passed-bg"), ("failed-ink", "failed-bg"), ("error-ink", "error-bg"),
    ("missing-ink", "missing-bg"), ("ink", "diff-bg"), ("failed-ink", "diff-bg"),
    ("ink", "failed-bg"), ("muted", "failed-bg"), ("passed-ink", "paper"),
]


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize(("text", "background"), PAIRS, ids=[f"{t}-on-{b}" for t, b in PAIRS])
def test_text_contrast_meets_wcag_aa(text: str, background: str) -> None:
    lighter, darker = sorted((_luminance(COLOURS[text]), _luminance(COLOURS[background])),
                             reverse=True)
    assert (lighter + 0.05) / (darker + 0.05) >= 4.5


def test_stylesheet_fetches_nothing_and_has_print_rules() -> None:
    assert "@import" not in CSS and "url(" not in CSS and "@font-face" not in CSS
    assert "@media print" in CSS
    assert str(stylesheet()) == CSS


def test_matplotlib_is_imported_only_to_draw() -> None:
    code = ("import sys, dnn_autograder.grader.outputs.render, dnn_autograder.grader.grading.figures; "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
