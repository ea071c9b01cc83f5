r"""Stand-in for the ``common`` package of *Deep Learning from Scratch* (``common/functions.py``,
``common/util.py``), registered as ``common``, ``common.functions`` and ``common.util``.

Only the modules a learner's ``common/optimizer.py`` or ``common/layers.py`` imports are here;
the graded classes themselves (``common.optimizer``, ``common.layers``) are the learner's. numpy
and the stdlib only: this package is loaded inside the grading sandbox.
"""

from . import functions, util

__all__ = ["functions", "util"]
