"""The batch's fork server warms the grading engine when it imports this module (its only hook).

The fork server of :func:`dnn_autograder.grader.classes.batch.worker_context` runs nothing but
the imports of its preload list before it forks the first worker; this module comes last in
that list. Importing it reads ``[engine, assignment]`` (JSON) from :data:`VARIABLE`, which the
batch sets only while it starts the fork server, and calls the engine class's optional
``warm(assignment)`` (``assignment`` None: not known), so every worker forked afterwards starts
with what that computed instead of computing it on its first student. Warming is best effort:
if it fails, the fork server still serves and each worker does the work itself, with the same
results. Imported anywhere the variable is not set, it does nothing.
"""

from __future__ import annotations

import json
import logging
import os

VARIABLE = "DNN_AUTOGRADER_FORKSERVER_WARM"

log = logging.getLogger(__name__)


def warm_from_environment() -> bool:
    """Call ``warm`` of the engine named in :data:`VARIABLE` (removed from the environment, so
    the workers do not inherit it); whether it ran to its end."""
    value = os.environ.pop(VARIABLE, None)
    if not value:
        return False
    try:
        engine, assignment = json.loads(value)
        from dnn_autograder.grader.classes.batch import engine_class

        warm = getattr(engine_class(engine), "warm", None)
        if not callable(warm):
            return False
        warm(assignment)
    except Exception:  # noqa: BLE001 - never stop the fork server: the workers warm themselves
        log.debug("the fork server could not warm the engine", exc_info=True)
        return False
    return True


warm_from_environment()
