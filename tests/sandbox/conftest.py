"""Fixtures for the sandbox tests: sandboxes with short limits (one per set of layers), and
``world``, which checks after each test that nothing escaped."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from dnn_autograder.grader.sandbox import Sandbox

from .support import BARE, KERNEL_ONLY, World, open_sandbox


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    with open_sandbox() as box:
        yield box


@pytest.fixture(scope="session")
def kernel_sandbox() -> Iterator[Sandbox]:
    with open_sandbox(disable=KERNEL_ONLY) as box:
        yield box


@pytest.fixture(scope="session")
def bare_sandbox() -> Iterator[Sandbox]:
    with open_sandbox(disable=BARE) as box:
        yield box


@pytest.fixture
def world(tmp_path_factory: pytest.TempPathFactory, sandbox: Sandbox,
          kernel_sandbox: Sandbox, bare_sandbox: Sandbox) -> Iterator[World]:
    sentinel = Path("/tmp") / f"dnn_sandbox_sentinel_{os.getpid()}.txt"
    state = World(sentinel)
    yield state
    try:
        state.check(sandbox)
    finally:
        sentinel.unlink(missing_ok=True)
