"""A fake grading engine for the self-check tests: it "grades" the bank's notebooks and the
mutant submissions by what they are, so the self-check's plumbing and verdicts can be tested
without the sandbox.

- a mutant submission (``# selfcheck mutant: <assignment> <function> <id>``): that function
  fails with the id diagnosed, unless the id contains ``slips-through`` (then full marks);
- a starter notebook: every function raises (score 0);
- a master notebook: full marks, unless it contains ``BROKEN-SOLUTION`` (the first function
  then fails).
"""

from __future__ import annotations

import re
from pathlib import Path

from dnn_autograder.grader.assignment.spec import load_assignment
from dnn_autograder.grader.model import AssignmentResult, FunctionResult, SubmissionResult

_MUTANT = re.compile(r"# selfcheck mutant: (\S+) (\S+) (\S+)")


class Engine:
    @staticmethod
    def spec_digests(assignment: str | None) -> dict[str, str]:
        return {}

    def grade(self, task) -> SubmissionResult:
        path = Path(task.path)
        text = path.read_text(encoding="utf-8")
        mutant = _MUTANT.search(text)
        name = mutant.group(1) if mutant else task.assignment or path.parent.name
        spec = load_assignment(name)
        functions = []
        for index, fspec in enumerate(spec.functions):
            passed = True
            diagnoses: tuple[str, ...] = ()
            if mutant and fspec.name == mutant.group(2) and "slips-through" not in mutant.group(3):
                passed, diagnoses = False, (mutant.group(3),)
            elif path.name == "starter.ipynb":
                passed = False
            elif "BROKEN-SOLUTION" in text and index == 0:
                passed = False
            status = "passed" if passed else ("error" if path.name == "starter.ipynb" else "failed")
            functions.append(FunctionResult(fspec.name, fspec.points if passed else 0.0,
                                            fspec.points, status, diagnoses=diagnoses))
        score = sum(f.score for f in functions)
        assignment = AssignmentResult(spec.name, spec.title, score, spec.max_score,
                                      tuple(functions))
        return SubmissionResult(str(path), score, spec.max_score, (assignment,),
                                student=task.student, graded_at="now")

    def close(self) -> None:
        pass
