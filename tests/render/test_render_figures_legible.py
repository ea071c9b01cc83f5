"""Pictures a student can read (issue 12): no label smaller than ~11 px at 100 % zoom, the
reference drawn unlike the student's curve (another colour and a dash) and named in a legend,
and every figure keeps its table of numbers."""

from __future__ import annotations

import re

import numpy as np
import pytest

from dnn_autograder.grader.outputs.render.plots import figure_blocks, heatmap
from dnn_autograder.grader.outputs.render.summary_charts import pass_rates, score_histogram

#: smallest text, in CSS pixels, when the SVG is shown at its natural size
MIN_PX = 11.0
#: widest natural size that fits the report's column (72rem minus padding) without shrinking
MAX_WIDTH_PX = 1100.0


def font_sizes_px(svg: str) -> list[float]:
    """Every text's font size in CSS pixels at the SVG's natural size."""
    width = re.search(r'<svg[^>]*\bwidth="([\d.]+)(pt|px)?"', svg)
    box = re.search(r'<svg[^>]*\bviewBox="[\d.\-]+ [\d.\-]+ ([\d.]+) [\d.]+"', svg)
    assert width and box, svg[:300]
    natural = float(width[1]) * (4 / 3 if width[2] == "pt" else 1.0)
    scale = natural / float(box[1])
    sizes = [float(s) for s in re.findall(r"font(?:-size)?:\s*(?:[a-z]+\s+)*([\d.]+)px", svg)]
    assert sizes, "no text found in the SVG"
    return [s * scale for s in sizes]


def natural_width_px(svg: str) -> float:
    width = re.search(r'<svg[^>]*\bwidth="([\d.]+)(pt|px)?"', svg)
    assert width
    return float(width[1]) * (4 / 3 if width[2] == "pt" else 1.0)


def _all_svgs(all_figures: dict) -> list[tuple[str, str]]:
    blocks = figure_blocks(all_figures, "t")
    svgs = [(b["title"], b["svg"]) for b in blocks]
    svgs.append(("heatmap", heatmap(np.abs(np.random.default_rng(0).standard_normal((10, 12))),
                                    'v["dW1"]', "h")))
    svgs.append(("histogram", score_histogram([10.0, 55.0, 90.0, 100.0], "s")))
    svgs.append(("pass rates", pass_rates(["update_parameters_with_adam", "update_lr"], [40.0, 90.0], "p")))
    return svgs


def test_no_text_smaller_than_11_px(all_figures: dict) -> None:
    for title, svg in _all_svgs(all_figures):
        small = sorted({round(s, 1) for s in font_sizes_px(svg) if s < MIN_PX})
        assert not small, f"{title}: text of {small} px"


def test_figures_are_not_shrunk_by_the_page(all_figures: dict) -> None:
    for title, svg in _all_svgs(all_figures):
        assert natural_width_px(svg) <= MAX_WIDTH_PX, title


def _strokes(svg: str) -> list[str]:
    return re.findall(r'style="([^"]*stroke-dasharray[^"]*)"', svg)


@pytest.mark.parametrize("title", ["Your optimizers on an elongated bowl", "Your dropout against keep_prob"])
def test_reference_curve_differs_in_colour_and_dash(all_figures: dict, title: str) -> None:
    block = next(b for b in figure_blocks(all_figures, "t") if b["title"] == title)
    svg = block["svg"]
    dashed = {re.search(r"stroke:\s*(#[0-9a-f]{6})", s)[1] for s in _strokes(svg)
              if re.search(r"stroke:\s*#", s)}
    solid_colours = set(re.findall(r'style="[^"]*stroke:\s*(#[0-9a-f]{6})[^"]*stroke-width:\s*[\d.]+[^"]*"', svg))
    assert dashed, "the reference is not dashed"
    assert "reference" in svg, "no legend entry names the reference"
    coloured = {c for c in solid_colours if c not in dashed and c not in ("#b0b0b0", "#333333", "#000000",
                                                                         "#1a1a1a", "#ffffff")}
    assert coloured, "the student's curves have no colour of their own"
    assert block["table"]["rows"] and "reference" in " ".join(block["table"]["columns"])


def test_every_figure_keeps_its_table(all_figures: dict) -> None:
    for block in figure_blocks(all_figures, "t"):
        assert block["svg"] and block["table"] and block["table"]["rows"], block["title"]
