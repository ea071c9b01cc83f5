"""CS231n assignment 2, ``cs231n/layers.py`` of the 2016-2017 templates (dropout's ``p`` drops a unit; no layer
norm). Cases and the shared catalogue come from :mod:`dnn_autograder.assignments.cs231n_layers` by import."""
