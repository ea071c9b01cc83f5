"""``sandbox.requests``: a ``calls`` request encoded once is, byte for byte, the frame the session
packs call by call, and a kept request does not change with the argument objects afterwards; the
same for a ``script`` request (:class:`PreparedScript`)."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest

from dnn_autograder.grader.sandbox.child import wire
from dnn_autograder.grader.sandbox.requests import EncodedRun, PreparedCalls, PreparedScript, encode_run, encode_script

from .support import bits

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


# --- scripts ------------------------------------------------------------------------------------
SCRIPT_HEADER = {"op": "script", "inject": {"h": "m.h"}, "stand_ins": [], "seed": 0}


def _script() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    rng = np.random.default_rng(1)
    inputs = {"params": {"W": rng.standard_normal((2, 3)), "b": np.zeros((2, 1))}, "t": 3,
              "mask": rng.standard_normal(4) > 0, "pair": (1.5, np.arange(3, dtype=np.int32))}
    steps = [{"call": "step", "args": [["var", "params"], ["const", np.ones(2)]], "kwargs": {"lr": ["const", 0.1]},
              "returns": ["params"], "compare": ["params"], "seed": 0},
             {"call": "helper", "args": [["var", "params"], ["const", None]], "kwargs": {},
              "returns": ["params", "cost"], "compare": ["cost"], "seed": None}]
    return inputs, steps


def _packed_field_by_field(inputs: dict[str, Any], steps: list[dict[str, Any]]) -> bytes:
    """The script frame as the session built it before requests.py: one encoder, one ``wire.pack``."""
    encoder = wire.Encoder(1 << 62)
    return wire.pack({**SCRIPT_HEADER, "inputs": encoder.encode(dict(inputs)),
                      "steps": encoder.encode([dict(step) for step in steps])}, encoder)


def test_a_script_is_the_frame_packed_field_by_field() -> None:
    inputs, steps = _script()
    assert encode_script(inputs, steps).frame(SCRIPT_HEADER) == _packed_field_by_field(inputs, steps)
    header, body = _read(encode_script(inputs, steps).frame(SCRIPT_HEADER))
    sent = wire.decode(header["inputs"], body)
    np.testing.assert_array_equal(sent["params"]["W"], inputs["params"]["W"])
    assert sent["pair"][0] == 1.5 and wire.decode(header["steps"], body)[1]["returns"] == ["params", "cost"]
    with pytest.raises(ValueError):
        encode_script(inputs, steps).frame({"op": "script", "steps": []})


def test_a_prepared_script_is_fixed() -> None:
    inputs, steps = _script()
    before = _packed_field_by_field(inputs, steps)
    prepared = PreparedScript(inputs, steps)
    inputs["params"]["W"][0, 0] = 1e9  # what it was built from changed in place afterwards ...
    steps[0]["args"][1][1][0] = -5.0
    assert prepared.encoded.frame(SCRIPT_HEADER) == before  # ... does not reach the kept request
    assert prepared.sends(prepared.inputs) and not prepared.sends(dict(prepared.inputs))
    # what it shows is what is sent: the same values, in arrays nobody can write into
    assert prepared.inputs["params"]["W"][0, 0] != 1e9 and prepared[0]["args"][1][1][0] == 1.0
    assert len(prepared) == 2 and [step["call"] for step in prepared] == ["step", "helper"]
    with pytest.raises(ValueError):
        prepared.inputs["params"]["b"][0, 0] = 7.0
    with pytest.raises(TypeError):
        prepared.inputs["t"] = 4  # type: ignore[index]
    with pytest.raises(wire.Unencodable):
        PreparedScript({"f": object()}, [])


WRITER = '''\
import numpy as np


def scale(params, factor):
    for key in params:
        params[key] *= factor  # writes into what the script gave it
    params["extra"] = np.ones(1)
    return params
'''


def test_a_student_who_writes_into_a_prepared_script_cannot_change_it(sandbox: Any) -> None:
    from dnn_autograder.grader.sandbox import units_from_source

    inputs = {"params": {"W": np.arange(6.0).reshape(2, 3), "b": np.ones((2, 1))}}
    steps = [{"call": "scale", "args": [["var", "params"], ["const", 3.0]], "kwargs": {}, "returns": ["params"],
              "compare": ["params"], "seed": None}] * 2
    prepared = PreparedScript(inputs, steps)
    kept = prepared.encoded.frame(SCRIPT_HEADER)
    with sandbox.session(units_from_source(WRITER, "submission.py")) as session:
        runs = [session.run_script("scale", prepared.inputs, prepared) for _ in range(2)]
        afresh = session.run_script("scale", inputs, steps)  # not prepared: encoded for this request
    for record in (*runs, afresh):
        assert record.outcome == "returned", record.message
        np.testing.assert_array_equal(record.value[(1, "params")]["W"], 9.0 * np.arange(6.0).reshape(2, 3))
    assert prepared.encoded.frame(SCRIPT_HEADER) == kept
    np.testing.assert_array_equal(prepared.inputs["params"]["W"], np.arange(6.0).reshape(2, 3))
    assert "extra" not in prepared.inputs["params"] and "extra" not in inputs["params"]


@pytest.mark.parametrize("kept", [True, False])
def test_sent_arguments_are_what_the_child_decodes(kept: bool) -> None:
    calls = _calls()
    run = PreparedCalls(calls).run(0, 1 << 20, 10) if kept else encode_run(calls, 1, 1 << 20, 10)
    header, body = _read(run.frame(COMMON))
    for offset, item in enumerate(header["calls"]):
        child = wire.decode(item["args"], bytearray(body))
        sent = run.sent(run.first + offset)
        assert type(sent) is tuple and bits(list(sent)) == bits(child)
        assert sent is run.sent(run.first + offset)  # decoded once
        assert all(not a.flags.writeable for a in sent if isinstance(a, np.ndarray) and a.size)
    without = EncodedRun(run.first, run.end, run.text, run.body)  # no encoded arguments: read from the text
    assert bits(without.sent(run.end - 1)) == bits(run.sent(run.end - 1))
    with pytest.raises(IndexError):
        run.sent(run.end)
    with pytest.raises(IndexError):
        run.sent(run.first - 1)
