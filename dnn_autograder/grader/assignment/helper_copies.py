"""Recognise a submission's copies of the course's helper modules, which are not graded.

Learners hand in their whole working folder: next to the graded file sit the course's own helper
modules (``reg_utils.py``, or a package such as ``common/functions.py``), which define functions
that graded names may share (``sigmoid``, ``softmax``). The grader provides its own version of
each of them to the submission's imports (``course_helpers.COURSE_MODULES``), so such a copy is
left out, with the reason, instead of being recognised and graded as an assignment.
"""

from __future__ import annotations

from pathlib import PurePosixPath


def course_module_names() -> frozenset[str]:
    """The course's module names the grader provides (``COURSE_MODULES`` keys) whose copies in
    a submission are left out: all but ``GRADED_COURSE_MODULES`` (modules learners write
    themselves, graded when handed in)."""
    from dnn_autograder.course_helpers import COURSE_MODULES, GRADED_COURSE_MODULES

    return frozenset(COURSE_MODULES) - frozenset(GRADED_COURSE_MODULES)


def helper_copy(name: str, modules: frozenset[str] | None = None) -> str | None:
    """The course module that the submission file ``name`` (its path inside the submission, such
    as ``ch06/common/functions.py``) is a copy of, or None. A ``.py`` file is a copy when its path
    read as a dotted module name is a course module or ends with one (``x.common.functions``);
    notebooks never are."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.suffix != ".py":
        return None
    dotted = ".".join([*path.parent.parts, path.stem]) if path.parent.parts else path.stem
    for module in modules if modules is not None else course_module_names():
        if dotted == module or dotted.endswith("." + module):
            return module
    return None


def helper_copy_reason(module: str) -> str:
    """Why a copy of ``module`` is left out."""
    return f"a copy of the course module {module}: the grader provides its own, nothing to grade"
