"""The late policy: days late counted per started day after the grace period, capped, zero after
the cut-off, moved by extensions, never guessed when the time is unknown."""

from __future__ import annotations

from pathlib import Path

import pytest

from dnn_autograder.grader.classes.late_policy import Lateness, lateness, load_policy_file, parse_policies
from dnn_autograder.grader.errors import UsageError

POLICY = {"a": {"deadline": "2026-12-04T23:00:00Z", "grace_minutes": 30, "penalty_per_day": 0.1,
                "max_penalty": 0.25, "cutoff": "2026-12-10T23:00:00Z",
                "extensions": {"ext": "2026-12-06T23:00:00+00:00"}}}


@pytest.mark.parametrize(("student", "submitted", "expected"), [
    ("x", "2026-12-04T22:00:00Z", Lateness(0, 0.0)),
    ("x", "2026-12-04T23:30:00Z", Lateness(0, 0.0)),  # the last second of grace
    ("x", "2026-12-04T23:30:01Z", Lateness(1, 0.1)),  # one second after grace: a started day
    ("x", "2026-12-05T23:30:00Z", Lateness(1, 0.1)),  # exactly 24 h after grace
    ("x", "2026-12-05T23:30:01Z", Lateness(2, 0.2)),
    ("x", "2026-12-06T00:30:01+01:00", Lateness(2, 0.2)),  # another offset: 24 h and 1 s after grace
    ("x", "2026-12-09T12:00:00Z", Lateness(5, 0.25)),  # capped at max_penalty
    ("x", "2026-12-10T23:00:01Z", Lateness(6, 1.0, after_cutoff=True)),
    ("ext", "2026-12-06T23:20:00Z", Lateness(0, 0.0)),  # their own deadline
    ("ext", "2026-12-07T00:00:00Z", Lateness(1, 0.1)),
    ("ext", "2026-12-12T22:00:00Z", Lateness(6, 0.25)),  # cut-off moved by the 2-day extension
    ("ext", "2026-12-12T23:00:01Z", Lateness(6, 1.0, after_cutoff=True)),
    ("x", None, Lateness(0, 0.0, known=False)),
], ids=["early", "end-of-grace", "just-late", "24h", "24h+1s", "offset", "capped", "after-cutoff",
        "extension-on-time", "extension-late", "extension-cutoff-moved", "extension-after-cutoff", "unknown"])
def test_lateness(student: str, submitted: str | None, expected: Lateness) -> None:
    policy = parse_policies(POLICY)["a"]
    assert lateness(policy, student, submitted) == expected


@pytest.mark.parametrize(("table", "message"), [
    ({"deadline": "2026-12-04T23:00:00"}, "UTC offset"),
    ({"deadline": "2026-12-04T23:00:00Z", "penalty": 0.1}, "unknown key"),
    ({"deadline": "2026-12-04T23:00:00Z", "penalty_per_day": 10}, "between 0 and 1"),
    ({"deadline": "2026-12-04T23:00:00Z", "grace_minutes": -5}, ">= 0"),
    ({"deadline": "2026-12-04T23:00:00Z", "cutoff": "2026-12-01T00:00:00Z"}, "before the deadline"),
    ({"grace_minutes": 5}, "required"),
], ids=["naive-deadline", "unknown-key", "penalty-over-1", "negative-grace", "cutoff-first", "no-deadline"])
def test_a_policy_that_cannot_mean_one_thing_is_refused(table: dict, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_policies({"a": table})


def test_a_policy_file_takes_toml_datetimes_and_round_trips_through_plain_data(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text("[a]\ndeadline = 2026-12-04T23:00:00Z\npenalty_per_day = 0.5\n"
                    "[a.extensions]\nbob = 2026-12-05T23:00:00+02:00\n", encoding="utf-8")
    policy = load_policy_file(path)["a"]
    again = parse_policies({"a": policy.to_dict()})["a"]
    assert again == policy
    assert lateness(policy, "bob", "2026-12-05T21:00:01Z") == Lateness(1, 0.5)
