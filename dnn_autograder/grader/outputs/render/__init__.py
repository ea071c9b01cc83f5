"""Rendering of results for people: the student's HTML report and the class summary.

- :func:`render_report` / :func:`write_report`: one submission as a self-contained HTML page.
- :func:`render_class_summary` / :func:`write_class_summary`: a class at a glance, linking to
  each student's report.

The four are imported from their modules when first used (PEP 562): importing one module of
this package (``linechart``, which an assignment's ``figures.py`` draws with) does not import
the HTML renderer and Jinja2 (~20 ms of CPU) into a process that renders no report.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["render_report", "write_report", "render_class_summary", "write_class_summary"]
_HOMES = {"render_report": "html", "write_report": "html",
          "render_class_summary": "summary", "write_class_summary": "summary"}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
