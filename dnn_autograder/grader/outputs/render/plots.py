"""Draw the pictures of a report: an assignment's figures (from their plain data) and counterexample
heatmaps (the class summary's charts are ``summary_charts``'s).

An assignment's figures are drawn by the ``draw`` of its own ``figures.py``
(:class:`dnn_autograder.grader.grading.figures.Figure`); this module only runs them. Each returns a
*block* for the templates: ``{"title", "svg", "caption", "notes", "table"}`` where ``table``
(``{"caption", "columns", "rows"}``) gives the same numbers as text, so nothing is only in the
picture. A drawer that fails on odd data yields a block with a note instead of a picture;
rendering goes on. The shared pieces a drawer uses are here (:data:`YOURS`, :data:`REF`,
:func:`num`, :func:`colormap`), in :mod:`.svg` (matplotlib to SVG) and in :mod:`.linechart`.
"""

from __future__ import annotations

import collections
import logging
import math
import pickle
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from dnn_autograder.grader.outputs.render.svg import axes, figure, to_svg
from dnn_autograder.grader.outputs.render.text import clean

log = logging.getLogger(__name__)

#: the keys of a figure's data under which the student's and the reference's series are
YOURS = "yours"
REF = "reference"

Drawer = Callable[[Mapping[str, Any], str], dict[str, Any]]


def figure_blocks(figures: Mapping[str, Any], prefix: str, assignment: str | None = None,
                  drawers: Mapping[str, Drawer] | None = None) -> list[dict[str, Any]]:
    """Blocks for an assignment's ``figures`` mapping, in its order; figures no drawer knows are
    skipped.

    Args:
        figures: ``{figure name: plain data}`` (:attr:`~dnn_autograder.grader.model.AssignmentResult.figures`).
        prefix: makes the SVG ids unique in the page (block ``i`` gets ``{prefix}-{i}``).
        assignment: whose ``figures.py`` draws them (a figure name it does not define, and every
            name when None, is looked up in every assignment's).
        drawers: ``{figure name: draw}`` to use instead of the assignments' (tests).
    """
    if drawers is None:
        drawers = _assignment_drawers(assignment, figures) if figures else {}
    blocks = []
    for index, (key, data) in enumerate(figures.items()):
        drawer = drawers.get(key)
        if drawer is None:
            log.debug("no drawer for figure %s", key)
            continue
        notes = [clean(n) for n in data.get("notes", ())] if isinstance(data, Mapping) else []
        try:
            block = _drawn(drawer, data, f"{prefix}-{index}")
        except Exception:  # noqa: BLE001 - a picture must never break the report
            log.exception("could not draw figure %s", key)
            block = {"title": str(key).replace("_", " "), "svg": "", "caption": "",
                     "table": None, "notes": ["This picture could not be drawn."]}
        block["notes"] = notes + block.get("notes", [])
        blocks.append(block)
    return blocks


#: blocks drawn lately, by drawer, id and data (:func:`_drawn`); a block is some tens of kB
_DRAWN: collections.OrderedDict[tuple[Any, str, bytes], dict[str, Any]] = collections.OrderedDict()
DRAWN_KEPT = 16


def _drawn(drawer: Drawer, data: Any, ident: str) -> dict[str, Any]:
    """``drawer(data, ident)``, or a copy of the block it drew for the same data and id (a drawer
    depends on its arguments only: :class:`dnn_autograder.grader.grading.figures.Figure`), among
    the last :data:`DRAWN_KEPT`: the students of a class whose functions are right share their
    pictures, and a batch's worker draws each of them once. The same data means the same
    ``pickle`` bytes (every type, every bit of each float and array, dict order and all; the
    figures' data is plain: dicts, lists, numbers, strings); data that cannot be pickled is
    drawn every time. The copy is shallow: the caller replaces the block's entries (``notes``,
    ``svg``) and changes nothing inside them."""
    try:
        key = (drawer, ident, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
    except Exception:  # noqa: BLE001 - not plain data (the drawer says what it makes of it)
        return drawer(data, ident)
    block = _DRAWN.get(key)
    if block is None:
        block = drawer(data, ident)
        _DRAWN[key] = dict(block)
        while len(_DRAWN) > DRAWN_KEPT:
            _DRAWN.popitem(last=False)
    else:
        _DRAWN.move_to_end(key)
    return dict(block)


def _assignment_drawers(assignment: str | None, figures: Mapping[str, Any]) -> Mapping[str, Drawer]:
    """The assignment's own drawers, completed by any assignment's for figure names it lacks."""
    from dnn_autograder.grader.grading.figures import drawers

    try:
        own = drawers(assignment) if assignment else {}
        return own if all(key in own for key in figures) else {**drawers(None), **own}
    except Exception:  # noqa: BLE001 - a broken figures.py costs the pictures, not the report
        log.exception("could not load the figure drawers of %s", assignment or "the assignments")
        return {}


def heatmap(diff: np.ndarray, where: str, prefix: str) -> str:
    """``|yours - expected|`` of a large array as an SVG heatmap (1-D is folded into rows)."""
    grid = _as_2d(np.asarray(diff, dtype=float))
    height = min(3.6, 1.0 + 2.6 * grid.shape[0] / max(grid.shape[1], 1))
    with figure(6.0, height) as fig:
        ax = axes(fig, 0.6, 0.45, 4.4, height - 0.6)
        cmap = colormap("viridis")
        image = ax.imshow(np.where(np.isfinite(grid), grid, np.nan), cmap=cmap, aspect="auto")
        ax.set_xticks(_few(grid.shape[1]))
        ax.set_yticks(_few(grid.shape[0]))
        ax.set_xlabel("column")
        ax.set_ylabel("row")
        top = float(np.nanmax(grid)) if np.isfinite(grid).any() else 1.0
        bar = fig.colorbar(image, cax=axes(fig, 5.15, 0.45, 0.15, height - 0.6),
                           ticks=[0.0, top / 2, top])
        bar.set_label("|yours \u2212 expected|")
        return to_svg(fig, f"Heatmap of the absolute difference for {where}", prefix)


# -------------------------------------------------------------------- helpers


def _as_2d(array: np.ndarray) -> np.ndarray:
    if array.ndim == 2:
        return array
    if array.ndim > 2:
        return array.reshape(-1, array.shape[-1])
    width = int(math.ceil(math.sqrt(array.size * 4)))
    padded = np.full(int(math.ceil(array.size / width)) * width, np.nan)
    padded[: array.size] = array.ravel()
    return padded.reshape(-1, width)


def num(value: Any) -> str:
    """A number as short text (``%g``)."""
    return f"{float(value):g}"




def _few(size: int) -> list[int]:
    """At most four tick positions over ``range(size)``."""
    return sorted({0, size // 3, 2 * size // 3, size - 1}) if size > 3 else list(range(size))


def colormap(name: str) -> Any:
    """A copy of a colormap that draws missing values (NaN) white."""
    import matplotlib

    return matplotlib.colormaps[name].with_extremes(bad="white")




