r"""Cases for the *Initialization* assignment: ``layers_dims`` lists, small and large.

Generated cases are small nets (at most 8 units a layer), so the counterexample a student sees
is short. The statistical checks of :mod:`properties` need many weights in one layer, so the
large nets are explicit edge cases and run for every student:

* ``[400, 300, 200, 1]``: 120,000 and 60,000 weights in the first two layers, with
  ``n_l != n_{l-1}`` (a fan-out mistake changes the scale by sqrt(4/3) and sqrt(3/2));
* ``[3000, 2, 1]``: 6,000 weights with a very wide input, where every scale mistake is far
  off (xavier by sqrt(1/2), fan-out by sqrt(1500), a missing square root by sqrt(1500)).

Each case carries a ``seed``: the grader calls ``np.random.seed(seed)`` in the child first, so
code that draws without seeding is still reproducible. The course's own seeding
(``np.random.seed(3)`` inside the initialiser) overrides it, as it should.
"""

from __future__ import annotations

from dnn_autograder.grader.assignment.strategies import layer_dims, seeds, st
from dnn_autograder.grader.model import Case

__all__ = [
    "EDGE_CASES",
    "STATISTICAL_DIMS",
    "initialize_parameters_he_cases",
    "initialize_parameters_random_cases",
    "initialize_parameters_zeros_cases",
]

#: The nets large enough for the weight-distribution checks (see :mod:`properties`).
STATISTICAL_DIMS = ([400, 300, 200, 1], [3000, 2, 1])


def _layers_dims_cases() -> st.SearchStrategy[Case]:
    """Small nets ``[n_0, ..., n_L]`` with 1 to 4 weight layers of 1 to 8 units, and a seed."""
    return st.builds(
        lambda dims, seed: Case({"layers_dims": dims}, seed=seed),
        layer_dims(min_layers=2, max_layers=5, min_units=1, max_units=8),
        seeds(),
    )


def initialize_parameters_zeros_cases() -> st.SearchStrategy[Case]:
    return _layers_dims_cases()


def initialize_parameters_random_cases() -> st.SearchStrategy[Case]:
    return _layers_dims_cases()


def initialize_parameters_he_cases() -> st.SearchStrategy[Case]:
    return _layers_dims_cases()


_SMALL_EDGES = (
    Case({"layers_dims": [3, 2, 1]}, label="edge: the notebook's net [3, 2, 1]"),
    Case({"layers_dims": [2, 4, 1]}, label="edge: the notebook's net [2, 4, 1]"),
    Case({"layers_dims": [5, 1]}, label="edge: a single-layer net [5, 1]"),
    Case({"layers_dims": [1, 1, 1, 1]}, label="edge: single-unit layers [1, 1, 1, 1]"),
    Case({"layers_dims": [2, 6, 3, 5, 1]}, label="edge: four weight layers [2, 6, 3, 5, 1]"),
)

_STATISTICAL_EDGES = tuple(
    Case({"layers_dims": list(dims)}, seed=17 + i,
         label=f"edge: a large net {list(dims)} (weight statistics)")
    for i, dims in enumerate(STATISTICAL_DIMS)
)

EDGE_CASES: dict[str, tuple[Case, ...]] = {
    "initialize_parameters_zeros": _SMALL_EDGES,
    "initialize_parameters_random": _SMALL_EDGES + _STATISTICAL_EDGES,
    "initialize_parameters_he": _SMALL_EDGES + _STATISTICAL_EDGES,
}
