"""Cases of the 2016-2017 template: the same scripts as the 2018+ assignment (imported, not copied).

Every dropout ``p`` of those cases lies strictly between 0 and 1 and is never 0.5, so it is a valid drop
probability too, and reading it as the keep probability gives another kept fraction.
"""

from __future__ import annotations

from dnn_autograder.assignments.cs231n_layers.cases import (
    EDGE_CASES as _ALL_EDGE_CASES,
)
from dnn_autograder.assignments.cs231n_layers.cases import (
    batchnorm_backward_alt_cases,
    batchnorm_backward_cases,
    batchnorm_forward_cases,
    dropout_backward_cases,
    dropout_forward_cases,
)

__all__ = [
    "EDGE_CASES",
    "batchnorm_backward_alt_cases",
    "batchnorm_backward_cases",
    "batchnorm_forward_cases",
    "dropout_backward_cases",
    "dropout_forward_cases",
]

#: the 2016-2017 layers.py has no layer normalization
EDGE_CASES = {unit: cases for unit, cases in _ALL_EDGE_CASES.items() if not unit.startswith("layernorm")}
