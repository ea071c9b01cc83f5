"""The fork server, once warmed, moves what it holds out of the garbage collector's reach
(``gc.freeze``) before it forks the workers; imported without its variable, it leaves the
collector alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

_PROBE = """
import gc, json, sys
sys.path.insert(0, {here!r})
before = gc.get_freeze_count()
import dnn_autograder.grader.classes.forkserver_warm as warm_module
import batch_fake_engine
print(json.dumps([before, gc.get_freeze_count(), batch_fake_engine.WARMED is not None,
                  warm_module.VARIABLE in __import__("os").environ]))
"""


def _probe(variable: str | None) -> list:
    env = {k: v for k, v in os.environ.items() if k != "DNN_AUTOGRADER_FORKSERVER_WARM"}
    if variable is not None:
        env["DNN_AUTOGRADER_FORKSERVER_WARM"] = variable
    done = subprocess.run([sys.executable, "-c", _PROBE.format(here=str(HERE))], env=env, capture_output=True,
                          text=True, timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("engine", ["batch_fake_engine:WarmingEngine", "batch_fake_engine:FailingWarmEngine"])
def test_a_warmed_fork_server_freezes_what_it_holds(engine: str) -> None:
    before, after, warmed, left = _probe(json.dumps([engine, "optimization"]))
    assert before == 0 and after > 1000  # the modules and what the warm made
    assert warmed and not left


def test_without_its_variable_nothing_is_frozen() -> None:
    before, after, warmed, left = _probe(None)
    assert before == after == 0 and not warmed and not left
