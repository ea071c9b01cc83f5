"""The batch's fork server warms the grading engine when it imports this module (its only hook).

The fork server of :func:`dnn_autograder.grader.classes.forkserver_start.worker_context` runs
nothing but the imports of its preload list before it forks the first worker; this module comes
last in that list. Importing it reads ``[engine, assignment]`` (JSON) from :data:`VARIABLE`,
which the batch sets only while it starts the fork server, imports the modules the engine class
lists in its ``PRELOAD`` (here rather than in the preload list, so that the process starting the
fork server need not import the engine to read it) and calls the engine class's optional
``warm(assignment)`` (``assignment`` None: not known), so every worker forked afterwards starts
with those modules and what that computed instead of doing it on its first student. Both are best
effort: a module that cannot be imported, or a warm that fails, leaves the work to each worker,
with the same results. Imported anywhere the variable is not set, it does nothing.

Once warmed, every object the fork server holds is moved out of the garbage collector's reach
(``gc.freeze``, what the ``gc`` documentation advises before forking): a worker's full
collections then walk only the objects it made itself, not the imported modules and caches it
shares with the others (which no collection would free: they stay referenced), and its pages of
those objects are not written by the collector's bookkeeping. Results do not change: the
collector only ever frees unreachable cycles.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import logging
import os

VARIABLE = "DNN_AUTOGRADER_FORKSERVER_WARM"

log = logging.getLogger(__name__)


def warm_from_environment() -> bool:
    """Import the ``PRELOAD`` modules of the engine named in :data:`VARIABLE` (removed from the
    environment, so the workers do not inherit it) and call its ``warm``; whether that ran to
    its end."""
    value = os.environ.pop(VARIABLE, None)
    if not value:
        return False
    try:
        engine, assignment = json.loads(value)
        from dnn_autograder.grader.classes.batch import engine_class

        engine_type = engine_class(engine)
        for module in getattr(engine_type, "PRELOAD", ()):
            with contextlib.suppress(ImportError):  # as the fork server's own preload does
                importlib.import_module(module)
        warm = getattr(engine_type, "warm", None)
        if not callable(warm):
            return False
        warm(assignment)
    except Exception:  # noqa: BLE001 - never stop the fork server: the workers warm themselves
        log.debug("the fork server could not warm the engine", exc_info=True)
        return False
    finally:
        gc.freeze()  # what the workers inherit stays out of their collections (see the module doc)
    return True


warm_from_environment()
