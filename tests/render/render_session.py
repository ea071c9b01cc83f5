"""The figure tests' in-process session: :mod:`tests/grader/inprocess.py`'s, made from one source.

It runs source code the tests wrote themselves (never student code); ``calls`` counts the calls
the figures made.
"""

from __future__ import annotations

import sys
from pathlib import Path

_GRADER_TESTS = str(Path(__file__).resolve().parent.parent / "grader")
if _GRADER_TESTS not in sys.path:
    sys.path.insert(0, _GRADER_TESTS)

from inprocess import InProcessSession, session_of  # noqa: E402


class LocalSession(InProcessSession):
    """Executes ``source`` in a fresh namespace (``np`` predefined); counts the calls it answers."""

    def __init__(self, source: str) -> None:
        super().__init__(session_of(source).namespace)
