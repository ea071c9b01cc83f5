"""The sandbox's data: limits, the units a child executes, and what came back.

Frozen dataclasses of plain values. ``CallRecord`` follows pytest's ``CallInfo``: the result or
the exception, the timing and the limit hit, never an exception in the grader.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

#: Every ``CallRecord.outcome``.
OUTCOMES = ("returned", "raised", "timeout", "memory", "crashed", "exited", "violation",
            "output-limit", "unsupported-return")


@dataclass(frozen=True)
class Limits:
    """What one student's child may use. The first six are the documented contract; the rest
    have defaults that suit the course's exercises."""

    call_timeout_s: float = 5.0  #: wall clock per call, enforced by the parent
    load_timeout_s: float = 10.0  #: executing the student's top-level code
    memory_bytes: int = 1 << 30  #: RLIMIT_AS for the child
    output_bytes: int = 64 * 1024  #: captured stdout+stderr kept per call (rest dropped, counted)
    return_bytes: int = 64 << 20  #: largest encoded return value accepted
    cpu_seconds: int = 60  #: RLIMIT_CPU per child (a child near it is replaced between calls)
    output_stop_bytes: int = 16 << 20  #: a call printing more than this is stopped
    file_bytes: int = 64 << 20  #: RLIMIT_FSIZE: largest file written in the scratch directory
    scratch_bytes: int = 64 << 20  #: size of the scratch directory (a tmpfs when possible)
    open_files: int = 64  #: RLIMIT_NOFILE
    processes: int = 16  #: RLIMIT_NPROC: threads the child's uid may have (it needs one)
    return_items: int = 1_000_000  #: JSON values the parent decodes from one frame (its own cap)

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"Limits.{field.name} must be a positive number, not {value!r}")
        if self.output_stop_bytes < self.output_bytes:
            raise ValueError("Limits.output_stop_bytes must be at least Limits.output_bytes")

    def for_child(self) -> dict[str, int]:
        """The numbers the child applies to itself."""
        return {"memory": self.memory_bytes, "cpu": int(self.cpu_seconds),
                "file_bytes": self.file_bytes, "scratch_bytes": self.scratch_bytes,
                "open_files": self.open_files,
                "processes": self.processes, "output_bytes": self.output_bytes,
                "output_stop_bytes": self.output_stop_bytes, "return_bytes": self.return_bytes}


@dataclass(frozen=True)
class ProgramUnit:
    """One top-level statement (or a few) of a submission, executed in order in the child.

    ``kind`` is ``"import"``, ``"definition"`` or ``"constant"``; ``filename`` labels tracebacks
    (``"submission.ipynb, cell 7"``); ``first_line`` is the line of the unit's first line there.
    ``dnn_autograder.grader.extract``'s ``ProgramUnit`` has the same fields and is accepted too.
    """

    kind: str
    source: str
    names: tuple[str, ...]
    filename: str
    first_line: int


@dataclass(frozen=True)
class UnitOutcome:
    """What happened to one unit: ``message`` is empty when ``ok``, otherwise e.g.
    ``"ModuleNotFoundError: No module named 'sklearn'"``."""

    names: tuple[str, ...]
    ok: bool
    message: str


@dataclass(frozen=True)
class CallRecord:
    """One call of a student's function in the sandbox.

    ``outcome`` is one of :data:`OUTCOMES`; ``value`` is the decoded return value (numpy arrays,
    Python scalars, str, None and dict/list/tuple of these) when ``"returned"``; ``args_after``
    holds the arguments as the function left them (an argument that could not be sent back is a
    ``wire.Opaque``); ``traceback`` lists only the student's frames
    (``"submission.ipynb, cell 7, line 12, in update_lr: return lr / x"``); ``output`` is the
    call's stdout and stderr, capped; ``message`` is one sentence for people
    (``"timed out after 5 s"``).
    """

    outcome: str
    value: Any
    args_after: tuple[Any, ...]
    error_type: str | None
    error_message: str | None
    traceback: tuple[str, ...]
    output: str
    duration_s: float
    message: str
    #: pairs of positions in a returned tuple that are one and the same dict or list object
    aliases: tuple[tuple[int, int], ...] = ()
    #: a script case: the (0-based) step that ran last, where an error happened
    step: int = 0
    #: a script case: why a step's return value could not be unpacked into its names, or ""
    problem: str = ""
    #: the stand-in calls the child recorded after a stand-in was handed to a course helper
    #: (``session.Observed``), in order: ``(name, positional args)``, or ``(name, None)`` past the
    #: byte budget; None when the child recorded none (only a "returned" call carries them)
    stand_in_calls: tuple[tuple[str, Any], ...] | None = None


#: every field of a ``CallRecord``, in order
_CALL_RECORD_FIELDS = tuple(field.name for field in fields(CallRecord))


def call_record(**values: Any) -> CallRecord:
    """``CallRecord(**values)`` with every field given, the same record, made without the frozen
    dataclass's ``__init__`` (which sets each field through ``object.__setattr__``): the parent
    makes one per call. Raises ``TypeError`` unless ``values`` names exactly the fields, in
    their order."""
    if tuple(values) != _CALL_RECORD_FIELDS:
        raise TypeError(f"call_record needs exactly the fields {_CALL_RECORD_FIELDS}, in order")
    record = object.__new__(CallRecord)
    record.__dict__.update(values)
    return record
