r"""Reference implementations (the answer key).

Every graded function keeps the exact name and signature of the course notebooks, so
``from reference import update_parameters_with_adam`` gives the answer to that exercise. The
course's helpers that the notebooks import (``sigmoid``, ``relu``, ``reg_utils.compute_cost``
and the ``gc_utils`` vector conversions) are re-exported from :mod:`course_helpers`.
"""

from __future__ import annotations

from dnn_autograder.course_helpers.common import relu, sigmoid
from dnn_autograder.course_helpers.gc_utils import (
    dictionary_to_vector,
    gradients_to_vector,
    vector_to_dictionary,
)
from dnn_autograder.course_helpers.reg_utils import compute_cost
from dnn_autograder.reference.adaptive import (
    initialize_adagrad,
    initialize_rmsprop,
    update_parameters_with_adagrad,
    update_parameters_with_nesterov,
    update_parameters_with_rmsprop,
)
from dnn_autograder.reference.dropout import (
    backward_propagation_with_dropout,
    dropout_mask,
    forward_propagation_with_dropout,
)
from dnn_autograder.reference.gradient_check import (
    GRADIENT_CHECK_THRESHOLD,
    backward_propagation,
    backward_propagation_n,
    forward_propagation,
    forward_propagation_n,
    gradient_check,
    gradient_check_n,
    relative_difference,
)
from dnn_autograder.reference.initialization import (
    initialize_parameters_he,
    initialize_parameters_random,
    initialize_parameters_xavier,
    initialize_parameters_zeros,
)
from dnn_autograder.reference.optimizers import (
    initialize_adam,
    initialize_velocity,
    random_mini_batches,
    schedule_lr_decay,
    update_lr,
    update_parameters_with_adam,
    update_parameters_with_gd,
    update_parameters_with_momentum,
)
from dnn_autograder.reference.regularization import (
    GRADIENT_KEYS,
    backward_propagation_with_regularization,
    compute_cost_with_regularization,
    l2_penalty,
)

__all__ = [
    # course helpers
    "sigmoid",
    "relu",
    "compute_cost",
    "dictionary_to_vector",
    "vector_to_dictionary",
    "gradients_to_vector",
    # initialization
    "initialize_parameters_zeros",
    "initialize_parameters_random",
    "initialize_parameters_he",
    "initialize_parameters_xavier",
    # regularization
    "GRADIENT_KEYS",
    "l2_penalty",
    "compute_cost_with_regularization",
    "backward_propagation_with_regularization",
    # dropout
    "dropout_mask",
    "forward_propagation_with_dropout",
    "backward_propagation_with_dropout",
    # gradient checking
    "GRADIENT_CHECK_THRESHOLD",
    "relative_difference",
    "forward_propagation",
    "backward_propagation",
    "gradient_check",
    "forward_propagation_n",
    "backward_propagation_n",
    "gradient_check_n",
    # optimizers
    "update_parameters_with_gd",
    "random_mini_batches",
    "initialize_velocity",
    "update_parameters_with_momentum",
    "initialize_adam",
    "update_parameters_with_adam",
    "update_lr",
    "schedule_lr_decay",
    "initialize_rmsprop",
    "update_parameters_with_rmsprop",
    "initialize_adagrad",
    "update_parameters_with_adagrad",
    "update_parameters_with_nesterov",
]
