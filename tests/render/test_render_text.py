"""Untrusted text: control characters, truncation, inline code, ids."""

from __future__ import annotations

import pytest

from dnn_autograder.grader.outputs.render.text import clean, clip_output, points, segments, slug


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain", "plain"),
        ("nul\x00here", "nul\\x00here"),
        ("bell\x07 esc\x1b[31m", "bell\\x07 esc\\x1b[31m"),
        ("del\x7f c1\x85", "del\\x7f c1\\x85"),
        ("tab\tnewline\n", "tab\tnewline\n"),
        ("crlf\r\nlone\r", "crlf\nlone\n"),
        ("rtl \u202eevil\u202c", "rtl \\u202eevil\\u202c"),
        ("isolate \u2066x\u2069", "isolate \\u2066x\\u2069"),
        ("surrogate \ud800", "surrogate \ufffd"),
        ("nonchar \uffff", "nonchar \ufffd"),
        ("unicode \u00fc\u2713\U0001F600", "unicode \u00fc\u2713\U0001F600"),
    ],
    ids=["plain", "nul", "bell-escape", "del-c1", "tab-newline", "carriage-returns",
         "bidi-override", "bidi-isolate", "lone-surrogate", "noncharacter", "unicode-kept"],
)
def test_clean_makes_text_printable(raw: str, shown: str) -> None:
    assert clean(raw) == shown
    clean(raw).encode("utf-8")  # always encodable


def test_clean_limits_length() -> None:
    assert clean("x" * 50, limit=10) == "x" * 9 + "\u2026"


def test_clip_output_keeps_head_and_tail() -> None:
    text = "start\n" + "y" * 100_000 + "\nend"
    clipped = clip_output(text)
    assert clipped["head"].startswith("start")
    assert clipped["tail"].endswith("end")
    assert clipped["omitted"] == len(text) - len(clipped["head"]) - len(clipped["tail"])
    assert clipped["lines"] == 3


def test_clip_output_short_is_whole() -> None:
    assert clip_output("a\nb\n") == {"head": "a\nb\n", "tail": "", "omitted": 0, "lines": 2,
                                     "chars": 4}


def test_segments_mark_backticked_code() -> None:
    assert segments("use `np.sqrt(x)` here") == [
        {"text": "use ", "code": False}, {"text": "np.sqrt(x)", "code": True},
        {"text": " here", "code": False}]
    assert segments("no code") == [{"text": "no code", "code": False}]


def test_slug_and_points() -> None:
    assert slug("optimization", "update_parameters_with_adam") == (
        "optimization-update-parameters-with-adam")
    assert slug("<script>") == "script"
    assert slug("!!!") == "item"
    # two units of one assignment whose names differ only in case get two ids
    assert slug("toy", "Momentum") != slug("toy", "momentum")
    assert (points(2.0), points(1.5), points(0.25)) == ("2", "1.5", "0.25")
