"""What a student sees of a report without opening anything: text outside closed ``<details>``.

Parsed with the standard library's HTML parser. ``sections`` holds the visible text of each
``<section class="function ...">`` by its id; ``header`` the page header's; ``text`` all of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_HIDDEN = {"style", "title", "head", "svg", "script"}
_VOID = {"meta", "br", "img", "hr", "input", "link", "col", "source", "wbr"}
#: elements that end a run of text (a sentence never continues across them)
_BLOCKS = {"p", "div", "li", "ul", "ol", "tr", "td", "th", "caption", "table", "dt", "dd", "dl",
           "section", "details", "summary", "figure", "figcaption", "pre", "header", "main",
           "footer", "h1", "h2", "h3", "h4", "h5", "h6"}


@dataclass
class VisibleText(HTMLParser):
    """Collects visible text; ``<details>`` count as hidden except their ``<summary>``."""

    parts: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    sections: dict[str, list[str]] = field(default_factory=dict)
    _stack: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        HTMLParser.__init__(self, convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        if tag in _BLOCKS:
            self._break()
        found = dict(attrs)
        self._stack.append((tag, found))
        if tag == "section" and "function" in (found.get("class") or "").split():
            self.sections[found.get("id") or ""] = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        return

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self._break()
        for index in range(len(self._stack) - 1, -1, -1):
            if self._stack[index][0] == tag:
                del self._stack[index:]
                return

    def handle_data(self, data: str) -> None:
        if not self._visible():
            return
        self.parts.append(data)
        if any(tag == "header" for tag, _ in self._stack):
            self.header.append(data)
        for tag, attrs in reversed(self._stack):
            if tag == "section" and attrs.get("id") in self.sections:
                self.sections[attrs["id"]].append(data)
                break

    def _break(self) -> None:
        self.handle_data("\n")

    def _visible(self) -> bool:
        tags = [tag for tag, _ in self._stack]
        if any(tag in _HIDDEN for tag in tags):
            return False
        for index, (tag, attrs) in enumerate(self._stack):
            if tag == "details" and "open" not in attrs:
                return index + 1 < len(tags) and tags[index + 1] == "summary"
        return True

    @property
    def text(self) -> str:
        return squash("".join(self.parts))


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def visible(page: str) -> VisibleText:
    parser = VisibleText()
    parser.feed(page)
    parser.close()
    return parser


def sentences(text: str, min_words: int = 4) -> list[str]:
    """Sentences of at least ``min_words`` words (short labels such as "1 / 1 points" repeat by design)."""
    pieces = [piece for line in text.split("\n")
              for piece in re.split(r"(?<=[.!?])\s+", squash(line))]
    return [p.strip().rstrip(".:!?") for p in pieces if len(p.split()) >= min_words]
