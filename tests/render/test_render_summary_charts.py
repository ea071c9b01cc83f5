"""The class summary's charts, drawn without matplotlib: the bars say what the data say."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import result_fixtures as rf
from hypothesis import given, settings
from hypothesis import strategies as st

from dnn_autograder.grader.outputs.render.summary_charts import bin_counts, integer_ticks, pass_rates, score_histogram

percents = st.lists(st.floats(min_value=-20, max_value=120, allow_nan=False), max_size=60)


def _rects(svg: str) -> list[tuple[float, float, float, float]]:
    """``(x, y, width, height)`` of the filled bars (the blue rectangles)."""
    return [tuple(map(float, m)) for m in re.findall(
        r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" style="fill: #0072b2', svg)]


def _texts(svg: str) -> list[str]:
    return re.findall(r"<text [^>]*>([^<]*)</text>", svg)


@given(percents)
def test_bins_agree_with_numpy_histogram(values: list[float]) -> None:
    expected, _ = np.histogram(np.clip(values, 0, 100), bins=np.linspace(0, 100, 11))
    assert bin_counts(values) == expected.tolist()


@settings(max_examples=30)
@given(percents)
def test_histogram_bars_are_the_counts(values: list[float]) -> None:
    svg = score_histogram(values, "s")
    counts = [c for c in bin_counts(values) if c]
    bars = _rects(svg)
    assert len(bars) == len(counts)
    assert [int(t) for t in _texts(svg) if t.isdigit()][-len(counts) or len(_texts(svg)):] == counts or not counts
    if counts:  # heights proportional to the counts, bars left to right in bin order
        unit = bars[0][3] / counts[0]
        assert all(abs(h - unit * c) < 0.02 for (_, _, _, h), c in zip(bars, counts, strict=True))
        assert [x for x, *_ in bars] == sorted(x for x, *_ in bars)


def test_histogram_labels_and_accessible_name() -> None:
    svg = score_histogram([0.0, 10.0, 55.0, 100.0, 100.0], "s")
    assert svg.startswith('<svg role="img" aria-label="Histogram of the class&#x27;s scores"')
    texts = _texts(svg)
    assert "score (% of the maximum)" in texts and "students" in texts
    assert [int(t) for t in texts[-4:]] == [1, 1, 1, 2]  # [0,10) [10,20) [50,60) [90,100]


def test_pass_rate_bars_are_proportional_and_labelled() -> None:
    labels = ["update_parameters_with_adam", "update_lr", "<script>"]
    rates = [40.0, 90.0, 0.0]
    svg = pass_rates(labels, rates, "p")
    bars = _rects(svg)
    full = re.search(r'<clipPath id="p-clip0"><rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"', svg)
    assert full
    assert [round(100 * w / float(full[1]), 1) for _, _, w, _ in bars] == rates
    assert [y for _, y, _, _ in bars] == sorted(y for _, y, _, _ in bars)  # the first function on top
    texts = _texts(svg)
    assert "update_parameters_with_adam" in texts and "&lt;script&gt;" in texts and "<script>" not in svg
    assert {"40%", "90%", "0%"} <= set(texts)


def test_text_is_legible() -> None:
    """Text of 9 pt in an SVG whose width is given in pt: 12 CSS px at its natural size."""
    for svg in (score_histogram([50.0], "s"), pass_rates(["f"], [50.0], "p")):
        assert set(re.findall(r"font: ([\d.]+)px", svg)) == {"9"}
        assert re.search(r'<svg[^>]*width="[\d.]+pt"', svg)


def test_integer_ticks() -> None:
    assert integer_ticks(1.2) == [0, 1]
    assert integer_ticks(3.6) == [0, 1, 2, 3]
    assert integer_ticks(36.0) == [0, 10, 20, 30]
    for top in (1.2, 7.0, 24.0, 120.0, 1200.0):
        ticks = integer_ticks(top)
        assert ticks[0] == 0 and ticks[-1] <= top and 2 <= len(ticks) <= 5


def _summary_in_a_fresh_process(before: str, after: str) -> str:
    """What a fresh Python prints when it loads the summary's renderer (as a batch does while its
    workers grade), runs ``before``, renders the summary of a small class, checks that the page
    has its charts and runs ``after``."""
    code = ("import sys\n"
            f"sys.path.insert(0, {str(Path(rf.__file__).parent)!r})\n"
            "import result_fixtures as rf\n"
            "from dnn_autograder.grader.outputs.exports.class_outputs import load_summary_renderer, summary_html\n"
            "load_summary_renderer()\n"
            f"{before}"
            "page = summary_html(rf.classroom(), {'alice': 'alice/report.html'})\n"
            "assert page.count('<svg role=\"img\"') == 2, page\n"
            f"{after}")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).parent)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_summary_page_never_imports_matplotlib() -> None:
    """The class batch draws the summary in its own process: matplotlib there cost ~0.5 s of CPU."""
    assert _summary_in_a_fresh_process("", "print('matplotlib' in sys.modules)\n") == "False"


def test_the_summary_renders_without_compiling_once_its_renderer_is_loaded() -> None:
    """A batch loads the summary's renderer while its workers grade: the page it renders at the end
    then compiles no template (its own, nor the layout and macros it extends and imports)."""
    spy = ("import jinja2\n"
           "compiled = []\n"
           "compile_ = jinja2.Environment.compile\n"
           "jinja2.Environment.compile = lambda self, *a, **k: compiled.append(a[1:2]) or compile_(self, *a, **k)\n")
    assert _summary_in_a_fresh_process(spy, "print(compiled)\n") == "[]"
