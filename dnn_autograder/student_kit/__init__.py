"""The student kit: the self-check a handout ships as ``selfcheck.py``.

:mod:`dnn_autograder.student_kit.selfcheck` needs only the standard library and NumPy. It reads
``selfcheck_data.json`` beside it (public cases, their expected outputs, and the outputs of the
catalogued mistakes on them, all written by ``grade release``) and never holds the reference.
"""
