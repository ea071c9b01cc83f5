"""Structural checks of a rendered page with the standard library's HTML parser."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

#: every element a report or summary may contain (inline SVG included)
ALLOWED = {
    "html", "head", "meta", "title", "style", "body", "a", "header", "main", "footer", "section",
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "dl", "dt", "dd", "div", "span", "strong", "em",
    "code", "pre", "ul", "ol", "li", "table", "caption", "thead", "tbody", "tr", "th", "td",
    "figure", "figcaption", "details", "summary",
    # matplotlib's SVG
    "svg", "defs", "g", "path", "use", "clippath", "clipPath", "rect", "text", "image", "tspan",
    "circle", "ellipse", "line", "polyline", "polygon", "pattern", "lineargradient", "stop",
}


@dataclass
class Page(HTMLParser):
    tags: Counter = field(default_factory=Counter)
    headings: list[int] = field(default_factory=list)
    ids: Counter = field(default_factory=Counter)
    hrefs: list[str] = field(default_factory=list)
    event_handlers: list[str] = field(default_factory=list)
    html_lang: str | None = None

    def __post_init__(self) -> None:
        HTMLParser.__init__(self, convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self.headings.append(int(tag[1]))
        for name, value in attrs:
            if name.startswith("on"):
                self.event_handlers.append(f"{tag} {name}")
            if name == "id" and value:
                self.ids[value] += 1
            if name in ("href", "xlink:href", "src") and value is not None:
                self.hrefs.append(value)
        if tag == "html":
            self.html_lang = dict(attrs).get("lang")

    handle_startendtag = handle_starttag


def parse(page: str) -> Page:
    parsed = Page()
    parsed.feed(page)
    parsed.close()
    return parsed


def assert_safe_and_accessible(page: str) -> Page:
    """No active content, nothing fetched, unique ids, sane headings and tables."""
    parsed = parse(page)
    assert "<script" not in page.lower()
    unexpected = set(parsed.tags) - ALLOWED
    assert not unexpected, f"unexpected elements {unexpected}"
    assert not parsed.event_handlers, parsed.event_handlers
    for href in parsed.hrefs:
        assert ":" not in href.split("/")[0] or href.startswith("data:image/png;base64,"), href
        assert not href.startswith("//"), href
    duplicates = [i for i, n in parsed.ids.items() if n > 1]
    assert not duplicates, f"duplicate ids {duplicates[:5]}"
    for href in parsed.hrefs:
        if href.startswith("#"):
            assert href[1:] in parsed.ids, f"broken fragment link {href}"
    assert parsed.html_lang == "en"
    assert parsed.headings[0] == 1 and parsed.headings.count(1) == 1
    for before, after in zip(parsed.headings, parsed.headings[1:], strict=False):
        assert after <= before + 1, f"heading level jumps from h{before} to h{after}"
    assert parsed.tags["table"] == parsed.tags["caption"], "every table needs a caption"
    lowered = page.lower()
    for fetcher in ("<link", "@import", "url(http", "src=\"http", "href=\"http", "<iframe"):
        assert fetcher not in lowered, fetcher
    return parsed
