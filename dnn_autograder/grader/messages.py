"""The sentences a student reads: one paragraph per graded function."""

from __future__ import annotations

from collections.abc import Sequence

from dnn_autograder.grader.catalogue import Mistake
from dnn_autograder.grader.evaluate import CaseOutcome


def passed_message(outcomes: Sequence[CaseOutcome]) -> str:
    by_properties = sum(1 for o in outcomes if o.how == "properties")
    text = f"Correct on all {len(outcomes)} test cases."
    if by_properties:
        text += (
            f" {by_properties} of them were checked on their defining properties, because your"
            " random draws differ from the course's seeding (that is allowed)."
        )
    return text


def missing_message(name: str) -> str:
    return (
        f"`{name}` is not defined in your submission. Check that the cell defining it is"
        " present, that the function name is spelled exactly like this, and that it is defined"
        " at the top level of a cell (not inside another function or an `if`)."
    )


def broken_message(name: str, why: str) -> str:
    return f"`{name}` could not be graded: {why}. Fix the syntax error and submit again."


def error_message(name: str, outcome: CaseOutcome, diagnoses: Sequence[Mistake] = ()) -> str:
    record = outcome.record
    if record.error_type == "NotImplementedError":
        return (
            f"`{name}` is not implemented yet: it raised NotImplementedError (the starter's"
            " `raise NotImplementedError()` is still in place). Replace it with your code."
        )
    text = f"`{name}` {record.message}" if record.message else f"`{name}` failed ({record.outcome})."
    if not text.endswith("."):
        text += "."
    if outcome.case.label and outcome.case.label != "generated":
        text += f" This happened on the case \u201c{outcome.case.label}\u201d."
    if diagnoses:
        text += " On the cases where it returned, the result was wrong too: " + " ".join(
            f"{m.title}. {m.explanation}" for m in diagnoses)
    return text


def failed_message(
    name: str, failing: Sequence[CaseOutcome], total: int, shown: CaseOutcome, diagnoses: Sequence[Mistake]
) -> str:
    count = f"Wrong result on {len(failing)} of {total} test cases."
    if diagnoses:
        parts = [f"{m.title}. {m.explanation}" for m in diagnoses]
        return count + " " + " ".join(parts)
    first = shown.mismatches[0] if shown.mismatches else None
    if first is None:
        return count
    if first.kind in ("mutated", "aliased"):
        return f"{count} {first.summary[0].upper()}{first.summary[1:]}."
    if first.kind == "property":
        return f"{count} {first.summary}."
    return (
        f"{count} On the smallest failing case, `{first.where}` is wrong: {first.summary}."
        " Compare your formula with the one in the notebook on this case."
    )
