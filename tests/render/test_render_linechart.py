"""The optimizer and dropout pictures are drawn as SVG directly (issue 17: matplotlib cost ~0.15 s per report
and its import ~0.5 s per worker): no matplotlib, the lines go through the data, round ticks."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap

import pytest

from dnn_autograder.grader.outputs.render.linechart import Chart, nice_ticks
from dnn_autograder.grader.outputs.render.plots import figure_blocks


def _paths_data() -> dict:
    series = []
    for label, name in (("gradient descent", "update_parameters_with_gd"), ("Adam", "update_parameters_with_adam")):
        path = {"x": [-7.0, -5.0, -3.0, -1.0], "y": [2.0, 1.0, 0.5, 0.1], "cost": [0.69, 0.6, 0.5, 0.45, 0.4]}
        series.append({"function": name, "label": label, "hyper": {}, "reference": path,
                       "yours": {**path, "x": [-7.0, -6.0, -5.5, -5.0]}})
    return {"bowl": "x^2/20 + y^2", "start": [-7.0, 2.0], "steps": 4, "series": series, "notes": []}


def _dropout_data() -> dict:
    probs = [0.1, 0.5, 1.0]
    return {"keep_prob": probs, "reference": {"kept": probs, "scale": [1.0, 1.0, 1.0]},
            "yours": {"kept": probs, "scale": probs}, "notes": []}


@pytest.mark.parametrize("key", ["optimizer_paths", "dropout_scaling"])
def test_the_line_pictures_are_drawn_without_matplotlib(key: str) -> None:
    data = _paths_data() if key == "optimizer_paths" else _dropout_data()
    script = textwrap.dedent(f"""
        import json, sys
        from dnn_autograder.grader.outputs.render.plots import figure_blocks
        block = figure_blocks({{{key!r}: json.loads({json.dumps(json.dumps(data))})}}, "t")[0]
        assert block["svg"].startswith("<svg") and "This picture could not be drawn." not in block["notes"]
        print("matplotlib" in sys.modules)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_the_picture_shows_each_series_of_yours_and_the_reference() -> None:
    svg = figure_blocks({"optimizer_paths": _paths_data()}, "t")[0]["svg"]
    lines = re.findall(r'<polyline points="([^"]+)" style="([^"]+)"', svg)
    data_lines = [style for _, style in lines if "stroke-width: 0.8" not in style]  # not the spines
    dashed = [s for s in data_lines if "dasharray" in s]
    solid = [s for s in data_lines if "dasharray" not in s]
    assert len(dashed) == 4 and len(solid) == 4  # 2 methods x (path, cost), reference and yours
    assert "reference (each method)" in svg and "Adam (yours)" in svg
    assert 'id="t-0-clip0"' in svg and "url(#t-0-clip0)" in svg  # ids prefixed per picture


def test_a_line_goes_through_its_points() -> None:
    chart = Chart(200, 100)
    panel = chart.panel(left=10, top=20, width=100, height=50, xlim=(0.0, 10.0), ylim=(-1.0, 1.0))
    panel.line([0.0, 5.0, 10.0], [-1.0, 0.0, float("nan")], colour="#0072B2")
    panel.line([2.0, 4.0], [1.0, 1.0], colour="#0072B2")
    svg = chart.to_svg("a test", "p")
    polylines = re.findall(r'<polyline points="([^"]+)" style="fill: none; stroke: #0072b2', svg)
    # x: 10 + x / 10 * 100; y: 20 + 50 - (y + 1) / 2 * 50; the NaN point ends the first line
    assert polylines == ["10.00,70.00 60.00,45.00", "30.00,20.00 50.00,20.00"]


def test_ticks_are_round_numbers_covering_the_range() -> None:
    assert nice_ticks(0.0, 1.0) == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert nice_ticks(0.31, 0.69) == [0.4, 0.5, 0.6]
    assert nice_ticks(-3.0, 3.0, count=3) == [-2.0, 0.0, 2.0]
