"""Exports of grading results: files other tools read.

- :mod:`dnn_autograder.grader.outputs.exports.csv_export`: ``grades.csv`` (long: student, assignment, score, max_score)
  and ``grades_wide.csv`` (one column per assignment).
- :mod:`dnn_autograder.grader.outputs.exports.gradescope`: Gradescope's autograder ``results.json``.
- :mod:`dnn_autograder.grader.outputs.exports.junit`: JUnit XML, for CI test-report viewers.
- :mod:`dnn_autograder.grader.outputs.exports.class_outputs`: the per-student folders and ``summary.html`` of a batch.
- :mod:`dnn_autograder.grader.outputs.exports.from_json`: a results JSON object back into a ``SubmissionResult``.

Every writer writes atomically (:func:`dnn_autograder.grader.outputs.exports.files.write_text_atomic`), so a reader
never sees half a file, and cleans hostile text (:mod:`dnn_autograder.grader.outputs.exports.text`).
"""
