"""The data passed between the grading stages: frozen, JSON-serialisable dataclasses.

cases -> run -> compare -> diagnose -> score -> render. Values inside are plain Python and
NumPy data; :mod:`dnn_autograder.grader.outputs.results_json` turns a :class:`SubmissionResult` into the results JSON of
DESIGN.md section 2.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["passed", "failed", "error", "missing"]


@dataclass(frozen=True)
class Var:
    """A name in a script case: one of the case's inputs, or a name an earlier step bound."""

    name: str


@dataclass(frozen=True)
class Step:
    """One call of a script case (:class:`Case` ``steps``), written as the line of code it is.

    Attributes:
        call: a name the submission defines (a function, or a class to construct), or
            ``"var.method"``: a method of an object an earlier step bound (``"layer.backward"``).
        args: positional arguments, each a :class:`Var` or a plain constant.
        kwargs: keyword arguments, the same.
        returns: names bound to the returned value: one name binds it whole; several unpack a
            tuple or list of exactly that length (``next_w, config = adam(w, dw, config)``).
        compare: what is compared with the reference's run right after this step: names bound
            so far (a returned value, or an input the call updates in place, such as
            ``params``) or ``"var.attr"``, an attribute of an object (``"layer.dW"``).
        seed: ``np.random.seed(seed)`` (and ``random.seed``) right before this step, or None.
    """

    call: str
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    returns: tuple[str, ...] = ()
    compare: tuple[str, ...] = ()
    seed: int | None = None


@dataclass(frozen=True)
class Case:
    """One set of inputs for a graded function.

    Attributes:
        args: argument name -> value, passed positionally in this order. Arguments with a
            default that the case does not vary are left out, so signatures that differ only
            in trailing optional arguments (``print_msg``) are called the same way.
        world: which helper world answers the function's stand-ins (``cases.WORLDS`` key);
            empty for functions without stand-ins.
        seed: ``np.random.seed(seed)`` is called in the child before the function runs, so
            code that draws without seeding is still deterministic.
        label: where the case comes from ("edge: keep_prob = 1", "generated").
        steps: empty for a function called once with ``args``; else the case is a *script*:
            these calls run in order in one namespace that starts as ``args`` (each input is
            one object, so an update in place is seen by the next step), and what each step
            ``compare``-s is the case's output, named by :func:`script_output`.
    """

    args: Mapping[str, Any]
    world: str = ""
    seed: int | None = 0
    label: str = "generated"
    steps: tuple[Step, ...] = ()


def script_output(step: int, name: str) -> str:
    """The output name of ``name`` compared after step ``step`` (0-based) of a script case."""
    return f"step {step + 1}: {name}"


@dataclass(frozen=True)
class Mismatch:
    """One labelled difference between the student's output and the expected one.

    ``where`` is a path such as ``parameters["W2"]``; ``kind`` is one of ``type``, ``shape``,
    ``value``, ``missing``, ``mutated``, ``property``; ``rows`` hold up to a few
    ``(index, yours, expected)`` triples as display strings.
    """

    where: str
    kind: str
    summary: str
    rows: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class Counterexample:
    """The smallest failing case found, with what was expected and what the student returned
    (plain data: arrays stay NumPy arrays here and become nested lists in the JSON)."""

    inputs: Mapping[str, Any]
    expected: Mapping[str, Any]
    got: Mapping[str, Any]
    mismatches: tuple[Mismatch, ...] = ()
    label: str = ""
    #: the course's names for tuple items, ``{path pattern: names}`` (``FunctionSpec.item_names``),
    #: so a report labels ``cache[2]`` as ``A1 (in cache)`` (:mod:`dnn_autograder.grader.grading.labels`)
    item_names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: the case is a hidden one (not in the student handout's public cases); what a report shows
    #: of it follows the spec's ``reveal`` choice (:mod:`dnn_autograder.grader.grading.reveal`)
    hidden: bool = False
    #: a script case: its calls as lines of code; ``expected``/``got`` then hold the outputs of
    #: the first step where the student's run differs (``step``, 1-based; 0 when none)
    script: tuple[str, ...] = ()
    step: int = 0


@dataclass(frozen=True)
class FunctionResult:
    """The grade of one graded function."""

    name: str
    score: float
    max_score: float
    status: Status
    diagnoses: tuple[str, ...] = ()
    message: str = ""
    counterexample: Counterexample | None = None
    cases_run: int = 0
    cases_passed: int = 0
    duration_s: float = 0.0
    output: str = ""
    traceback: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()  #: named checks that were run (e.g. "course seeding", "weight scale")


@dataclass(frozen=True)
class IgnoredFile:
    """A file or folder of a submission that was not graded, and why (``file`` is its name
    relative to the submission, cleaned for display)."""

    file: str
    reason: str


@dataclass(frozen=True)
class AssignmentResult:
    """The grade of one assignment within one submission file."""

    assignment: str
    title: str
    score: float
    max_score: float
    functions: tuple[FunctionResult, ...]
    source: str = ""  #: the submission file graded for this assignment
    notes: tuple[str, ...] = ()  #: skipped cells, recognised-by, load problems
    #: plain data for the report's pictures, computed from the student's own functions in the
    #: sandbox (``dnn_autograder.grader.grading.figures``): ``{figure name: data}``
    figures: Mapping[str, Any] = field(default_factory=dict)
    #: other files of the submission holding this assignment, not graded (``source`` was)
    ignored: tuple[IgnoredFile, ...] = ()


@dataclass(frozen=True)
class SubmissionResult:
    """Everything about grading one student's submission (a file or a folder)."""

    submission: str
    score: float
    max_score: float
    assignments: tuple[AssignmentResult, ...]
    student: str | None = None
    error: str | None = None  #: why the submission could not be graded at all, if so
    notes: tuple[str, ...] = ()
    protections: tuple[str, ...] = ()
    grader_version: str = ""
    case_seed: int = 0
    graded_at: str = ""
    duration_s: float = 0.0
    extra: Mapping[str, Any] = field(default_factory=dict)
    #: files and folders left out of the submission (links, special files, checkpoints, unreadable)
    ignored: tuple[IgnoredFile, ...] = ()
