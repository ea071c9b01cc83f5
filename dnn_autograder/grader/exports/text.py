"""Cleaning hostile text before it goes into XML, JSON, CSV or a file name.

Student code controls function output, exception messages and file names, so any of them may
hold control characters, lone surrogates (a non-UTF-8 file name decoded by Python), or text that
a spreadsheet would run as a formula.
"""

from __future__ import annotations

import re

#: Characters XML 1.0 forbids (C0 controls but tab, newline, carriage return; surrogates;
#: U+FFFE and U+FFFF).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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


def xml_text(text: object) -> str:
    """Text safe in an XML 1.0 document: surrogates escaped, forbidden control characters removed
    (ElementTree escapes ``& < > "`` itself)."""
    return _XML_INVALID.sub("", unsurrogate(str(text)))


def csv_cell(text: str) -> str:
    """A text cell that a spreadsheet shows as text, never runs as a formula (OWASP's advice:
    prefix a leading ``= + - @`` with an apostrophe)."""
    text = unsurrogate(text)
    return "'" + text if text.startswith(_FORMULA_START) else text
