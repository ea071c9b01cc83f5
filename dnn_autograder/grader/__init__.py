"""The autograder for the 'improving deep neural networks' exercises.

``grade_submission`` (in :mod:`dnn_autograder.grader.grading.pipeline`) and ``grade_batch`` (in
:mod:`dnn_autograder.grader.classes.batch`, a class) are the library's entry points; the ``grade`` command is a
thin layer over them.
"""

import os as _os

# One BLAS thread: the arrays graded here are small, and OpenBLAS's thread pool costs far more
# than it saves on a busy 2-core machine (and inflates the sandbox's virtual memory).
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    _os.environ.setdefault(_name, "1")

__version__ = "0.1.0"
