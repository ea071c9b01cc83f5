"""``records.call_record``: the very record ``CallRecord(**fields)`` makes (equal, frozen, the same
fields in the same order), and only from exactly its fields."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from dnn_autograder.grader.sandbox.records import CallRecord, call_record

FIELDS = {"outcome": "raised", "value": None, "args_after": (np.arange(3.0), {"a": 1}),
          "error_type": "ValueError", "error_message": "bad", "traceback": ("cell 1, line 2",),
          "output": "printed", "duration_s": 0.25, "message": "raised ValueError: bad",
          "aliases": ((0, 1),), "step": 2, "problem": "", "stand_in_calls": (("f", (1,)),)}


def test_the_same_record_as_the_dataclass_makes() -> None:
    made, usual = call_record(**FIELDS), CallRecord(**FIELDS)
    assert type(made) is CallRecord and made == usual and repr(made) == repr(usual)
    assert list(vars(made)) == [field.name for field in dataclasses.fields(CallRecord)]
    assert dataclasses.replace(made, outcome="violation").outcome == "violation"
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.outcome = "returned"  # type: ignore[misc]


@pytest.mark.parametrize("change", ["missing", "extra", "order"])
def test_exactly_the_fields_in_order(change: str) -> None:
    values = dict(FIELDS)
    if change == "missing":
        del values["problem"]
    elif change == "extra":
        values["verdict"] = "passed"
    else:
        values = {"value": values.pop("value"), **values}
    with pytest.raises(TypeError):
        call_record(**values)
