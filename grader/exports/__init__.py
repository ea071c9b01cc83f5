"""Exports of grading results: files other tools read.

- :mod:`grader.exports.csv_export`: ``grades.csv`` (long: student, assignment, score, max_score)
  and ``grades_wide.csv`` (one column per assignment).
- :mod:`grader.exports.gradescope`: Gradescope's autograder ``results.json``.
- :mod:`grader.exports.junit`: JUnit XML, for CI test-report viewers.
- :mod:`grader.exports.class_outputs`: the per-student folders and ``summary.html`` of a batch.
- :mod:`grader.exports.from_json`: a results JSON object back into a ``SubmissionResult``.

Every writer writes atomically (:func:`grader.exports.files.write_text_atomic`), so a reader
never sees half a file, and cleans hostile text (:mod:`grader.exports.text`).
"""
