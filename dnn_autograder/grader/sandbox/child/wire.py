"""Plain-data wire format between the grader and a sandbox child.

Standalone on purpose (numpy and the stdlib only, no ``grader`` import): the parent imports it as
``dnn_autograder.grader.sandbox.child.wire`` and the sandbox worker loads the same file by path.

A frame is ``struct("!IQ")`` (length of a JSON header, length of a body) followed by the UTF-8
JSON header and the body. Values inside the header are JSON scalars or tagged objects:

* ``{"t": "l", "v": [...]}`` list, ``{"t": "u", "v": [...]}`` tuple,
  ``{"t": "d", "k": [...], "v": [...]}`` dict (keys are encoded values too),
* ``{"t": "c", "v": [re, im]}`` complex,
* ``{"t": "g", "d": "<f8", "v": ...}`` numpy scalar,
* ``{"t": "a", "d": "<f8", "s": [3, 2], "o": offset, "n": nbytes}`` numpy array whose raw bytes
  are in the body,
* ``{"t": "x", "type": "function"}`` a value that could not be encoded (only in ``args_after``),
* ``{"t": "="}`` (:data:`UNCHANGED`, only in ``args_after``, never decoded): the argument is still
  exactly the value the request sent (:func:`unchanged`); the receiver uses its own copy of it,
* ``{"t": "=", "v": i}`` (:func:`returned`, only in ``args_after``, never decoded): the argument is
  the very object the reply's value is (``i = -1``) or holds as item ``i`` of a returned tuple or
  list; the receiver uses a copy of what it decoded there.

Only numeric and boolean dtypes in native byte order cross; nothing is ever unpickled. Decoding
validates everything (the other side may be hostile) and raises :class:`WireError`.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

HEADER = struct.Struct("!IQ")

#: Containers nested deeper than this are refused (cycles end here too).
MAX_DEPTH = 32
#: Items (scalars, containers, arrays) in one encoded value.
MAX_ITEMS = 1_000_000
#: Dimensions of one array.
MAX_NDIM = 32

ALLOWED_DTYPES = frozenset(
    np.dtype(code).str
    for code in ("?", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8", "c8", "c16")
)
_KEY_TAGS = frozenset({"u", "g", "c"})


class WireError(ValueError):
    """Raised when a frame or an encoded value is malformed, too large or not plain data."""


class Oversized(WireError):
    """Raised by :class:`Stream` for a frame over the reader's own caps, before any of its
    header or body is read (``str(exc)`` says which cap: ``"a 66 MiB header, over 8 MiB"``)."""


class Unencodable(Exception):
    """Raised by :class:`Encoder` for a value that cannot cross; ``str(exc)`` says what it is
    (``"a function"``, ``"an object of type Model"``, ``"nested deeper than 32 levels"``)."""


@dataclass(frozen=True)
class Opaque:
    """Stands for a value the child could not send back (in ``CallRecord.args_after``)."""

    type_name: str

    def __repr__(self) -> str:
        return f"<unsendable {self.type_name}>"


#: What a child sends in ``args_after`` for an argument the call left as it was sent.
UNCHANGED: dict[str, str] = {"t": "="}


def returned(index: int) -> dict[str, Any]:
    """What a child sends in ``args_after`` for an argument that is the reply's value (``-1``) or
    item ``index`` of the returned tuple or list: the very object, encoded once, in ``value``."""
    return {"t": "=", "v": index}


def describe(value: Any) -> str:
    """A short phrase for what ``value`` is, for messages: ``"a function"``."""
    kinds = (
        ("function", "a function"), ("builtin_function_or_method", "a function"),
        ("method", "a method"), ("generator", "a generator"), ("module", "a module"),
        ("type", "a class"), ("bytes", "a bytes object"), ("set", "a set"),
        ("frozenset", "a frozenset"), ("range", "a range object"), ("coroutine", "a coroutine"),
    )
    name = type(value).__name__
    for kind, phrase in kinds:
        if name == kind:
            return phrase
    return f"an object of type {name[:80]}"


class Encoder:
    """Turns one value (or several) into JSON-able data plus body chunks.

    ``max_bytes`` bounds the body plus an estimate of the header; ``Unencodable`` says why a
    value was refused.
    """

    def __init__(self, max_bytes: int, *, snapshot: bool = False) -> None:
        self.max_bytes = max_bytes
        #: copy array bytes when encoded (not when packed): the value may change in between
        self.snapshot = snapshot
        self.chunks: list[Any] = []
        self.body_len = 0  #: bytes of array data so far (the frame's body)
        self.size = 0  #: body plus an estimate of the header, checked against max_bytes
        self.items = 0

    def encode(self, value: Any, depth: int = 0) -> Any:
        self.items += 1
        if self.items > MAX_ITEMS:
            raise Unencodable(f"more than {MAX_ITEMS} items")
        kind = type(value)
        # the exact types of plain data first, each as the general path below treats it
        if kind is np.ndarray:
            return self._array(value)
        if kind is float:
            self.size += 8
            if self.size > self.max_bytes:
                raise Unencodable(f"larger than the {_size(self.max_bytes)} limit")
            return value
        if kind is dict:
            if depth >= MAX_DEPTH:
                raise Unencodable(f"nested deeper than {MAX_DEPTH} levels")
            return self._dict(value, depth)
        if kind is list or kind is tuple:
            if depth >= MAX_DEPTH:
                raise Unencodable(f"nested deeper than {MAX_DEPTH} levels")
            encode = self.encode
            return {"t": "l" if kind is list else "u", "v": [encode(item, depth + 1) for item in value]}
        if value is None or kind is bool or kind is str:
            self._grow(len(value) if kind is str else 4)
            return value
        if kind is int:
            if value.bit_length() > 4096:
                raise Unencodable("an integer with more than 4096 bits")
            self._grow(8)
            return value
        if kind is float:
            self._grow(8)
            return value
        if isinstance(value, np.ndarray):
            return self._array(value)
        if isinstance(value, np.generic):
            return self._scalar(value)
        if depth >= MAX_DEPTH:
            raise Unencodable(f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(value, bool | int | float | str):  # subclasses: send the plain value
            return self.encode(_plain(value), depth)
        if kind is complex:
            return {"t": "c", "v": [value.real, value.imag]}
        if isinstance(value, list | tuple):
            tag = "l" if isinstance(value, list) else "u"
            return {"t": tag, "v": [self.encode(item, depth + 1) for item in value]}
        if isinstance(value, dict):
            return self._dict(value, depth)
        raise Unencodable(describe(value))

    def _dict(self, value: dict[Any, Any], depth: int) -> Any:
        keys: list[Any] = []
        values: list[Any] = []
        encode, array, max_bytes = self.encode, self._array, self.max_bytes
        for key, item in list(value.items()):
            if type(key) is str:  # what ``_key`` and ``encode`` do with a str key
                self.items += 1
                if self.items > MAX_ITEMS:
                    raise Unencodable(f"more than {MAX_ITEMS} items")
                self.size += len(key)
                if self.size > max_bytes:
                    raise Unencodable(f"larger than the {_size(max_bytes)} limit")
                keys.append(key)
            else:
                keys.append(self._key(key, depth + 1))
            if type(item) is np.ndarray:  # what ``encode`` does with an array
                self.items += 1
                if self.items > MAX_ITEMS:
                    raise Unencodable(f"more than {MAX_ITEMS} items")
                values.append(array(item))
            else:
                values.append(encode(item, depth + 1))
        return {"t": "d", "k": keys, "v": values}

    def _key(self, key: Any, depth: int) -> Any:
        if isinstance(key, list | dict | np.ndarray):
            raise Unencodable(f"a dict with a key that is {describe(key)}")
        return self.encode(key, depth)

    def _grow(self, nbytes: int) -> None:
        self.size += nbytes
        if self.size > self.max_bytes:
            raise Unencodable(f"larger than the {_size(self.max_bytes)} limit")

    def _scalar(self, value: np.generic) -> Any:
        code = _CODES.get(value.dtype)
        if code is None:
            code = value.dtype.str
            if code not in ALLOWED_DTYPES:
                raise Unencodable(f"a numpy scalar of dtype {value.dtype}")
        item = value.item()
        if isinstance(item, complex):
            item = [item.real, item.imag]
        return {"t": "g", "d": code, "v": item}

    def _array(self, value: np.ndarray) -> Any:
        array = value if type(value) is np.ndarray else np.asarray(value)
        code = _CODES.get(array.dtype)
        if code is None:
            code = array.dtype.str
            if code not in ALLOWED_DTYPES:
                native = array.dtype.newbyteorder("=") if array.dtype.byteorder in "<>" else None
                if native is None or native.str not in ALLOWED_DTYPES:
                    raise Unencodable(f"a numpy array of dtype {array.dtype}")
                array = array.astype(native)
                code = array.dtype.str
        if array.ndim > MAX_NDIM:
            raise Unencodable(f"an array with more than {MAX_NDIM} dimensions")
        nbytes = int(array.nbytes)
        body_len = self.body_len
        offset = (body_len + 15) // 16 * 16  # aligned, so decoded arrays are aligned
        self.size += offset - body_len + nbytes + 64  # as ``_grow``
        if self.size > self.max_bytes:
            raise Unencodable(f"larger than the {_size(self.max_bytes)} limit")
        if offset > body_len:
            self.chunks.append(_PADDING[offset - body_len])
        self.body_len = offset + nbytes
        shape = list(array.shape)
        if nbytes:
            if not array.flags.c_contiguous:
                array = np.ascontiguousarray(array)
            # the array itself (its buffer: the bytes in C order), or a copy of them made now
            self.chunks.append(array.tobytes() if self.snapshot else array)
        return {"t": "a", "d": code, "s": shape, "o": offset, "n": nbytes}


#: the zero bytes that align the next array (``_PADDING[n] == bytes(n)``), made once
_PADDING = tuple(bytes(n) for n in range(16))
#: the code of each allowed dtype (``dtype.str`` builds a new string on every call)
_CODES = {np.dtype(code): code for code in ALLOWED_DTYPES}


def _plain(value: Any) -> Any:
    for base in (bool, int, float, str):
        if isinstance(value, base):
            return base(value) if base is not str else str.__str__(value)
    return value


def _size(nbytes: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if nbytes >= scale:
            return f"{nbytes / scale:g} {unit}"
    return f"{nbytes} bytes"


def _not_json(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _json_writer() -> Callable[[Any], str]:
    """``json.dumps(value, separators=(",", ":"), allow_nan=True)``, the same text, with
    json's C encoder made once (``dumps`` builds a ``JSONEncoder`` and a C encoder on every
    call) and without its check for cycles: a header holds encoded values, which are never
    cyclic (a cycle would raise RecursionError rather than ValueError)."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # no C accelerator: json's own code
        return lambda value: json.dumps(value, separators=(",", ":"), allow_nan=True)
    write = make(None, _not_json, json.encoder.encode_basestring_ascii, None, ":", ",", False, False, True)
    join = "".join
    return lambda value: join(write(value, 0))


_dumps = _json_writer()


def pack(header: dict[str, Any], encoder: Encoder | None = None, body: bytes = b"") -> bytes:
    """One frame: the header (which holds the encoded values) and ``encoder``'s body, or
    ``body`` as it is."""
    text = _dumps(header).encode("utf-8")
    if encoder is not None:
        return frame(text, encoder.chunks, encoder.body_len)
    return frame(text, [body], len(body))


def frame(text: bytes, chunks: Sequence[bytes], body_len: int) -> bytes:
    """One frame from its header's JSON ``text`` and its body, ``body_len`` bytes in ``chunks``."""
    return b"".join([HEADER.pack(len(text), body_len), text, *chunks])


@dataclass(frozen=True)
class Caps:
    """What a reader accepts in one frame, in its own terms (never the sender's settings):
    bytes of JSON header, bytes of body, and JSON values in the header (counted from the bytes
    before decoding: at most one more than its commas, brackets and braces)."""

    header_bytes: int
    body_bytes: int
    values: int


#: The largest piece of a body read at once (a socket ``recv(n)`` allocates ``n`` first).
_READ_CHUNK = 1 << 20


class Stream:
    """Frames from a byte stream, read through a buffer (one ``receive`` call usually brings a
    whole small frame). ``receive(n)`` returns up to ``n`` bytes, ``b""`` at the end. With
    ``caps``, a frame over them raises :class:`Oversized` before its header or body is read."""

    def __init__(self, receive: Callable[[int], bytes], caps: Caps | None = None) -> None:
        self.receive = receive
        self.caps = caps
        self.data = bytearray()

    def take(self, size: int) -> bytearray:
        """The next ``size`` bytes, read into one buffer allocated once."""
        taken = bytearray(size)
        have = min(len(self.data), size)
        taken[:have] = self.data[:have]
        del self.data[:have]
        while have < size:
            want = size - have
            chunk = self.receive(want if want <= _READ_CHUNK else _READ_CHUNK)
            if not chunk:
                raise EOFError("the other side closed the connection")
            used = min(len(chunk), want)
            taken[have:have + used] = chunk[:used]
            self.data += chunk[used:]
            have += used
        return taken

    def _fill(self, size: int) -> None:
        while len(self.data) < size:
            chunk = self.receive(1 << 16)
            if not chunk:
                raise EOFError("the other side closed the connection")
            self.data += chunk

    def read(self) -> tuple[dict[str, Any], bytearray]:
        """The next frame's header and body (a bytearray, so decoded arrays are writable)."""
        self._fill(HEADER.size)
        json_len, body_len = HEADER.unpack(self.data[:HEADER.size])
        del self.data[:HEADER.size]
        caps = self.caps
        if caps is not None:
            if json_len > caps.header_bytes:
                raise Oversized(f"a {_size(json_len)} header, over the grader's {_size(caps.header_bytes)}")
            if body_len > caps.body_bytes:
                raise Oversized(f"{_size(body_len)} of data, over the grader's {_size(caps.body_bytes)}")
        text = self.take(json_len)
        if caps is not None:
            values = 1 + text.count(b",") + text.count(b"[") + text.count(b"{")
            if values > caps.values:
                raise Oversized(f"more than {caps.values} items")
        header = parse_header(text)
        del text
        return header, self.take(body_len)


#: json's scanner (C): one JSON value from a position, and where it ends
_scan = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def parse_header(text: bytes | bytearray | memoryview) -> dict[str, Any]:
    """The JSON header of a frame; :class:`WireError` unless it is a JSON object.
    ``json.loads``, whose Python steps (whitespace around the value) are taken only when the
    scanner alone does not read the whole text as one value."""
    try:
        string = bytes(text).decode("utf-8")
        try:
            header, end = _scan(string, 0)
        except StopIteration:
            end = -1
        if end != len(string):
            header = json.loads(string)
    except (ValueError, RecursionError) as exc:
        raise WireError(f"invalid frame header: {type(exc).__name__}") from None
    if type(header) is not dict:
        raise WireError("frame header is not an object")
    return header


def decode(data: Any, body: bytearray | bytes | memoryview, depth: int = 0) -> Any:
    """Rebuild a value from its encoded form; arrays are views of ``body`` (writable if it is a
    bytearray). Raises :class:`WireError` on anything unexpected."""
    kind = type(data)
    if data is None or kind is bool or kind is int or kind is float or kind is str:
        return data
    if kind is not dict or depth > 2 * MAX_DEPTH:
        raise WireError("unexpected value in frame")
    tag = data.get("t")
    if tag == "a":  # the commonest tagged value first
        return _decode_array(data, body)
    if tag == "l" or tag == "u":
        decoded = _decode_items(_field(data, "v", list), body, depth + 1)
        return decoded if tag == "l" else tuple(decoded)
    if tag == "d":
        return _decode_dict(data, body, depth + 1)
    if tag == "c":
        real, imag = _numbers(_field(data, "v", list), 2)
        return complex(real, imag)
    if tag == "g":
        return _decode_scalar(data)
    if tag == "x":
        return Opaque(str(_field(data, "type", str))[:100])
    raise WireError(f"unknown tag {str(tag)[:20]!r}")


def _decode_items(items: list[Any], body: bytearray | bytes | memoryview, depth: int) -> list[Any]:
    """``[decode(item, body, depth) for item in items]``, the same values and errors: in one loop,
    scalars taken as they are and arrays decoded here, without a call of ``decode`` each."""
    decoded: list[Any] = []
    append = decoded.append
    arrays = depth <= 2 * MAX_DEPTH  # where ``decode`` would decode a dict (an array) at all
    for item in items:
        kind = type(item)
        if kind is dict:
            append(_decode_array(item, body) if arrays and item.get("t") == "a" else decode(item, body, depth))
        elif kind is float or kind is str or kind is int or kind is bool or item is None:
            append(item)
        else:
            raise WireError("unexpected value in frame")
    return decoded


def _decode_dict(data: dict[str, Any], body: bytearray | bytes | memoryview, depth: int) -> dict[Any, Any]:
    """A ``{"t": "d"}`` value: its keys (a str as it is, else a hashable encoded value) with the
    values decoded as :func:`_decode_items` decodes items, at ``depth``."""
    keys, values = _field(data, "k", list), _field(data, "v", list)
    if len(keys) != len(values):
        raise WireError("dict with mismatched keys and values")
    arrays = depth <= 2 * MAX_DEPTH
    result = {}
    for key, item in zip(keys, values, strict=True):
        plain = type(key) is str
        if not plain and type(key) is dict and key.get("t") not in _KEY_TAGS:
            raise WireError("dict key that is not hashable")
        try:
            kind = type(item)
            if kind is dict:
                value = _decode_array(item, body) if arrays and item.get("t") == "a" else decode(item, body, depth)
            elif kind is float or kind is str or kind is int or kind is bool or item is None:
                value = item
            else:
                raise WireError("unexpected value in frame")
            result[key if plain else decode(key, body, depth)] = value
        except TypeError:
            raise WireError("dict key that is not hashable") from None
    return result


def _field(data: dict[str, Any], name: str, kind: type) -> Any:
    value = data.get(name)
    if type(value) is not kind:
        raise WireError(f"field {name!r} missing or not a {kind.__name__}")
    return value


def _numbers(values: list[Any], count: int) -> list[Any]:
    if len(values) != count or any(type(v) not in (int, float) for v in values):
        raise WireError("malformed number")
    return values


#: the dtype of each allowed code, made once
_DTYPES = {code: np.dtype(code) for code in ALLOWED_DTYPES}


def _dtype(data: dict[str, Any]) -> np.dtype:
    code = _field(data, "d", str)
    if code not in ALLOWED_DTYPES:
        raise WireError(f"dtype {code[:20]!r} not allowed")
    return _DTYPES[code]


def _decode_scalar(data: dict[str, Any]) -> np.generic:
    dtype = _dtype(data)
    value = data.get("v")
    if dtype.kind == "c":
        value = complex(*_numbers(value if type(value) is list else [], 2))
    elif type(value) not in (bool, int, float):
        raise WireError("malformed numpy scalar")
    try:
        return dtype.type(value)
    except (OverflowError, ValueError, TypeError):
        raise WireError("numpy scalar out of range") from None


def _decode_array(data: dict[str, Any], body: bytearray | bytes | memoryview) -> np.ndarray:
    code = data.get("d")
    dtype = _DTYPES.get(code) if type(code) is str else None
    if dtype is None:
        dtype = _dtype(data)  # raises the reason
    shape: Any = data.get("s")
    if type(shape) is not list:
        _field(data, "s", list)  # raises the reason
    offset, nbytes = data.get("o"), data.get("n")
    if type(offset) is not int or type(nbytes) is not int or len(shape) > MAX_NDIM:
        raise WireError("malformed array")
    size = dtype.itemsize  # bytes of the elements
    for n in shape:
        if type(n) is not int or n < 0:
            raise WireError("malformed array")
        size *= n
    if size != nbytes or offset < 0 or offset + nbytes > len(body):
        raise WireError("array data out of bounds")
    if size == 0:
        return np.zeros(shape, dtype)
    return _ndarray(shape, dtype, body, offset)  # a view of the body, like np.frombuffer


_ndarray = np.ndarray


def unchanged(value: Any, data: Any, body: bytes) -> bool:
    """True only when ``value`` is still exactly what ``decode(data, body)`` returned, ``body``
    being the frame's body as it was received (a copy taken before any code could write into the
    arrays decoded from it): encoding ``value`` again would give ``data`` with the same array
    bytes, so the receiver can use its own copy of what it sent. False whenever it cannot tell.

    No code of ``value``'s own runs here (exact types only). A scalar must be the very object the
    header held (``decode`` returns it: a float of other bits, ``-0.0`` for ``0.0``, is another
    object; so is an equal one, conservatively). A list, tuple or dict must have its exact type,
    its length and, for a dict, keys of type ``str`` equal to the ones sent, in their order
    (other keys are never claimed unchanged), each item unchanged in turn. An array must be an ``np.ndarray`` of
    the same dtype code and shape whose bytes in C order (``tobytes``, wherever its data now is
    and whatever its strides) equal the bytes sent: a NaN written in place, ``-0.0`` over
    ``0.0``, a reshape or a reinterpreting ``dtype`` all differ. A NumPy scalar or a complex is
    compared by its bits."""
    kind = type(data)
    if kind is not dict:
        return value is data
    tag = data.get("t")
    if tag == "a":
        return _array_unchanged(value, data, body)
    if tag == "d":
        keys, items = data["k"], data["v"]
        if type(value) is not dict or len(value) != len(keys):
            return False
        for (key, item), sent_key, sent in zip(value.items(), keys, items, strict=True):
            if type(key) is not str or type(sent_key) is not str or key != sent_key:
                return False
            if not (_array_unchanged(item, sent, body) if type(sent) is dict and sent.get("t") == "a"
                    else unchanged(item, sent, body)):
                return False
        return True
    if tag == "l" or tag == "u":
        items = data["v"]
        if type(value) is not (list if tag == "l" else tuple) or len(value) != len(items):
            return False
        for item, sent in zip(value, items, strict=True):
            if not (_array_unchanged(item, sent, body) if type(sent) is dict and sent.get("t") == "a"
                    else unchanged(item, sent, body)):
                return False
        return True
    if tag == "g":
        sent_scalar = _decode_scalar(data)
        return type(value) is type(sent_scalar) and value.tobytes() == sent_scalar.tobytes()
    if tag == "c":
        real, imag = data["v"]
        return type(value) is complex and _bits(value) == _bits(complex(real, imag))
    return False


def _array_unchanged(value: Any, data: dict[str, Any], body: bytes) -> bool:
    """:func:`unchanged` of an array's encoding (``data["t"] == "a"``)."""
    if type(value) is not np.ndarray or _CODES.get(value.dtype) != data["d"]:
        return False
    if value.shape != tuple(data["s"]):
        return False
    offset, nbytes = data["o"], data["n"]
    return nbytes == 0 or value.tobytes() == body[offset:offset + nbytes]


_COMPLEX = struct.Struct("=dd")


def _bits(number: complex) -> bytes:
    return _COMPLEX.pack(number.real, number.imag)


def fresh(value: Any) -> Any:
    """A decoded value with containers and arrays of its own (arrays copied, writable; scalars,
    immutable, shared): what a receiver hands out for an argument the child sent back as a
    marker (:data:`UNCHANGED`, :func:`returned`), from a value it decoded itself."""
    kind = type(value)
    if kind is np.ndarray:
        return value.copy()
    if kind is dict:  # the usual argument: a dict of arrays, its items copied here (no call each)
        copied = {}
        for key, item in value.items():
            inner = type(item)
            copied[key] = item.copy() if inner is np.ndarray else \
                fresh(item) if inner is dict or inner is list or inner is tuple else item
        return copied
    if kind is list:
        return [fresh(item) for item in value]
    if kind is tuple:
        return tuple(fresh(item) for item in value)
    return value
