"""Known mistakes under the 2016-2017 contract: dropout's forward mistakes rebuilt for ``p`` = drop probability
(ids end in ``-p-drops``); dropout's backward and batch norm's mistakes are the 2018+ assignment's own entries
(imported: the same ids, the same mistakes)."""

from __future__ import annotations

from dnn_autograder.assignments.cs231n_layers.mistakes import (
    BATCHNORM_MISTAKES,
    DROPOUT_BACKWARD_MISTAKES,
    dropout_forward_mistakes,
)
from dnn_autograder.assignments.cs231n_layers_2017.properties import keep_probability_p_drops

__all__ = ["MISTAKES"]

MISTAKES = (
    dropout_forward_mistakes(keep_probability_p_drops, suffix="-p-drops",
                             meaning="p is the probability of dropping a unit (2016-2017 templates)")
    + DROPOUT_BACKWARD_MISTAKES + BATCHNORM_MISTAKES
)
