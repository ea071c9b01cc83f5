from __future__ import annotations

from collections.abc import Iterator

import pytest

from grader.sandbox import Limits, Sandbox


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(Limits()) as box:
        yield box
