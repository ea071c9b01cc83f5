"""Late policies: a deadline, a grace period and a penalty per assignment, with extensions.

A policy file is TOML, one table per assignment::

    [regularization]
    deadline = 2026-12-04T23:59:00Z   # a TOML datetime or an ISO 8601 string, with a UTC offset
    grace_minutes = 15                # default 0
    penalty_per_day = 0.10            # fraction of the score taken per day late, default 0
    max_penalty = 0.50                # the penalty never exceeds this fraction, default 1
    cutoff = 2026-12-11T23:59:00Z     # optional: submitted after it, the score is 0

    [regularization.extensions]       # optional: a student's own deadline
    alice = 2026-12-06T23:59:00Z

How lateness is counted (:func:`lateness`): a submission up to ``deadline + grace`` is on time.
After that, every *started* day counts: one second past the grace period is 1 day late, 24 hours
and one second is 2 days. The penalty is ``min(days * penalty_per_day, max_penalty)`` of the
score (after any override). A student's extension replaces the deadline and moves the cut-off by
the same amount. After the cut-off the penalty is the whole score. A submission whose time is
unknown gets no penalty, and every export says the time is unknown. The LMS's own late marker
(Canvas's ``LATE_``) is kept, and said in the exports when there is no time, but a penalty is only
ever computed from a time.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from dnn_autograder.grader.errors import UsageError

_KEYS = {"deadline", "grace_minutes", "penalty_per_day", "max_penalty", "cutoff", "extensions"}


@dataclass(frozen=True)
class LatePolicy:
    """The late policy of one assignment (see the module doc)."""

    assignment: str
    deadline: datetime
    grace_minutes: float = 0.0
    penalty_per_day: float = 0.0
    max_penalty: float = 1.0
    cutoff: datetime | None = None
    extensions: dict[str, datetime] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (times as ISO 8601 strings), as the gradebook stores it."""
        return {"deadline": self.deadline.isoformat(), "grace_minutes": self.grace_minutes,
                "penalty_per_day": self.penalty_per_day, "max_penalty": self.max_penalty,
                "cutoff": None if self.cutoff is None else self.cutoff.isoformat(),
                "extensions": {k: v.isoformat() for k, v in sorted(self.extensions.items())}}


@dataclass(frozen=True)
class Lateness:
    """How late one submission was: ``days`` late (0 on time), the ``fraction`` of the score
    taken, whether it came after the cut-off, and whether its time was ``known``."""

    days: int
    fraction: float
    after_cutoff: bool = False
    known: bool = True


def parse_policies(data: dict[str, Any]) -> dict[str, LatePolicy]:
    """``{assignment: LatePolicy}`` from parsed TOML (or stored plain data).

    Raises:
        UsageError: a key is unknown, a value has the wrong type or range, or a time has no
            UTC offset (a deadline without one would mean different moments on different machines).
    """
    policies = {}
    for name, table in data.items():
        if not isinstance(table, dict):
            raise UsageError(f"late policy: [{name}] must be a table")
        unknown = set(table) - _KEYS
        if unknown:
            raise UsageError(f"late policy [{name}]: unknown key(s) {', '.join(sorted(unknown))}")
        if "deadline" not in table:
            raise UsageError(f"late policy [{name}]: 'deadline' is required")
        extensions = table.get("extensions") or {}
        if not isinstance(extensions, dict):
            raise UsageError(f"late policy [{name}]: 'extensions' must be a table of student = time")
        policy = LatePolicy(
            assignment=name, deadline=_moment(table["deadline"], f"[{name}] deadline"),
            grace_minutes=_fraction_or_number(table, "grace_minutes", 0.0, name, upper=None),
            penalty_per_day=_fraction_or_number(table, "penalty_per_day", 0.0, name, upper=1.0),
            max_penalty=_fraction_or_number(table, "max_penalty", 1.0, name, upper=1.0),
            cutoff=None if table.get("cutoff") is None else _moment(table["cutoff"], f"[{name}] cutoff"),
            extensions={str(k): _moment(v, f"[{name}] extension of {k}") for k, v in extensions.items()})
        if policy.cutoff is not None and policy.cutoff < policy.deadline:
            raise UsageError(f"late policy [{name}]: the cutoff is before the deadline")
        policies[name] = policy
    return policies


def load_policy_file(path: str | Path) -> dict[str, LatePolicy]:
    """Read and check a policy TOML file (see :func:`parse_policies`)."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise UsageError(f"cannot read the late policy {path}: {error}") from error
    return parse_policies(data)


def lateness(policy: LatePolicy, student: str, submitted_at: str | None) -> Lateness:
    """How late ``student``'s submission at ``submitted_at`` (ISO 8601, None: unknown) is."""
    if submitted_at is None:
        return Lateness(0, 0.0, known=False)
    moment = _moment(submitted_at, "submission time")
    deadline = policy.extensions.get(student, policy.deadline)
    cutoff = None if policy.cutoff is None else policy.cutoff + (deadline - policy.deadline)
    if cutoff is not None and moment > cutoff:
        late = moment - deadline - timedelta(minutes=policy.grace_minutes)
        return Lateness(max(1, math.ceil(late / timedelta(days=1))), 1.0, after_cutoff=True)
    late = moment - deadline - timedelta(minutes=policy.grace_minutes)
    if late <= timedelta(0):
        return Lateness(0, 0.0)
    days = math.ceil(late / timedelta(days=1))
    return Lateness(days, min(days * policy.penalty_per_day, policy.max_penalty))


def _moment(value: object, what: str) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as error:
            raise UsageError(f"late policy: {what}: not an ISO 8601 time: {value!r}") from error
    if not isinstance(value, datetime):
        raise UsageError(f"late policy: {what} must be a date and time, not {value!r}")
    if value.utcoffset() is None:
        raise UsageError(f"late policy: {what} needs a UTC offset (e.g. 2026-12-04T23:59:00Z or +01:00)")
    return value


def _fraction_or_number(table: dict[str, Any], key: str, default: float, name: str, *,
                        upper: float | None) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or (
            upper is not None and value > upper):
        bound = f"between 0 and {upper:g}" if upper is not None else "a number >= 0"
        raise UsageError(f"late policy [{name}]: {key} must be {bound}, not {value!r}")
    return float(value)
