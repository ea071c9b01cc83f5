"""An in-process session that follows the sandbox's rule for children (tests' own sources only).

:class:`ChildLikeSession` is :class:`render_session.LocalSession` with ``one_child``: the calls of
one group share the namespace, and a call of another group starts from the source afresh, as
the sandbox starts a fresh child; ``children`` counts the namespaces made.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from render_session import LocalSession  # puts tests/grader on the path  # isort: skip
from inprocess import session_of  # isort: skip


class ChildLikeSession(LocalSession):
    def __init__(self, source: str) -> None:
        super().__init__(source)
        self.source = source
        self.children = 1
        self.groups: list[str] = []  #: the group of each call or script, in order
        self._group: str | None = None
        self._last: str | None = None

    @contextmanager
    def one_child(self, group: str) -> Iterator[None]:
        previous, self._group = self._group, group
        try:
            yield
        finally:
            self._group = previous

    def _invoke(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if self._last is not None and self._group != self._last:
            self.namespace = session_of(self.source).namespace
            self.children += 1
        self._last = self._group
        self.groups.append(str(self._group))
        return super()._invoke(*args, **kwargs)
