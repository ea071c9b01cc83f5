"""Make untrusted text safe and readable in a report (before Jinja2 escapes it).

Autoescaping takes care of ``<``, ``>``, ``&`` and quotes; this module takes care of what
escaping does not: NUL and other control characters (spelled out as ``\x00``), lone
surrogates, HTML noncharacters, and sheer size (long output is cut, with a note).
"""

from __future__ import annotations

import re
from typing import Any

#: characters kept from captured output: head and tail either side of the cut
OUTPUT_HEAD = 3000
OUTPUT_TAIL = 1000
#: longest message, traceback line or value text shown
TEXT_LIMIT = 2000

#: C0/C1 controls except tab and newline, and the bidirectional overrides and isolates that
#: could reorder the text a student sees ("Trojan Source"): shown as escapes like ``\x00``
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_BAD = re.compile(r"[\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
_CODE = re.compile(r"`([^`\n]{1,200})`")


def clean(text: Any, limit: int | None = TEXT_LIMIT) -> str:
    r"""``text`` as a printable string: control characters are spelled out (NUL becomes the
    four characters ``\x00``, a right-to-left override ``\u202e``), carriage returns end lines,
    unpaired surrogates and noncharacters become U+FFFD; at most ``limit`` characters."""
    value = str(text).replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub(_escape, value)
    value = _BAD.sub("\ufffd", value)
    if limit is not None and len(value) > limit:
        value = value[: limit - 1] + "\u2026"
    return value


def clip_output(text: str, head: int = OUTPUT_HEAD, tail: int = OUTPUT_TAIL) -> dict[str, Any]:
    """Captured output, cut in the middle when long: ``{"head", "tail", "omitted", "lines"}``."""
    value = clean(text, limit=None)
    lines = value.count("\n") + (1 if value and not value.endswith("\n") else 0)
    if len(value) <= head + tail:
        return {"head": value, "tail": "", "omitted": 0, "lines": lines, "chars": len(value)}
    return {"head": value[:head], "tail": value[-tail:], "omitted": len(value) - head - tail,
            "lines": lines, "chars": len(value)}


def segments(text: Any) -> list[dict[str, Any]]:
    """Split a message on `backticks` into ``[{"text", "code"}]`` runs for the template."""
    value = clean(text)
    parts: list[dict[str, Any]] = []
    last = 0
    for match in _CODE.finditer(value):
        if match.start() > last:
            parts.append({"text": value[last:match.start()], "code": False})
        parts.append({"text": match.group(1), "code": True})
        last = match.end()
    if last < len(value):
        parts.append({"text": value[last:], "code": False})
    return parts


def slug(*parts: str) -> str:
    """An HTML id from names: ASCII letters, digits and hyphens only. Case is kept (ids are
    case-sensitive): a class ``Momentum`` and a function ``momentum`` are two units."""
    joined = "-".join(parts)
    return re.sub(r"[^A-Za-z0-9]+", "-", joined).strip("-") or "item"


def points(value: float) -> str:
    """``2``, ``1.5``, ``0.25``: points without trailing zeros."""
    return f"{value:g}"


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
