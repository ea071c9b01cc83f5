"""The sandbox: the only place student code ever runs.

The trusted grader (this process) keeps the reference implementations, the cases and the
expected values. Student code runs in a child process forked from a warm worker that imported
only numpy, the stdlib and the course helper shims; the child receives inputs and returns plain
data (JSON plus raw array bytes; nothing is unpickled). See ``SECURITY.md`` for the layers.

    with Sandbox(Limits()) as sandbox:
        with sandbox.session(units) as session:
            if session.defined("update_parameters_with_adam"):
                record = session.call("update_parameters_with_adam", args, seed=1)
"""

from dnn_autograder.grader.sandbox.child.wire import Opaque
from dnn_autograder.grader.sandbox.records import OUTCOMES, CallRecord, Limits, ProgramUnit, UnitOutcome
from dnn_autograder.grader.sandbox.sandbox import OPTIONAL_LAYERS, Sandbox
from dnn_autograder.grader.sandbox.session import Session
from dnn_autograder.grader.sandbox.units import units_from_source

__all__ = [
    "OPTIONAL_LAYERS",
    "OUTCOMES",
    "CallRecord",
    "Limits",
    "Opaque",
    "ProgramUnit",
    "Sandbox",
    "Session",
    "UnitOutcome",
    "units_from_source",
]
