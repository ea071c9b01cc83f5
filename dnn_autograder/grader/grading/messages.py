"""The sentences a student reads: one paragraph per graded function.

A function's message is a complete paragraph (the JSON's ``message``): what happened, then, when
mistakes were recognised, each one's title and explanation (:func:`diagnosis_text`). Renderers that
show the recognised mistakes in a block of their own (the HTML report, Gradescope's text) print
:func:`lead` instead, so the explanation is said once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from dnn_autograder.grader.assignment.catalogue import Mistake
    from dnn_autograder.grader.grading.evaluate import CaseOutcome


class Explained(Protocol):
    """What the sentences need of a catalogue entry: its title and explanation."""

    @property
    def title(self) -> str: ...

    @property
    def explanation(self) -> str: ...


def diagnosis_text(mistakes: Iterable[Explained]) -> str:
    """The recognised mistakes as sentences: "Title. Explanation" for each."""
    return " ".join(f"{m.title}. {m.explanation}" for m in mistakes)


def lead(message: str, mistakes: Iterable[Explained]) -> str:
    """``message`` without the recognised mistakes' text that :func:`diagnosis_text` appended."""
    tail = diagnosis_text(mistakes)
    if tail and message.endswith(" " + tail):
        return message[: -len(tail) - 1]
    return message


def example_heading(status: str, named: bool) -> str:
    """What the example case shown with a function's result is: the case that raised, the case
    that shows a named mistake, or the smallest failing case found by shrinking."""
    if status == "error":
        return "The case that went wrong"
    return "A case that shows this mistake" if named else "Smallest failing case"


def passed_message(outcomes: Sequence[CaseOutcome]) -> str:
    by_properties = sum(1 for o in outcomes if o.how == "properties")
    text = f"Correct on all {len(outcomes)} test cases."
    if by_properties:
        text += (
            " Your random numbers differ from the course's seeding, which is allowed, so on"
            f" {by_properties} of them your result was checked against the properties any correct"
            " answer must have instead of the answer key's exact numbers."
        )
    return text


def missing_message(name: str) -> str:
    return (
        f"`{name}` is not defined in your submission. Check that the cell defining it is"
        " present, that the name is spelled exactly like this (a function's or a class's), and that"
        " it is defined at the top level of a cell (not inside another function, a class or an `if`)."
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
    text += _renamed_keyword_hint(record.error_type, record.message)
    # the case (its label, inputs, expected result) is shown with the message: not named here
    if diagnoses:
        text += " On the cases where it returned, the result was wrong too. " + diagnosis_text(diagnoses)
    return text


_UNEXPECTED_KEYWORD = re.compile(r"got an unexpected keyword argument '(\w+)'")


def _renamed_keyword_hint(error_type: str | None, message: str | None) -> str:
    """For a call refused because of a keyword name: the grader's calls use the assignment's own
    keyword names (its API), so a parameter renamed in the submission breaks them."""
    found = _UNEXPECTED_KEYWORD.search(message or "") if error_type == "TypeError" else None
    if found is None:
        return ""
    keyword = found.group(1)
    return (f" The grader calls your code the way the assignment's own code does, with the keyword"
            f" `{keyword}=`; your definition names that parameter differently, so every such call fails."
            f" Name the parameter `{keyword}`.")


def failed_message(
    name: str, failing: Sequence[CaseOutcome], total: int, shown: CaseOutcome, diagnoses: Sequence[Mistake]
) -> str:
    count = f"Wrong result on {len(failing)} of {total} test cases."
    if diagnoses:
        return count + " " + diagnosis_text(diagnoses)
    first = shown.mismatches[0] if shown.mismatches else None
    if first is None:
        return count
    if first.kind in ("mutated", "aliased") or (first.kind == "type" and first.where.endswith("result")):
        return f"{count} {first.summary[0].upper()}{first.summary[1:]}."
    if first.kind == "property":
        return f"{count} {first.summary}."
    # the numbers of the difference are shown with the case itself: not repeated here
    return (
        f"{count} On the smallest failing case, `{first.where}` is wrong."
        " Compare your formula with the one in the notebook on this case."
    )
