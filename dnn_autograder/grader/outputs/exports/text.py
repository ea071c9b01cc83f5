"""Cleaning hostile text before it goes into XML, JSON, CSV or a file name.

Student code controls function output, exception messages and file names, so any of them may
hold control characters, lone surrogates (a non-UTF-8 file name decoded by Python), or text that
a spreadsheet would run as a formula.
"""

from __future__ import annotations

import re

from dnn_autograder.grader.grading.untrusted import unsurrogate

#: Characters XML 1.0 forbids (C0 controls but tab, newline, carriage return; surrogates;
#: U+FFFE and U+FFFF).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def xml_text(text: object) -> str:
    """Text safe in an XML 1.0 document: surrogates escaped, forbidden control characters removed
    (ElementTree escapes ``& < > "`` itself)."""
    return _XML_INVALID.sub("", unsurrogate(str(text)))


def csv_cell(text: str) -> str:
    """A text cell that a spreadsheet shows as text, never runs as a formula (OWASP's advice:
    prefix a leading ``= + - @`` with an apostrophe)."""
    text = unsurrogate(text)
    return "'" + text if text.startswith(_FORMULA_START) else text
