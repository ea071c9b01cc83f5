"""Student-controlled text made safe to show, once, where it enters the grader.

File and folder names and text read from submission files can hold terminal escapes (a
clipboard write, a window title, a screen clear), other control characters, bidirectional
overrides that reorder what a reader sees, and lone surrogates (name bytes that are not UTF-8).
:func:`visible` replaces each of them with a visible escape (``\\x1b``, ``\\u202e``, ``\\xe9``)
and leaves everything else alone, so a name stays recognisable and every output (terminal,
CSV, JUnit, JSON, gradebook, HTML) receives the same clean text.
"""

from __future__ import annotations

import re

#: C0 controls, DEL, C1 controls, and the Unicode format characters that reorder or hide text
#: (bidi embeddings, overrides and isolates, marks, zero-width joiners, the BOM, line and
#: paragraph separators).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]"
)
_UNSAFE_KEEP_LINES = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def unsurrogate(text: str) -> str:
    """``text`` with lone surrogates (undecodable file-name bytes) written as ``\\xNN``.

    ``"caf\\udce9"`` (the Latin-1 name ``café`` read on a UTF-8 system) becomes ``"caf\\\\xe9"``:
    readable, stable, and valid UTF-8. Text without surrogates is returned unchanged.
    """
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # surrogates that are not escaped bytes
        raw = text.encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", "backslashreplace")


def visible(text: str, *, lines: bool = False) -> str:
    """``text`` with control, bidi and invisible format characters and lone surrogates written
    as backslash escapes. ``lines=True`` keeps tab and newline (for source shown in a note);
    otherwise (names) they are escaped too. Clean text comes back unchanged."""
    pattern = _UNSAFE_KEEP_LINES if lines else _UNSAFE
    return pattern.sub(_escape, unsurrogate(text))


def visible_path(path: object) -> str:
    """A path as text for people: :func:`visible` of its string form."""
    return visible(str(path))
