"""A result's JSON text, compact and indented, the same as ``json.dumps`` writes them, made sooner.

A batch's worker writes each student's result twice: compact for the gradebook and indented for
``result.json``. ``json.dumps(data, indent=n)`` cannot use the C encoder (only compact text can),
and a result's figures and counterexamples hold about a thousand numbers, each on its own line
there: the pure-Python encoder spends about a millisecond on one student, and the compact text
half a millisecond more, most of it writing the same numbers again. :func:`both_texts` makes
both texts in one pass, each list of plain numbers turned to text once (``float.__repr__``, as
``json`` does) and joined twice, strings encoded by the C helper ``json`` uses itself.

It handles the values results are made of (dicts with ``str`` keys, lists, tuples, ``str``,
``int``, finite ``float``, ``bool``, None: exactly those types); for anything else (a subclass, a
non-finite float, another key type, a cycle, very deep nesting) it returns ``json.dumps``'s own
texts, or lets ``json.dumps`` raise its own error, so the answer is always ``json.dumps``'s.
"""

from __future__ import annotations

import json
import math
from json.encoder import encode_basestring
from typing import Any

_float_text = float.__repr__
_int_text = int.__repr__


class _Unsupported(Exception):
    """A value :func:`both_texts` leaves to ``json.dumps``."""


def both_texts(data: Any, indent: int = 2) -> tuple[str, str]:
    """``(json.dumps(data, **options), json.dumps(data, indent=indent, **options))`` with
    ``options`` ``ensure_ascii=False, allow_nan=False``."""
    compact: list[str] = []
    pretty: list[str] = []
    try:
        _encode(data, compact, pretty, "\n", " " * indent)
    except (_Unsupported, RecursionError):
        return (json.dumps(data, ensure_ascii=False, allow_nan=False),
                json.dumps(data, indent=indent, ensure_ascii=False, allow_nan=False))
    return "".join(compact), "".join(pretty)


def _encode(value: Any, compact: list[str], pretty: list[str], newline: str, step: str) -> None:
    """Append the texts of ``value`` to ``compact`` and ``pretty``; ``newline`` is a line break
    followed by the current indentation, ``step`` one more level."""
    kind = type(value)
    if kind is str:
        text = encode_basestring(value)
        compact.append(text)
        pretty.append(text)
    elif kind is dict:
        if not value:
            compact.append("{}")
            pretty.append("{}")
            return
        inner = newline + step
        compact.append("{")
        pretty.append("{" + inner)
        first = True
        for key, item in value.items():
            if type(key) is not str:
                raise _Unsupported
            name = encode_basestring(key) + ": "
            if first:
                first = False
                compact.append(name)
                pretty.append(name)
            else:
                compact.append(", " + name)
                pretty.append("," + inner + name)
            _encode(item, compact, pretty, inner, step)
        compact.append("}")
        pretty.append(newline + "}")
    elif kind is list or kind is tuple:
        if not value:
            compact.append("[]")
            pretty.append("[]")
            return
        inner = newline + step
        numbers = _numbers(value)
        if numbers is not None:
            compact.append("[" + ", ".join(numbers) + "]")
            pretty.append("[" + inner + ("," + inner).join(numbers) + newline + "]")
            return
        compact.append("[")
        pretty.append("[" + inner)
        first = True
        for item in value:
            if first:
                first = False
            else:
                compact.append(", ")
                pretty.append("," + inner)
            _encode(item, compact, pretty, inner, step)
        compact.append("]")
        pretty.append(newline + "]")
    else:
        text = _scalar(value)
        compact.append(text)
        pretty.append(text)


def _numbers(items: list | tuple) -> list[str] | None:
    """The texts of ``items`` when every one is a finite ``float``, or every one an ``int`` (the
    usual arrays' data), else None."""
    kinds = set(map(type, items))
    if kinds == {float}:
        if not all(map(math.isfinite, items)):
            raise _Unsupported  # json.dumps says why
        return list(map(_float_text, items))
    if kinds == {int}:
        return list(map(_int_text, items))
    return None


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    kind = type(value)
    if kind is int:
        return _int_text(value)
    if kind is float:
        if not math.isfinite(value):
            raise _Unsupported
        return _float_text(value)
    raise _Unsupported
