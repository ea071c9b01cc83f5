"""A report's pictures and seeds cost a warm worker little, with the same page (issue 17): a figure
block drawn for the same data is reused, a line chart's points are placed as the panel's own
``x``/``y`` place them, and the case seed follows the spec file as it is now."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dnn_autograder.grader.assignment import spec as spec_module
from dnn_autograder.grader.outputs.render import context, plots
from dnn_autograder.grader.outputs.render.linechart import Chart, Panel, _marker


def _counting_drawer(calls: list):
    def draw(data, ident):
        calls.append((ident, data))
        return {"title": "t", "svg": f"<svg id='{ident}'>{len(calls)}</svg>", "caption": "", "table": None,
                "notes": ["drawn"]}
    return draw


def test_a_block_is_drawn_once_for_the_same_data_and_id() -> None:
    calls: list = []
    drawers = {"f": _counting_drawer(calls)}
    first = plots.figure_blocks({"f": {"x": [1.0, 2.0], "notes": ["a"]}}, "p", drawers=drawers)
    again = plots.figure_blocks({"f": {"x": [1.0, 2.0], "notes": ["a"]}}, "p", drawers=drawers)
    assert len(calls) == 1 and again == first
    assert again[0] is not first[0] and again[0]["notes"] == ["a", "drawn"]
    again[0]["svg"] = "changed by the caller"
    assert plots.figure_blocks({"f": {"x": [1.0, 2.0], "notes": ["a"]}}, "p", drawers=drawers) == first


@pytest.mark.parametrize("other", [
    {"x": [1.0, 2.0000000000000004], "notes": ["a"]},  # one bit of one number
    {"x": [1, 2.0], "notes": ["a"]},  # an int for a float
    {"x": (1.0, 2.0), "notes": ["a"]},  # a tuple for a list
    {"notes": ["a"], "x": [1.0, 2.0]},  # another order
    {"x": [1.0, 2.0], "notes": ["b"]},
    {"x": np.array([1.0, 2.0]), "notes": ["a"]},
])
def test_other_data_or_another_id_is_drawn_again(other: dict) -> None:
    calls: list = []
    drawers = {"f": _counting_drawer(calls)}
    plots.figure_blocks({"f": {"x": [1.0, 2.0], "notes": ["a"]}}, "p", drawers=drawers)
    plots.figure_blocks({"f": other}, "p", drawers=drawers)
    plots.figure_blocks({"f": {"x": [1.0, 2.0], "notes": ["a"]}}, "q", drawers=drawers)
    assert len(calls) == 3


def test_data_that_cannot_be_pickled_is_drawn_every_time_and_only_the_last_blocks_are_kept() -> None:
    calls: list = []
    drawers = {"f": _counting_drawer(calls)}
    for _ in range(2):
        plots.figure_blocks({"f": {"x": [1.0], "fn": lambda: None}}, "p", drawers=drawers)
    assert len(calls) == 2
    for index in range(plots.DRAWN_KEPT + 3):
        plots.figure_blocks({"f": {"x": [float(index)]}}, "p", drawers=drawers)
    assert len(plots._DRAWN) <= plots.DRAWN_KEPT  # noqa: SLF001


def test_a_failing_drawer_is_tried_again_next_time() -> None:
    calls: list = []

    def fails(data, ident):
        calls.append(ident)
        raise ValueError("odd data")

    for _ in range(2):
        blocks = plots.figure_blocks({"f": {"x": [1.0]}}, "p", drawers={"f": fails})
        assert blocks[0]["notes"] == ["This picture could not be drawn."]
    assert len(calls) == 2


def _plain_line(panel: Panel, xs, ys, *, colour: str, every: int, marker: str) -> list[str]:
    """The line as the panel's own ``x``/``y`` place each point, one point at a time."""
    style = f"fill: none; stroke: {colour}; stroke-width: 1.2; stroke-linejoin: round"
    parts, run = [], []

    def finite(v) -> bool:
        return isinstance(v, int | float) and math.isfinite(v)

    for x, y in zip(xs, ys, strict=False):
        if finite(x) and finite(y):
            run.append(f"{panel.x(x):.2f},{panel.y(y):.2f}")
        else:
            if len(run) > 1:
                parts.append(f'<polyline points="{" ".join(run)}" style="{style}"/>')
            run = []
    if len(run) > 1:
        parts.append(f'<polyline points="{" ".join(run)}" style="{style}"/>')
    for index, (x, y) in enumerate(zip(xs, ys, strict=False)):
        if marker and index % every == 0 and finite(x) and finite(y):
            parts.append(_marker(marker, panel.x(x), panel.y(y), 4.0, colour))
    return parts


_numbers = st.one_of(st.floats(-1e6, 1e6), st.integers(-100, 100), st.just(float("nan")), st.just(math.inf),
                     st.none())


@settings(max_examples=200, deadline=None)
@given(st.lists(_numbers, max_size=12), st.lists(_numbers, max_size=12), st.integers(1, 4),
       st.sampled_from(["", "o", "^"]), st.sampled_from([(0.0, 1.0), (-8.0, 2.5), (3.0, 3.0)]))
def test_a_line_goes_through_the_points_the_panel_places(xs, ys, every, marker, limits) -> None:
    panel = Chart(300.0, 200.0).panel(left=40.0, top=20.0, width=200.0, height=150.0, xlim=limits,
                                      ylim=(-3.0, 3.0))
    panel.line(xs, ys, colour="#0072B2", every=every, marker=marker)
    assert panel.parts == _plain_line(panel, xs, ys, colour="#0072b2", every=every, marker=marker)


def test_the_case_seed_follows_the_spec_file(tmp_path, monkeypatch) -> None:
    folder = tmp_path / "demo"
    folder.mkdir()
    spec = folder / "spec.toml"
    spec.write_text('name = "demo"\ncase_seed = 11\n', encoding="utf-8")
    monkeypatch.setattr(spec_module, "ASSIGNMENTS_DIR", tmp_path)
    assert context._spec_seed("demo") == 11
    assert context._spec_seed("demo") == 11
    spec.write_text('name = "demo"\ncase_seed = 12\n', encoding="utf-8")
    info = spec.stat()
    os.utime(spec, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000))  # however coarse the clock
    assert context._spec_seed("demo") == 12
    spec.write_text('name = "demo"\n', encoding="utf-8")
    assert context._spec_seed("demo") is None
    assert context._spec_seed("missing") is None


@pytest.mark.parametrize("name", ["optimization", "gradient_checking", "no_such_assignment", "", ".", "..",
                                  "../assignments/optimization", "optimization/", "optim\0ization"])
def test_one_assignments_drawers_are_those_a_listing_of_the_folders_finds(name: str) -> None:
    import importlib

    from dnn_autograder.grader.grading.figures import available_assignments, drawers

    expected = {}
    if name in available_assignments():  # the folder's own figures.py, imported by its module name
        module = importlib.import_module(f"dnn_autograder.assignments.{name}.figures")
        expected = {figure.name: figure.draw for figure in module.FIGURES}
    assert drawers(name) == expected
    assert bool(expected) == (name in ("optimization", "gradient_checking"))
