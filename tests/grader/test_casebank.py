"""The case bank: current for every assignment, and a lossless round trip."""

from __future__ import annotations

import numpy as np
import pytest

from dnn_autograder.grader.assignment import casebank
from dnn_autograder.grader.assignment.spec import available_assignments, load_assignment
from dnn_autograder.grader.model import Case
from dnn_autograder.grader.sandbox.child import wire
from dnn_autograder.grader.values import identical


@pytest.mark.parametrize("name", available_assignments())
def test_bank_is_current(name):
    spec = load_assignment(name)
    bank = casebank._read_bank(spec)
    assert bank is not None, (
        f"assignments/{name}/cases.bank is missing or stale: "
        f"run `python -m dnn_autograder.grader.assignment.casebank {name}`"
    )
    for function in spec.functions:
        assert len(bank[function.name]) >= min(5, function.cases), function.name


def test_encoding_round_trips_exactly():
    case = Case(
        args={"parameters": {"W1": np.arange(6.0).reshape(2, 3), "b1": np.zeros((2, 1))},
              "t": 3, "beta": 0.9, "layers": [2, 3], "pair": (np.float32(1.5), None)},
        world="cubic", seed=7, label="generated",
    )
    encoder = wire.Encoder(1 << 20)
    item = casebank._encode_case(encoder, case)
    body = bytearray(b"".join(bytes(c) for c in encoder.chunks))
    again = casebank._decode_case(item, body)
    assert identical(dict(again.args), dict(case.args))
    assert type(again.args["pair"][0]) is np.float32
    assert (again.world, again.seed, again.label) == (case.world, case.seed, case.label)
