"""Code that runs inside the sandbox worker and its children.

Standalone by design: nothing here imports ``grader`` (or anything but numpy and the stdlib),
because the worker is started as ``python -s -S -P boot.py`` and loads this folder by path as the
package ``_sandbox_child``. The parent imports only :mod:`.wire` from here.
"""
