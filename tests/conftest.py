"""Fixtures shared by every test folder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dnn_autograder.grader.sandbox import Limits, Sandbox


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    """One warm sandbox per test module, as a grading process would use (closed at the end of the
    module, so the sandbox tests that count processes see none of it)."""
    with Sandbox(Limits()) as box:
        yield box
