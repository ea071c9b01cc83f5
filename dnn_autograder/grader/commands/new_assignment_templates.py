r"""The commented files ``grade new-assignment`` writes: one :class:`string.Template` per file (``$name``,
``$title`` and ``$function`` are filled in; ``$$`` is a literal dollar).

Each template is a working skeleton with one example graded function, ``$function``, and comments that say
what to replace. Until the author fills them in, ``grade selfcheck --assignment NAME`` fails and says what is
missing: the answer key first (the spec names ``dnn_autograder.reference.NAME``, which does not exist yet),
then the Notes of its docstring, the catalogue, the starter and the case bank.
"""

from __future__ import annotations

from string import Template

INIT = Template('"""The *$title* assignment (data only: see spec.toml, cases.py, mistakes.py)."""\n')

SPEC = Template('''\
# $title: one line on what the assignment grades.
# Every key is described in dnn_autograder/grader/assignment/spec.py (FunctionSpec) and docs/authoring.md.
name = "$name"
title = "$title"
# course helper module the notebooks import (a key of dnn_autograder.course_helpers.COURSE_MODULES), or ""
helper_module = ""
# seeds the drawn cases; any small integer not used by another assignment
case_seed = 0

[defaults]
cases = 30         # drawn cases per function (the edge cases of cases.py come on top)
rtol = 1e-6        # |yours - expected| <= atol + rtol * |expected|, elementwise
atol = 1e-9
timeout_s = 5

# One [[functions]] table per graded function, in the order of the notebook.
[[functions]]
name = "$function"
points = 1
returns = ["A"]    # names of the outputs: one name, or several for a tuple
# the answer key: write this function (numpydoc docstring with a Notes section) in
# dnn_autograder/reference/$name.py
reference = "dnn_autograder.reference.$name:$function"
# immutable = ["Z"]              # arguments the function must leave unchanged
# stand_ins = ["other_function"] # calls answered by the grader, so one bug costs once
# kind = "stochastic"            # exact agreement, else the property check named below
# properties = "check_$function"
''')

CASES = Template('''\
r"""Cases of the *$title* assignment.

For every graded function ``f`` of spec.toml: ``f_cases()``, a Hypothesis strategy of
:class:`~dnn_autograder.grader.model.Case` (``Case.args`` are passed positionally, in order), and its
hand-written edge cases in ``EDGE_CASES["f"]``, graded first. Keep arrays small: the smallest failing case is
shown to the student. Build from :mod:`dnn_autograder.grader.assignment.strategies` where it has what you need,
and take Hypothesis's ``st``, ``hnp``, ``composite`` (for ``@st.composite``) and ``assume`` from there too, never
from ``hypothesis``: they import Hypothesis when a strategy is first built, so grading on the case bank never does.

After every change, rewrite the case bank: ``python -m dnn_autograder.grader.assignment.casebank $name``.
"""

from __future__ import annotations

import numpy as np

from dnn_autograder.grader.model import Case
from dnn_autograder.grader.assignment.strategies import matrices, st

__all__ = ["EDGE_CASES", "${function}_cases"]


def ${function}_cases() -> st.SearchStrategy[Case]:
    """TODO: the inputs of $function (here: a small matrix ``Z``)."""
    shapes = st.tuples(st.integers(1, 4), st.integers(1, 4))
    return shapes.flatmap(lambda s: matrices(*s, min_value=-5.0, max_value=5.0)).map(lambda Z: Case({"Z": Z}))


#: Hand-written cases per graded function, each with a label saying what it probes ("edge: Z = 0").
EDGE_CASES: dict[str, tuple[Case, ...]] = {
    "$function": (
        Case({"Z": np.zeros((2, 3))}, label="edge: TODO say what this case probes"),
    ),
}
''')

MISTAKES = Template('''\
r"""Known mistakes in the *$title* exercises: ``MISTAKES``, the misconception catalogue.

Each :class:`~dnn_autograder.grader.assignment.catalogue.Mistake` has a stable id (never reused with another meaning),
the graded function, a one-line title, an explanation for the student (what the code did, why it is wrong,
the right formula), and a *mutant*: the mistake written with the reference's exact signature. The grader
names the mistake when the mutant reproduces the student's outputs on every failing case, and
``grade selfcheck`` checks that a submission with the mutant loses points and is diagnosed. Define mutants
with ``def`` (their source becomes a student submission), using numpy and plain helpers only.
"""

from __future__ import annotations

import numpy as np  # noqa: F401 - the mutants below use it

from dnn_autograder.grader.assignment.catalogue import Mistake

__all__ = ["MISTAKES"]


# --- mutants --------------------------------------------------------------------------------
# def _${function}_example_mistake(Z):
#     return ...  # the wrong formula a student writes


#: TODO: at least one entry per graded function; grade selfcheck fails until then.
MISTAKES: tuple[Mistake, ...] = (
    # Mistake(
    #     id="$name-example-mistake",
    #     function="$function",
    #     title="One line naming the mistake",
    #     explanation="What the code did, why it is wrong, and the right formula.",
    #     mutant=_${function}_example_mistake,
    # ),
)
''')

PROPERTIES = Template('''\
r"""Defining-property checks of the *$title* assignment (only for functions with ``kind = "stochastic"``).

A check ``check(inputs, outputs) -> tuple[str, ...]`` returns the messages of the properties the output
violates (empty when all hold). It is called when the output does not agree with the reference exactly, so
it is also how a function accepts more than one right answer. State in the docstring what the check tests
and, for a statistical test, with which probability it fails a correct function (at most 1e-6 per grade).
Delete this file when no function needs it.
"""

from __future__ import annotations

__all__: list[str] = []

# from collections.abc import Mapping
# from typing import Any
#
# def check_$function(inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> tuple[str, ...]:
#     """TODO: what a right answer must satisfy."""
#     return ()
''')

MASTER_INTRO = Template('''\
# $title

TODO: what the student learns here, with the formulas they implement.
''')

MASTER_IMPORTS = "import numpy as np"

MASTER_EXERCISE = Template('''\
## 1 - $function

**Exercise**: TODO: what to implement, with the formula.
''')

MASTER_FUNCTION = Template('''\
# GRADED FUNCTION: $function

def $function(Z):
    """
    TODO: one line on what it computes.

    Arguments:
    Z -- TODO

    Returns:
    A -- TODO
    """
    ### START CODE HERE ###
    A = Z  # TODO: the solution; `grade release` replaces these lines in the starter
    ### END CODE HERE ###

    return A
''')
