"""The one Jinja2 environment of the reports, and the stylesheet inlined into every page."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

import dnn_autograder.templates as _templates_package

TEMPLATES_DIR = Path(_templates_package.__file__).resolve().parent


@cache
def environment() -> Environment:
    """``autoescape=True`` (student text is hostile) and ``StrictUndefined`` (a typo in a
    template fails a test, not a student)."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@cache
def stylesheet() -> Markup:
    """``templates/report.css``, trusted, for a ``<style>`` element."""
    css = (TEMPLATES_DIR / "report.css").read_text(encoding="utf-8")
    if "<" in css:
        raise ValueError("report.css must not contain '<' (it is inlined in a <style> element)")
    return Markup(css)


def compile_templates() -> None:
    """Compile every template of the environment (kept in its cache: a page that extends or
    imports another compiles that one only when first rendered) and read the stylesheet."""
    env = environment()
    for name in env.list_templates(extensions=["j2"]):
        env.get_template(name)
    stylesheet()


def render(template: str, **context: Any) -> str:
    """Render ``template`` with the stylesheet available as ``css``."""
    return environment().get_template(template).render(css=stylesheet(), **context)


def trusted_svg(svg: str) -> Markup:
    """An SVG string made by :mod:`dnn_autograder.grader.outputs.render.svg` (already checked), as markup."""
    return Markup(svg)
