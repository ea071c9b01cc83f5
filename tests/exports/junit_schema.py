"""A structural check of JUnit XML, in the spirit of the common JUnit XSD (the Jenkins /
Ant schema): what CI test-report viewers rely on.

``junit_problems(root)`` lists every violation (empty: valid): ``<testsuites>`` holds
``<testsuite>`` elements, each with ``name``, non-negative integer ``tests``, ``failures``,
``errors``, ``skipped`` and a decimal ``time``, holding optional ``<properties>`` and
``<testcase>`` elements; a test case has ``classname``, ``name`` and ``time`` and at most one of
``<failure>``, ``<error>`` (each with a ``message``) or ``<skipped>``, plus optional
``<system-out>``/``<system-err>``. Counts must equal what the cases hold, and the root's must
be the sums of its suites'.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

COUNTS = ("tests", "failures", "errors", "skipped")
_DECIMAL = re.compile(r"^\d+(\.\d+)?$")
_CASE_CHILDREN = {"failure", "error", "skipped", "system-out", "system-err"}
_OUTCOMES = {"failure", "error", "skipped"}


def junit_problems(root: ET.Element) -> list[str]:
    problems: list[str] = []
    if root.tag != "testsuites":
        return [f"root is <{root.tag}>, not <testsuites>"]
    totals = dict.fromkeys(COUNTS, 0)
    for suite in root:
        if suite.tag != "testsuite":
            problems.append(f"<testsuites> holds <{suite.tag}>")
            continue
        problems += _suite_problems(suite)
        for key in COUNTS:
            totals[key] += int(suite.get(key, "0")) if suite.get(key, "").isdigit() else 0
    for key in COUNTS:
        if root.get(key) is not None and root.get(key) != str(totals[key]):
            problems.append(f"<testsuites {key}={root.get(key)}> but the suites add up to "
                            f"{totals[key]}")
    return problems


def _suite_problems(suite: ET.Element) -> list[str]:
    name = suite.get("name")
    problems = [] if name else ["a <testsuite> without a name"]
    for key in COUNTS:
        if not (suite.get(key) or "").isdigit():
            problems.append(f"suite {name}: {key}={suite.get(key)!r} is not a count")
    if not _DECIMAL.match(suite.get("time", "")):
        problems.append(f"suite {name}: time={suite.get('time')!r} is not a decimal")
    counted = dict.fromkeys(COUNTS, 0)
    for child in suite:
        if child.tag == "properties":
            problems += [f"suite {name}: <properties> holds <{p.tag}> or a nameless property"
                         for p in child if p.tag != "property" or not p.get("name")]
        elif child.tag == "testcase":
            problems += _case_problems(name, child)
            counted["tests"] += 1
            for tag, key in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
                counted[key] += child.find(tag) is not None
        elif child.tag not in ("system-out", "system-err"):
            problems.append(f"suite {name}: unexpected <{child.tag}>")
    for key in COUNTS:
        if (suite.get(key) or "").isdigit() and int(suite.get(key)) != counted[key]:
            problems.append(f"suite {name}: {key}={suite.get(key)} but it holds {counted[key]}")
    return problems


def _case_problems(suite: str | None, case: ET.Element) -> list[str]:
    where = f"suite {suite}, case {case.get('name')}"
    problems = [f"{where}: no {key}" for key in ("classname", "name") if not case.get(key)]
    if not _DECIMAL.match(case.get("time", "")):
        problems.append(f"{where}: time={case.get('time')!r} is not a decimal")
    outcomes = [child for child in case if child.tag in _OUTCOMES]
    if len(outcomes) > 1:
        problems.append(f"{where}: {len(outcomes)} outcomes")
    for child in case:
        if child.tag not in _CASE_CHILDREN:
            problems.append(f"{where}: unexpected <{child.tag}>")
        if child.tag in ("failure", "error") and child.get("message") is None:
            problems.append(f"{where}: <{child.tag}> without a message")
    return problems
