"""Views of counterexample values: grids, flagged cells, summaries, heatmap data."""

from __future__ import annotations

import numpy as np

from dnn_autograder.grader.outputs.render.values import MISSING, input_views, leaves, pair_views, view


def test_leaves_label_paths() -> None:
    value = {"W1": np.zeros((2, 2)), "cache": (np.ones(3), 2.0), "lr": [0.1, 0.2]}
    assert [p for p, _ in leaves(value, "x")] == [
        'x["W1"]', 'x["cache"][0]', 'x["cache"][1]', 'x["lr"]']


def test_small_array_is_a_grid() -> None:
    grid = view(np.arange(6.0).reshape(2, 3), "W")
    assert grid["kind"] == "grid"
    assert grid["shape"] == "(2, 3)"
    assert [c["text"] for c in grid["rows"][1]["cells"]] == ["3", "4", "5"]


def test_large_array_is_summarised() -> None:
    text = view(np.arange(100.0), "W")
    assert text["kind"] == "text"
    assert "array of shape (100,)" in text["text"] and "max 99" in text["text"]


def test_differing_cells_are_flagged_on_both_sides() -> None:
    expected = np.array([[1.0, 2.0], [3.0, 4.0]])
    got = expected.copy()
    got[1, 0] = 3.5
    (pair,) = pair_views(expected, got, "dW")
    assert pair["state"] == "differs" and pair["note"] == "1 of 4 elements differ"
    for side in ("expected", "yours"):
        flags = [[c["diff"] for c in row["cells"]] for row in pair[side]["rows"]]
        assert flags == [[False, False], [True, False]]
    assert pair["heat"] is None


def test_large_differing_array_keeps_heatmap_data() -> None:
    expected = np.zeros((10, 10))
    got = expected.copy()
    got[2, 3] = -0.5
    (pair,) = pair_views(expected, got, "v")
    assert pair["heat"].shape == (10, 10) and pair["heat"][2, 3] == 0.5


def test_nested_values_pair_leaf_by_leaf() -> None:
    expected = {"W1": np.ones((2, 2)), "b1": np.zeros((2, 1))}
    got = {"W1": np.ones((2, 2)), "b1": np.ones((2, 1)), "extra": 1}
    pairs = {p["where"]: p for p in pair_views(expected, got, "parameters")}
    assert pairs['parameters["W1"]']["state"] == "matches"
    assert pairs['parameters["b1"]']["state"] == "differs"
    assert pairs['parameters["extra"]']["note"] == "not expected in the result"


def test_shape_and_type_differences_are_explained() -> None:
    (shape,) = pair_views(np.zeros((2, 3)), np.zeros((3, 2)), "W")
    assert shape["note"] == "shapes differ: expected (2, 3), yours (3, 2)"
    (kind,) = pair_views(0.5, "0.5", "lr")
    assert kind["state"] == "differs" and "types differ" in kind["note"]
    (missing,) = pair_views(1.0, MISSING, "cost")
    assert missing["note"] == "you returned no value here" and missing["yours"] is None


def test_nan_equal_nan_and_tolerance() -> None:
    (same,) = pair_views(np.array([np.nan, 1.0]), np.array([np.nan, 1.0 + 1e-12]), "x")
    assert same["state"] == "matches"


def test_input_views_cap_the_number_of_leaves() -> None:
    views, omitted = input_views({f"a{i}": float(i) for i in range(30)})
    assert len(views) == 24 and omitted == 6
