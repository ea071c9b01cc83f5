"""Dropout's defining properties under the 2016-2017 contract: ``p`` drops a unit, so the keep probability is
``1 - p`` (the checks themselves are :mod:`dnn_autograder.assignments.cs231n_layers.properties`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dnn_autograder.assignments.cs231n_layers.properties import dropout_checks

__all__ = ["check_dropout_backward", "check_dropout_forward", "keep_probability_p_drops"]


def keep_probability_p_drops(dropout_param: Mapping[str, Any]) -> float:
    """The keep probability of the 2016-2017 templates: ``1 - p``."""
    return 1.0 - float(dropout_param["p"])


check_dropout_forward, check_dropout_backward = dropout_checks(keep_probability_p_drops)
