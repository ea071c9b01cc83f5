"""Grading a class at once: the batch and its backends, the gradebook, roster and adjustments."""
