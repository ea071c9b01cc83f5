"""``sandbox.requests``: a ``calls`` request encoded once is, byte for byte, the frame the session
packs call by call, and a kept request does not change with the argument objects afterwards."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest

from dnn_autograder.grader.sandbox.child import wire
from dnn_autograder.grader.sandbox.requests import EncodedRun, PreparedCalls, encode_run

COMMON = {"op": "calls", "fn": "f", "inject": {"h": "m.h"}, "stand_ins": [], "max_raised": 3, "cpu_stop": 9.5}


def _calls() -> list[tuple[tuple, int | None]]:
    rng = np.random.default_rng(0)
    return [
        ((rng.standard_normal((3, 2)), {"W1": rng.standard_normal(5).astype(np.float32), "t": 2}), 1),
        ((np.arange(7, dtype=np.int64), [1.5, None, "x"], True), None),
        ((np.zeros((0, 4)), (np.float64(2.5), complex(1, 2))), 7),
        ((rng.standard_normal((4, 4)) > 0, float("nan")), 0),
        ((np.ones(3, np.uint8),), 2),
    ]


def _packed_call_by_call(calls: list[tuple[tuple, int | None]], first: int, end: int) -> bytes:
    """The frame as the session built it before requests.py: one encoder, one ``wire.pack``."""
    encoder = wire.Encoder(1 << 62)
    chunk = [{"args": encoder.encode(list(args)), "seed": seed} for args, seed in calls[first:end]]
    return wire.pack({**COMMON, "calls": chunk}, encoder)


def _read(frame: bytes) -> tuple[dict[str, Any], bytearray]:
    stream = io.BytesIO(frame)
    return wire.Stream(stream.read).read()


def test_a_run_is_the_frame_packed_call_by_call() -> None:
    calls = _calls()
    run = encode_run(calls, 0, 1 << 30, 200)
    assert (run.first, run.end) == (0, len(calls))
    assert run.frame(COMMON) == _packed_call_by_call(calls, 0, len(calls))
    header, body = _read(run.frame(COMMON))
    for (args, seed), sent in zip(calls, header["calls"], strict=True):
        assert sent["seed"] == seed
        back = wire.decode(sent["args"], body)
        assert len(back) == len(args)
        np.testing.assert_array_equal(back[0], args[0])


@pytest.mark.parametrize(("max_bytes", "max_calls", "ends"), [
    (1 << 30, 2, [2, 4, 5]),
    (1 << 30, 1, [1, 2, 3, 4, 5]),
    (1, 200, [1, 2, 3, 4, 5]),  # every call crosses a 1-byte cap: one call per request
])
def test_runs_end_at_the_caps(max_bytes: int, max_calls: int, ends: list[int]) -> None:
    calls, first, seen = _calls(), 0, []
    while first < len(calls):
        run = encode_run(calls, first, max_bytes, max_calls)
        assert run.frame(COMMON) == _packed_call_by_call(calls, first, run.end)
        seen.append(run.end)
        first = run.end
    assert seen == ends


def test_a_prepared_run_is_kept_and_fixed() -> None:
    calls = _calls()
    prepared = PreparedCalls(calls)
    assert list(prepared) == [(tuple(args), seed) for args, seed in calls] and len(prepared) == len(calls)
    before = _packed_call_by_call(calls, 0, 2)
    run = prepared.run(0, 1 << 30, 2)
    assert prepared.run(0, 1 << 30, 2) is run  # encoded once
    calls[0][0][0][0, 0] = 1e9  # an argument changed in place after encoding ...
    assert run.frame(COMMON) == before  # ... does not reach a kept request (its bytes were copied)
    assert prepared.run(2, 1 << 30, 2) is prepared.run(2, 1 << 30, 2)  # where the kept one ended


def test_odd_starts_are_not_kept() -> None:
    """A request from where a child was replaced is encoded afresh each time: what is kept stays
    about the size of the arguments, however often children are replaced."""
    prepared = PreparedCalls(_calls())
    prepared.run(0, 1 << 30, 2)
    odd = prepared.run(1, 1 << 30, 2)
    assert odd == prepared.run(1, 1 << 30, 2) and odd is not prepared.run(1, 1 << 30, 2)
    assert prepared.kept == {(0, 1 << 30, 2)}


def test_a_frame_needs_fields_of_its_own() -> None:
    run = EncodedRun(0, 1, b"[]", b"")
    with pytest.raises(ValueError):
        run.frame({})
    with pytest.raises(ValueError):
        run.frame({"op": "calls", "calls": []})


def test_unsendable_arguments_are_refused() -> None:
    with pytest.raises(wire.Unencodable):
        PreparedCalls([((object(),), None)]).run(0, 1 << 30, 200)
