"""Grades as JUnit XML, the format CI test-report viewers read.

``<testsuites>`` holds one ``<testsuite name="<student>/<assignment>">`` per graded assignment
of each student, with one ``<testcase classname="<student>.<assignment>" name="<function>">``
per graded function: a failed function holds ``<failure>``, one that raised or timed out holds
``<error>``, and a missing one ``<failure type="missing">`` (it costs its points, so it is not
a neutral skip). A submission that could not be graded at all is a suite named after the
student with one ``submission`` test case in error. Counts (``tests``, ``failures``,
``errors``, ``skipped``) and ``time`` add up at every level; all text is cleaned of characters
XML cannot hold.

In ``classname`` the student part is the student id with every run of characters other than
letters, digits, ``_`` and ``-`` replaced by ``_`` (:func:`class_part`): CI viewers split class
names at dots into a tree, so ``bob.v2`` would otherwise become two levels.
"""

from __future__ import annotations

import io
import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from dnn_autograder.grader.model import AssignmentResult, FunctionResult, SubmissionResult
from dnn_autograder.grader.outputs.exports.csv_export import student_of
from dnn_autograder.grader.outputs.exports.files import write_atomic
from dnn_autograder.grader.outputs.exports.gradescope import function_output
from dnn_autograder.grader.outputs.exports.text import xml_text

if TYPE_CHECKING:
    from dnn_autograder.grader.classes.finals import FinalGrade

_COUNTS = ("tests", "failures", "errors", "skipped")
_MARK = "suites-go-here"  #: a placeholder element while the document is assembled
_NOT_CLASS_CHARS = re.compile(r"[^\w-]+")


def junit_tree(results: Iterable[SubmissionResult], *, name: str = "grade",
               finals: Mapping[tuple[str, str], FinalGrade] | None = None) -> ET.ElementTree:
    """The JUnit document for ``results`` (see the module doc)."""
    root = ET.Element("testsuites", name=xml_text(name))
    for result in results:
        root.extend(_suites(result, finals))
    _total(root, root.findall("testsuite"))
    ET.indent(root)
    return ET.ElementTree(root)


def _suites(result: SubmissionResult, finals: Mapping[tuple[str, str], FinalGrade] | None) -> list[ET.Element]:
    """The suites of one student: one per graded assignment, or the "not graded" one."""
    student = xml_text(student_of(result))
    suites = [] if result.assignments else [_unreadable_suite(student, result)]
    for assignment in result.assignments:
        suite = _suite(student, assignment, result.graded_at)
        if finals is not None:
            _final_properties(suite, assignment, finals.get((student_of(result), assignment.assignment)))
        suites.append(suite)
    return suites


def write_junit(
    path: str | Path, results: Iterable[SubmissionResult], *, name: str = "grade",
    finals: Mapping[tuple[str, str], FinalGrade] | None = None,
) -> None:
    """Write the JUnit XML of ``results`` to ``path`` (UTF-8, atomically): the bytes of
    :func:`junit_tree`, made one student at a time (each student's suites are written to a
    spool file as they are made, the totals added up, then the document assembled), so a class
    of thousands is never one tree in memory and ``results`` is read once."""
    counts = dict.fromkeys(_COUNTS, 0)
    seconds = 0.0
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        for result in results:
            for suite in _suites(result, finals):
                ET.indent(suite, level=1)  # as ET.indent(root) indents a child of the root
                for key in _COUNTS:
                    counts[key] += int(suite.get(key, "0"))
                seconds += float(suite.get("time", "0"))
                spool.write("\n  " + ET.tostring(suite, encoding="unicode"))
        root = ET.Element("testsuites", name=xml_text(name))
        for key, value in counts.items():
            root.set(key, str(value))
        root.set("time", _seconds(seconds))
        if spool.tell() == 0:  # no suite: an empty, self-closed root
            write_atomic(path, lambda stream: ET.ElementTree(root).write(
                stream, encoding="unicode", xml_declaration=True))
            return
        ET.SubElement(root, _MARK).tail = "\n"
        frame = io.StringIO()
        ET.ElementTree(root).write(frame, encoding="unicode", xml_declaration=True)
        head, tail = frame.getvalue().split(f"<{_MARK} />")

        def write(stream: TextIO) -> None:
            stream.write(head)
            spool.seek(0)
            shutil.copyfileobj(spool, stream)
            stream.write(tail)

        write_atomic(path, write)


def _suite(student: str, assignment: AssignmentResult, timestamp: str) -> ET.Element:
    name = xml_text(assignment.assignment)
    suite = ET.Element("testsuite", name=f"{student}/{name}")
    if timestamp:
        suite.set("timestamp", xml_text(timestamp))
    properties = ET.SubElement(suite, "properties")
    for key, value in (("score", assignment.score), ("max_score", assignment.max_score)):
        ET.SubElement(properties, "property", name=key, value=f"{value:g}")
    for function in assignment.functions:
        suite.append(_case(f"{class_part(student)}.{class_part(name)}", function, assignment.assignment))
    _total(suite, suite.findall("testcase"))
    return suite


def _final_properties(suite: ET.Element, assignment: AssignmentResult, grade: FinalGrade | None) -> None:
    """``final_score`` (the autograded score without a final grade), then ``override`` and
    ``penalty`` when present, added to a suite's properties."""
    properties = suite.find("properties")
    if properties is None:
        return
    if grade is None:
        final = f"{assignment.score:g}"
    else:
        final = "EX" if grade.excused or grade.final_score is None else f"{grade.final_score:g}"
    ET.SubElement(properties, "property", name="final_score", value=final)
    if grade is not None and grade.override is not None:
        ET.SubElement(properties, "property", name="override", value=f"{grade.override:g}")
    if grade is not None and grade.penalty:
        ET.SubElement(properties, "property", name="penalty", value=f"{grade.penalty:g}")


def _case(classname: str, function: FunctionResult, assignment: str) -> ET.Element:
    case = ET.Element("testcase", classname=classname, name=xml_text(function.name),
                      time=_seconds(function.duration_s))
    if function.status == "missing":
        detail = ET.SubElement(case, "failure", message=xml_text(_first_line(function)), type="missing")
        detail.text = xml_text(function_output(function, assignment))
    elif function.status in ("failed", "error"):
        tag = "failure" if function.status == "failed" else "error"
        detail = ET.SubElement(case, tag, message=xml_text(_first_line(function)),
                               type=xml_text(",".join(function.diagnoses) or function.status))
        detail.text = xml_text(function_output(function, assignment))
    if function.output:
        ET.SubElement(case, "system-out").text = xml_text(function.output)
    return case


def _unreadable_suite(student: str, result: SubmissionResult) -> ET.Element:
    suite = ET.Element("testsuite", name=student)
    case = ET.SubElement(suite, "testcase", classname=class_part(student), name="submission",
                         time=_seconds(result.duration_s))
    reason = xml_text(result.error or "nothing could be graded")
    ET.SubElement(case, "error", message=reason, type="not-graded").text = reason
    _total(suite, [case])
    return suite


def class_part(text: str) -> str:
    """``text`` as one level of a JUnit class name: runs of anything but letters, digits, ``_``
    and ``-`` (dots, spaces, slashes) become ``_``."""
    return _NOT_CLASS_CHARS.sub("_", text).strip("_") or "_"


def _total(parent: ET.Element, children: Sequence[ET.Element]) -> None:
    """Set ``tests failures errors skipped time`` of ``parent`` from its suites or cases."""
    counts = dict.fromkeys(_COUNTS, 0)
    seconds = 0.0
    for child in children:
        seconds += float(child.get("time", "0"))
        if child.tag == "testcase":
            counts["tests"] += 1
            counts["failures"] += child.find("failure") is not None
            counts["errors"] += child.find("error") is not None
            counts["skipped"] += child.find("skipped") is not None
        else:
            for key in _COUNTS:
                counts[key] += int(child.get(key, "0"))
    for key, value in counts.items():
        parent.set(key, str(value))
    parent.set("time", _seconds(seconds))


def _first_line(function: FunctionResult) -> str:
    text = function.message.strip().splitlines()[0] if function.message.strip() else function.status
    return text[:200]


def _seconds(value: float) -> str:
    return f"{max(0.0, float(value)):.3f}"
