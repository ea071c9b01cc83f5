"""Remembers which process imported it: a worker forked from a fork server that preloaded it
sees the fork server's pid, not its own."""

from __future__ import annotations

import os

IMPORTED_IN = os.getpid()
