"""Draw a case strategy's examples reproducibly (the case bank's and the suites' one way to draw).

Below both :mod:`dnn_autograder.grader.assignment.casebank` (which stores the drawn cases) and
:mod:`dnn_autograder.grader.grading.suite` (which computes their expected outputs), so neither imports the
other to draw.
"""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis.strategies import SearchStrategy

from dnn_autograder.grader.model import Case


def draw_cases(strategy: SearchStrategy[Case], count: int, *, seed: int) -> tuple[Case, ...]:
    """``count`` examples of ``strategy``, identical in every process and on every machine
    running the same Hypothesis version (fixed seed, generate phase only, no database)."""
    drawn: list[Case] = []

    @hypothesis_seed(seed)
    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(case: Case) -> None:
        drawn.append(case)

    collect()
    return tuple(drawn)
