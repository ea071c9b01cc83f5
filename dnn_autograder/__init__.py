"""dnn-autograder: one installed package, so nothing it ships collides with a course's own modules.

- :mod:`dnn_autograder.grader`: the engine (extract, cases, sandbox, compare, diagnose, outputs).
- :mod:`dnn_autograder.reference`: the answer key, pure NumPy.
- :mod:`dnn_autograder.assignments`: one folder per assignment (the plug-ins).
- :mod:`dnn_autograder.course_helpers`: the course's helper modules, loaded by the sandbox.
- :mod:`dnn_autograder.templates`: the Jinja2 templates of the reports.
"""
