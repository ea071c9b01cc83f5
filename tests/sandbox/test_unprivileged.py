"""The hostile-code tests again, as the unprivileged user nobody (when this run is root).

CI running as root gets this for free; ``tests/sandbox/run_unprivileged.sh`` runs the whole
sandbox suite that way.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys

import pytest

from .support import HERE, REPO


def _why_not() -> str | None:
    if os.geteuid() != 0:
        return "only a root run can switch to nobody (this run already is unprivileged)"
    if shutil.which("setpriv") is None or shutil.which("unshare") is None:
        return "needs util-linux's setpriv and unshare"
    try:
        pwd.getpwnam("nobody")
    except KeyError:
        return "needs a user named nobody"
    for folder in (REPO, *REPO.parents):  # nobody must be able to reach the checkout
        if not os.stat(folder).st_mode & 0o001:
            return f"the user nobody cannot enter {folder} (mode {os.stat(folder).st_mode & 0o777:o})"
    probe = subprocess.run(["unshare", "--mount", "true"], capture_output=True)
    if probe.returncode != 0:
        return "cannot make a mount namespace here (no CAP_SYS_ADMIN in this container)"
    return None


def test_hostile_tests_pass_as_nobody() -> None:
    reason = _why_not()
    if reason:
        pytest.skip(reason)
    result = subprocess.run(
        [str(HERE / "run_unprivileged.sh"), "tests/sandbox/test_hostile.py",
         "tests/sandbox/test_kernel_layers.py", "tests/sandbox/test_hostile_files.py",
         "tests/sandbox/test_memory_bounds.py", "tests/sandbox/test_tamper.py", "-x", "-q"],
        cwd=REPO, env={**os.environ, "PYTHON": sys.executable}, capture_output=True, text=True,
        timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
