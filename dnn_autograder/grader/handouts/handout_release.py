"""``grade release``: write every assignment's handout folder, then check it, all or nothing.

For each master notebook: the starter (:func:`dnn_autograder.grader.handouts.release.build_starters`,
which refuses solution lines), the handout folder (:func:`dnn_autograder.grader.handouts.handout.write_handout`),
then :func:`dnn_autograder.grader.handouts.handout_leaks.handout_problems` on the written files. When any
handout has a problem, every handout written by this call is removed and :class:`ReleaseError`
lists the problems.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

from dnn_autograder.grader.assignment.spec import AssignmentSpec, load_assignment
from dnn_autograder.grader.handouts.handout import Handout, write_handout
from dnn_autograder.grader.handouts.handout_leaks import handout_problems
from dnn_autograder.grader.handouts.release import ReleaseError, build_starters, find_masters


def _spec_for(name: str, masters: list[Path]) -> AssignmentSpec:
    """The spec of assignment ``name``: the ``spec.toml`` beside its master when there is one
    (a copied bank given with ``--source``), else the installed bank's."""
    for master in masters:
        if master.parent.name == name and (master.parent / "spec.toml").is_file():
            return load_assignment(name, master.parent.parent.resolve())
    return load_assignment(name)


def release_handouts(source: Path | str | Iterable[Path | str], out_dir: Path | str) -> list[Handout]:
    """Write ``<out_dir>/<assignment>/`` for every master in ``source``; return the handouts.

    Raises:
        ReleaseError: a solution or reference line, or a hidden case's answer, would be handed
            out; nothing written by this call is left behind.
    """
    masters = find_masters(source)
    starters = build_starters(masters)
    handouts: list[Handout] = []
    problems: list[str] = []
    try:
        for name, starter in starters.items():
            spec = _spec_for(name, masters)
            handout = write_handout(spec, starter, out_dir)
            handouts.append(handout)
            problems += handout_problems(spec, handout.folder)
    except BaseException:
        _remove(handouts)
        raise
    if problems:
        _remove(handouts)
        raise ReleaseError("the handouts would leak:\n" + "\n".join(problems))
    return handouts


def _remove(handouts: Iterable[Handout]) -> None:
    for handout in handouts:
        shutil.rmtree(handout.folder, ignore_errors=True)
