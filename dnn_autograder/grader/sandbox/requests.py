"""The ``calls`` request of ``Session.call_each``, encoded once when the calls are the same for
every student.

A request carries a run of consecutive calls ``calls[first:end]``: each call's arguments
(``wire``-encoded, arrays in the body) and seed. A run ends after the call that brings the body
(plus its header estimate) to ``max_bytes`` or the run to ``max_calls`` calls, so the runs that
cover ``calls`` are determined by ``calls`` and the two caps alone.

:class:`PreparedCalls` keeps the encoded runs that start where a previous one ended (from 0):
the ones every student's session sends. An encoded run holds its own copy of the arguments'
array bytes, so a kept run is a fixed byte string: what the child receives never changes with
the argument objects afterwards, and packing a kept run costs one small JSON dump of the
request's other fields and a copy of its bytes. A run also gives each call's arguments as the
child decodes them (:meth:`EncodedRun.sent`, decoded once): a result's ``args_after`` names an
argument the call left as it was (``wire.UNCHANGED``) instead of sending it back.

The ``script`` request of ``Session.run_script`` is kept the same way: :class:`PreparedScript`
holds a script's inputs and steps encoded once (a figure's path that is the same for every
student), as a fixed byte string.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from dnn_autograder.grader.sandbox.child import wire

Call = tuple[tuple, int | None]


@dataclass(frozen=True)
class EncodedRun:
    """Calls ``first`` to ``end - 1`` as they cross the wire: ``text`` is the JSON list of their
    ``{"args": encoded, "seed": seed}``, ``body`` the array bytes the encoded arguments point into
    (offsets from the start of the body)."""

    first: int
    end: int
    text: bytes
    body: bytes
    #: each call's encoded arguments (what :attr:`text` holds, before JSON), for :meth:`sent`
    encoded_args: tuple[Any, ...] = field(default=(), repr=False, compare=False)
    #: call index -> its arguments, once :meth:`sent` decoded them
    _decoded: dict[int, tuple[Any, ...]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def frame(self, header: Mapping[str, Any]) -> bytes:
        """The frame ``wire.pack({**header, "calls": [the run's calls]}, encoder)`` byte for byte
        (``header`` is a non-empty JSON object without a ``calls`` key)."""
        return _spliced(header, b'"calls":' + self.text, self.body, ("calls",))

    def sent(self, index: int) -> tuple[Any, ...]:
        """The arguments of call ``index`` (``first <= index < end``) as the child receives them:
        decoded from the encoded arguments and :attr:`body` (arrays are read-only views of the
        body) at the first use, and kept (a kept run serves every session)."""
        decoded = self._decoded.get(index)
        if decoded is None:
            if not self.first <= index < self.end:
                raise IndexError(f"no call {index} in calls {self.first} to {self.end - 1}")
            encoded = self.encoded_args or tuple(
                item["args"] for item in wire.parse_header(b'{"calls":' + self.text + b"}")["calls"])
            decoded = self._decoded[index] = tuple(wire.decode(encoded[index - self.first], self.body))
        return decoded

    def decode_all(self) -> None:
        """Decode every call's arguments now (:meth:`sent`), for the processes forked later."""
        for index in range(self.first, self.end):
            self.sent(index)


def _spliced(header: Mapping[str, Any], fields: bytes, body: bytes, own: tuple[str, ...]) -> bytes:
    """The frame of ``header``'s fields followed by ``fields`` (the JSON text of the encoded
    fields ``own``, without braces), whose arrays point into ``body``."""
    head = json.dumps(dict(header), separators=(",", ":"), allow_nan=True).encode("utf-8")
    if head == b"{}" or any(name in header for name in own):
        raise ValueError(f"a request needs other fields and none of {list(own)} of its own")
    return wire.frame(b"".join([head[:-1], b",", fields, b"}"]), [body], len(body))


def encode_run(calls: Sequence[Call], first: int, max_bytes: int, max_calls: int) -> EncodedRun:
    """Encode the run of calls that starts at ``first`` (see the module doc for where it ends),
    with a copy of their array bytes. Raises ``wire.Unencodable`` for an argument that cannot
    cross."""
    if not 0 <= first < len(calls):
        raise IndexError(f"no call {first} among {len(calls)}")
    encoder = wire.Encoder(1 << 62)
    encoded: list[dict[str, Any]] = []
    end = first
    for args, seed in calls[first:]:
        encoded.append({"args": encoder.encode(list(args)), "seed": None if seed is None else int(seed)})
        end += 1
        if encoder.size >= max_bytes or len(encoded) >= max_calls:
            break
    text = json.dumps(encoded, separators=(",", ":"), allow_nan=True).encode("utf-8")
    return EncodedRun(first, end, text, b"".join(encoder.chunks),  # the copy, before any code runs
                      tuple(item["args"] for item in encoded))


class PreparedCalls(Sequence[Call]):
    """``(args, seed)`` pairs for ``Session.call_each`` (a sequence of them like any other),
    whose encoded runs are kept for every session that sends them: build one per list of calls
    that does not change (a graded function's cases), and pass it again and again.

    Only the runs that start at 0 or where a kept run ended are kept (the runs of a session
    whose child never needed replacing), at most one per ``(first, max_bytes, max_calls)``, so
    what is kept is about the size of the arguments. Safe to share between threads (two
    threads may encode the same run; either result is kept, they are equal).
    """

    def __init__(self, calls: Sequence[Call]) -> None:
        self._calls: tuple[Call, ...] = tuple((tuple(args), seed) for args, seed in calls)
        self._runs: dict[tuple[int, int, int], EncodedRun] = {}

    def __len__(self) -> int:
        return len(self._calls)

    def __getitem__(self, index: Any) -> Any:
        return self._calls[index]

    def __iter__(self) -> Iterator[Call]:
        return iter(self._calls)

    @property
    def kept(self) -> frozenset[tuple[int, int, int]]:
        """The ``(first, max_bytes, max_calls)`` of the runs kept so far."""
        return frozenset(self._runs)

    def run(self, first: int, max_bytes: int, max_calls: int) -> EncodedRun:
        """The encoded run that starts at ``first`` (see :func:`encode_run`)."""
        key = (first, max_bytes, max_calls)
        kept = self._runs.get(key)
        if kept is not None:
            return kept
        run = encode_run(self._calls, first, max_bytes, max_calls)
        if first == 0 or any(other.end == first and (size, count) == (max_bytes, max_calls)
                             for (_, size, count), other in list(self._runs.items())):
            run.decode_all()  # what every session's replies may refer to (``wire.UNCHANGED``)
            self._runs[key] = run
        return run


@dataclass(frozen=True)
class EncodedScript:
    """A script's ``inputs`` and ``steps`` as they cross the wire: ``text`` is the JSON of the two
    encoded fields (``"inputs":...,"steps":...``), ``body`` the array bytes they point into."""

    text: bytes
    body: bytes

    def frame(self, header: Mapping[str, Any]) -> bytes:
        """The frame ``wire.pack({**header, "inputs": encoded inputs, "steps": encoded steps},
        encoder)`` byte for byte, the inputs encoded first (``header``: a non-empty JSON object
        without those keys)."""
        return _spliced(header, self.text, self.body, ("inputs", "steps"))


def encode_script(inputs: Mapping[str, Any], steps: Sequence[Mapping[str, Any]]) -> EncodedScript:
    """Encode a script's inputs and steps (plain steps, ``grading.scripts.plain_steps``), with a
    copy of their array bytes. Raises ``wire.Unencodable`` for a value that cannot cross."""
    encoder = wire.Encoder(1 << 62)
    fields = {"inputs": encoder.encode(dict(inputs)), "steps": encoder.encode([dict(step) for step in steps])}
    text = json.dumps(fields, separators=(",", ":"), allow_nan=True).encode("utf-8")
    return EncodedScript(text[1:-1], b"".join(encoder.chunks))  # the copy, before any code runs


class PreparedScript(Sequence[Mapping[str, Any]]):
    """A script's steps (this sequence of plain steps) and its ``inputs``, for
    ``Session.run_script(unit, script.inputs, script)``, encoded once (:attr:`encoded`) for
    every session that sends it: build one per script that does not change (a figure's path
    from a fixed start), and pass it again and again.

    ``inputs`` and the steps are what was encoded, decoded back: the arrays in them are
    read-only views of the kept bytes, so neither the objects it was built from (changed
    afterwards) nor code that is handed these (in-process sessions of tests) can make them
    differ from the request the sandbox receives. Raises ``wire.Unencodable`` as
    :func:`encode_script` does.
    """

    def __init__(self, inputs: Mapping[str, Any], steps: Sequence[Mapping[str, Any]]) -> None:
        self.encoded = encode_script(inputs, steps)
        fields = wire.parse_header(b"{" + self.encoded.text + b"}")
        sent_inputs = wire.decode(fields["inputs"], self.encoded.body)
        sent_steps = wire.decode(fields["steps"], self.encoded.body)
        assert isinstance(sent_inputs, dict) and isinstance(sent_steps, list)
        self.inputs: Mapping[str, Any] = MappingProxyType(sent_inputs)
        self._steps: tuple[Mapping[str, Any], ...] = tuple(sent_steps)

    def __len__(self) -> int:
        return len(self._steps)

    def __getitem__(self, index: Any) -> Any:
        return self._steps[index]

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        return iter(self._steps)

    def sends(self, inputs: Any) -> bool:
        """Is ``inputs`` this script's own :attr:`inputs` (then :attr:`encoded` is the request)."""
        return inputs is self.inputs
