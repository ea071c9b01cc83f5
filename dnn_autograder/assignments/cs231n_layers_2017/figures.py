"""Pictures of the 2016-2017 template: the same as the 2018+ assignment's (batch norm does not change)."""

from __future__ import annotations

from dnn_autograder.assignments.cs231n_layers.figures import FIGURES

__all__ = ["FIGURES"]
