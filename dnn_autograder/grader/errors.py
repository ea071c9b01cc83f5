"""Errors the grader raises, and the command line's exit codes.

Student mistakes are never exceptions here: they are data in the results. These exceptions are
for the people running the grader (a bad option, a path that does not exist, an assignment bank
that is broken) and each message says what to do next.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit status of the ``grade`` command (DESIGN.md section 1)."""

    OK = 0  #: grading completed, whatever the scores
    INTERNAL_ERROR = 1  #: the grader itself failed
    USAGE = 2  #: bad option, no such path, unknown assignment
    BELOW_THRESHOLD = 3  #: ``--fail-under`` was given and a score is below it
    SELFCHECK_FAILED = 4  #: ``grade selfcheck`` found a problem in the assignment bank


class GraderError(Exception):
    """Base class of every error the grader raises on purpose."""


class UsageError(GraderError):
    """Raised for a command-line or library call that cannot be carried out as asked
    (unknown assignment, path that does not exist, conflicting options)."""


class CaseBankError(GraderError):
    """Raised when grading would draw cases live because a case bank is missing or stale, where
    that is not allowed (:func:`dnn_autograder.grader.assignment.casebank.check_banks_at_startup`); the message
    names each bank and says how to fix it."""


class SpecError(GraderError):
    """Raised when an assignment folder is incomplete or its spec is invalid; the message names
    the file and the key to fix."""


class SubmissionError(GraderError):
    """Raised by the loaders when a submission file cannot be read at all (invalid notebook
    JSON, binary data, not UTF-8). The pipeline turns it into a zero-score result with the
    reason; it never stops a batch."""


class SandboxUnavailable(GraderError):
    """Raised when no sandbox worker can be started (for instance the Python interpreter cannot
    be executed); the message says which mechanism failed."""
