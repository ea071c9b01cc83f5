"""Issue 17, the child's audit hook lets the events it never refuses pass at once (``builtins.id``
is raised thousands of times a call by the grader's own checks), and still refuses every kind
it refused before. Runs in a throwaway interpreter: an audit hook cannot be removed."""

from __future__ import annotations

import json
import subprocess
import sys

from dnn_autograder.grader.sandbox.child import guard

_SCRIPT = """
import json, sys, tempfile
from dnn_autograder.grader.sandbox.child import guard
reports = []
guard.install_audit_hook(tempfile.mkdtemp(), guard.Violations(), lambda code, detail: reports.append(code))
out = []
for event, args in json.loads(sys.argv[1]):
    before, error = len(reports), None
    try:
        sys.audit(event, *args)
    except BaseException as exc:
        error = type(exc).__name__
    out.append([error, reports[before:]])
print(json.dumps(out))
"""

#: one event of each kind the hook refuses, with arguments it refuses
REFUSED = [("open", ["/etc/passwd", "r", 0]), ("os.system", ["true"]), ("socket.connect", [None, None]),
           ("os.kill", [1, 9]), ("os.remove", ["/etc/passwd"]), ("os.listdir", ["/etc"]),
           ("gc.get_objects", []), ("sys.settrace", []), ("import", ["dnn_autograder.grader"]),
           ("ctypes.dlopen", ["libc.so.6"]), ("sys._getframe", []), ("sys.addaudithook", [])]
#: events it never refused
PASSED = [("builtins.id", [1]), ("exec", [None]), ("compile", [None, None]), ("marshal.loads", [""]),
          ("import", ["json"]), ("object.__setattr__", [None, "x", 1])]


def test_refused_events_are_still_refused_and_the_others_pass() -> None:
    done = subprocess.run([sys.executable, "-c", _SCRIPT, json.dumps(REFUSED + PASSED)], capture_output=True,
                          text=True, timeout=60, check=True)
    outcome = json.loads(done.stdout)
    for (event, _), (error, reports) in zip(REFUSED, outcome[:len(REFUSED)], strict=True):
        assert error is not None and reports, (event, error, reports)
    for (event, _), result in zip(PASSED, outcome[len(REFUSED):], strict=True):
        assert result == [None, []], (event, result)


def test_every_event_the_check_names_is_checked() -> None:
    for name in ("_TAMPER", "_NETWORK", "_PROCESS", "_SIGNAL", "_WRITE", "_READ", "_INTROSPECT"):
        assert getattr(guard, name) <= guard.CHECKED_EVENTS, name
    assert {"open", "sys._getframe", "object.__getattr__", "object.__setattr__", "import",
            "sys.addaudithook"} <= guard.CHECKED_EVENTS
    assert "builtins.id" not in guard.CHECKED_EVENTS
