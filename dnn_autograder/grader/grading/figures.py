"""Pictures computed from the student's own units, beside the reference's (plain data only).

The engine knows no figure. An assignment folder may hold ``figures.py`` defining ``FIGURES``, a
sequence of :class:`Figure`: each has a ``name`` (the key in
:attr:`dnn_autograder.grader.model.AssignmentResult.figures`), a ``build(student)`` that computes
plain data (JSON-able: numbers, strings, lists, dicts) by calling the student's units through the
guarded :class:`Student` handle, and a ``draw(data, id)`` that turns that data into a report block
(:mod:`dnn_autograder.grader.outputs.render.plots`). :func:`compute_figures` runs every ``build`` of the
graded assignment in the student's sandbox session, within one wall-clock budget, with numpy's
global generator restored afterwards; a ``build`` that returns ``None`` (or ``{}``) adds no figure.
All the figures' calls of one submission share one sandbox child (``Session.one_child``), not a
child per function as graded calls have; :meth:`Student.afresh` gives a retry a fresh one.

A path whose every step needs something computed from the step before (an optimizer's gradient
at the point it reached) is best one script (:meth:`Student.run_script`) whose steps alternate the
student's calls with trusted course-helper functions bound for it (``helpers``: name ->
``"module.attr"`` of ``course_helpers``), rather than one request per step.

Every student call is guarded: a unit that is missing, raises, times out or returns something
unusable raises :class:`Omit` with a sentence for the student, which the builder turns into a note
and a missing series. Anything else a builder raises is a bug of the builder: it is logged and only
that figure is left out; grading never depends on pictures.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol, TypeVar

import numpy as np

from dnn_autograder.grader.assignment.spec import (
    ASSIGNMENTS_DIR,
    AssignmentSpec,
    FunctionSpec,
    assignment_module,
    available_assignments,
    load_assignment,
    resolve,
)
from dnn_autograder.grader.grading.normalise import normalise
from dnn_autograder.grader.model import Step, script_output
from dnn_autograder.grader.sandbox.requests import PreparedCalls, PreparedScript

log = logging.getLogger(__name__)
T = TypeVar("T")

#: wall-clock budget for all the student calls of one assignment's figures; when a slow student
#: function exhausts it, the rest of its series is left out (with a note)
BUDGET_S = 5.0  # a safety net only: normal figures take ~0.1 s, so they never depend on load
#: deadline of one student call (a hung function then costs at most this much)
CALL_TIMEOUT_S = 2.0
#: the module of an assignment folder that defines ``FIGURES``
MODULE = "figures"


class SessionLike(Protocol):
    """What the figures need of a sandbox session (:class:`dnn_autograder.grader.sandbox.Session`)."""

    def call(self, function: str, args: tuple, **kwargs: Any) -> Any: ...


class Omit(Exception):
    """The student's series is left out; the message says why (shown to the student)."""


class TimedOut(Omit):
    """An :class:`Omit` because the student's call or script ran out of time."""


@dataclass(frozen=True)
class Figure:
    """One picture of an assignment (an entry of its ``figures.py`` ``FIGURES``).

    Attributes:
        name: the figure's key in the result's ``figures`` mapping (unique within the assignment).
        build: ``build(student) -> data | None``: plain data computed through the :class:`Student`
            handle (``None`` or ``{}``: no figure for this submission, e.g. nothing to call).
        draw: ``draw(data, id) -> block``: the report block ``{"title", "svg", "caption",
            "table", "notes"}`` for that data; ``id`` is unique in the page (SVG element ids).
            It depends on its arguments only: a block drawn for the same data and ``id`` is
            reused (:func:`dnn_autograder.grader.outputs.render.plots.figure_blocks`).
    """

    name: str
    build: Callable[[Student], Mapping[str, Any] | None]
    draw: Callable[[Mapping[str, Any], str], dict[str, Any]]


class Budget:
    """A wall-clock deadline."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds

    def left(self) -> float:
        return self.deadline - time.monotonic()


def compute_figures(session: SessionLike, assignment_name: str, defined: Callable[[str], bool],
                    *, budget_s: float = BUDGET_S, root: Path = ASSIGNMENTS_DIR) -> dict[str, Any]:
    """``{figure name: plain data}`` for one assignment, in ``FIGURES`` order; ``{}`` when it has
    no pictures.

    Never raises for anything the student's code does; a bug of a builder is logged and costs
    only that figure.
    """
    try:
        spec = load_assignment(assignment_name, root)
        figures = assignment_figures(spec)
    except Exception:  # noqa: BLE001 - pictures must never break grading
        log.debug("no figures for %s", assignment_name, exc_info=True)
        return {}
    if not figures:
        return {}
    student = Student(session, spec, defined, Budget(budget_s))
    out: dict[str, Any] = {}
    # all the pictures' calls in one child (a session without ``one_child``: as it comes)
    one_child = getattr(session, "one_child", None)
    with kept_global_rng(), one_child(MODULE) if callable(one_child) else nullcontext():
        for figure in figures:
            try:
                data = figure.build(student)
            except Exception:  # noqa: BLE001 - pictures must never break grading
                log.exception("figure %s of %s could not be computed", figure.name, assignment_name)
                continue
            if data:
                out[figure.name] = data
    return out


def assignment_figures(spec: AssignmentSpec) -> tuple[Figure, ...]:
    """The ``FIGURES`` of an assignment folder's ``figures.py`` (``()`` when it has none)."""
    if not (spec.folder / f"{MODULE}.py").is_file():
        return ()
    return tuple(getattr(assignment_module(spec, MODULE), "FIGURES", ()))


def drawers(assignment: str | None = None, root: Path = ASSIGNMENTS_DIR) -> dict[str, Callable[..., dict[str, Any]]]:
    """``{figure name: draw}`` of one assignment, or of every assignment when ``assignment`` is
    None (the first assignment, by name, that defines a figure name wins).

    Imports only the ``figures.py`` files (not the specs, which resolve the references). A name
    that is not an assignment folder (e.g. from an edited results file) has no drawers; a
    ``figures.py`` that cannot be imported is logged and costs only its own drawers.
    """
    if assignment is None:
        names = list(available_assignments(root))
    else:  # one of available_assignments(root), found without listing them all (once per report)
        plain = assignment not in ("", ".", "..") and not any(c in assignment for c in "/\\\0")
        names = [assignment] if plain and (root / assignment / "spec.toml").exists() else []
    found: dict[str, Callable[..., dict[str, Any]]] = {}
    for name in names:
        try:
            module = _figure_module(name, root)
        except Exception:  # noqa: BLE001 - one broken folder must not cost the others' pictures
            log.exception("the figures of %s could not be loaded", name)
            continue
        for figure in getattr(module, "FIGURES", ()) if module is not None else ():
            found.setdefault(figure.name, figure.draw)
    return found


def _figure_module(assignment: str, root: Path) -> ModuleType | None:
    if not (root / assignment / f"{MODULE}.py").is_file():
        return None
    if root == ASSIGNMENTS_DIR:
        return importlib.import_module(f"{__package__.partition('.')[0]}.assignments.{assignment}.{MODULE}")
    return assignment_module(load_assignment(assignment, root), MODULE)


class Student:
    """Guarded calls of the student's units, normalised to the spec's named outputs.

    Attributes:
        spec: the assignment graded.
        budget: what is left of the figures' time (see :meth:`share`).
    """

    def __init__(self, session: SessionLike, spec: AssignmentSpec, defined: Callable[[str], bool],
                 budget: Budget) -> None:
        self.session = session
        self.spec = spec
        self.defined = defined
        self.budget = budget
        self._retries = 0

    def share(self, parts: int) -> Budget:
        """Swap in a budget of ``1/parts`` of what is left (so a slow first series cannot starve
        the later ones); returns the previous budget for :meth:`restore`."""
        previous = self.budget
        self.budget = Budget(max(previous.left(), 0.0) / max(parts, 1))
        return previous

    def restore(self, previous: Budget) -> None:
        self.budget = previous

    def has(self, name: str) -> bool:
        """True when ``name`` is a graded unit the student defines and may be called."""
        try:
            return name in self.spec.function_names and bool(self.defined(name))
        except Exception:  # noqa: BLE001
            return False

    def call(self, name: str, args: tuple, *, on_stand_in: Callable | None = None,
             seed: int | None = 0) -> Mapping[str, Any]:
        """Named outputs of one call; raises :class:`Omit` on anything unusable."""
        spec = self.spec.function(name)
        record = self._guarded(name, lambda timeout: self.session.call(
            name, args, inject=spec.helpers, stand_ins=spec.stand_ins, on_stand_in=on_stand_in,
            seed=seed, timeout_s=timeout))
        return self._outputs(name, spec, record)

    @staticmethod
    def _outputs(name: str, spec: FunctionSpec, record: Any) -> Mapping[str, Any]:
        after = dict(zip(spec.params, getattr(record, "args_after", ()) or (), strict=False))
        result = normalise(spec, record.value, after)
        if result.problem is not None:
            raise Omit(f"your `{name}` returned an unexpected value: {short(result.problem.summary)}")
        return result.outputs

    def call_each(self, name: str, calls: Sequence[tuple] | PreparedCalls, *, on_stand_in: Callable | None = None,
                  seed: int | None = 0) -> Generator[Mapping[str, Any], None, None]:
        """The named outputs of :meth:`call` ``(name, args)`` for each ``args`` of ``calls``, in
        order, sent to the child in one request when the session batches calls (``call_each``);
        each item raises :class:`Omit` as :meth:`call` does, and so does the budget running out
        between two calls. Closing the iterator early stops the calls not yet read. ``calls``
        may instead be calls of :func:`prepare_calls` (each with its own seed; ``seed`` unused)."""
        batch = getattr(self.session, "call_each", None)
        pairs = calls if isinstance(calls, PreparedCalls) else [(tuple(args), seed) for args in calls]
        if not callable(batch):
            for args, each_seed in pairs:
                yield self.call(name, args, on_stand_in=on_stand_in, seed=each_seed)
            return
        spec = self.spec.function(name)
        left = self.budget.left()
        if left <= 0:
            raise Omit("not drawn: the time allowed for pictures ran out")
        answer = None if on_stand_in is None else (lambda _i, *request: on_stand_in(*request))
        records = batch(name, pairs, inject=spec.helpers,
                        stand_ins=spec.stand_ins, on_stand_in=answer,
                        timeout_s=min(CALL_TIMEOUT_S, max(left, 0.05)), max_raised=0)
        try:
            for index in range(len(calls)):
                if index and self.budget.left() <= 0:
                    raise Omit("not drawn: the time allowed for pictures ran out")
                try:
                    record = next(records)
                except StopIteration:
                    raise Omit(f"your `{name}` could not be called again") from None
                except Exception as exc:  # noqa: BLE001 - e.g. arguments that cannot be sent
                    raise Omit(f"your `{name}` could not be called again: {short(exc)}") from None
                yield self._outputs(name, spec, self._checked(name, record))
        finally:
            records.close()

    def run_script(self, unit: str, inputs: Mapping[str, Any] | PreparedScript, steps: Sequence[Step] = (), *,
                   on_stand_in: Callable | None = None, seed: int | None = 0,
                   helpers: Mapping[str, str] = {}) -> Mapping[str, Any]:
        """The values a script of calls compares (``steps``: :class:`~dnn_autograder.grader.model.Step`,
        calling the script unit ``unit``), as ``{script_output(step, name): value}``; raises
        :class:`Omit` when the session cannot run scripts or the script does not complete.
        ``inputs`` may instead be a script of :func:`prepare_script` (``steps`` left out).

        ``helpers``: more names bound in the student's namespace for the script, each to a
        trusted course helper ``"module.attr"`` (as the spec's own ``helpers``), so that steps
        may call trusted code between the student's calls (a gradient at the point reached)."""
        from dnn_autograder.grader.grading.scripts import plain_steps

        if isinstance(inputs, PreparedScript) and steps:
            raise TypeError("a prepared script brings its own steps")
        run = getattr(self.session, "run_script", None)
        if run is None:
            raise Omit(f"your `{unit}` could not be run: this grader cannot run scripts")
        spec = self.spec.function(unit)
        sent = (inputs.inputs, inputs) if isinstance(inputs, PreparedScript) else (inputs, plain_steps(steps))
        record = self._guarded(unit, lambda timeout: run(
            unit, *sent, inject={**spec.helpers, **helpers}, stand_ins=spec.stand_ins,
            on_stand_in=on_stand_in, seed=seed, timeout_s=timeout))
        problem = getattr(record, "problem", None)
        if problem:
            raise Omit(f"your `{unit}` {short(problem)}")
        return {script_output(step, name): value for (step, name), value in dict(record.value).items()}

    def script_or_stepwise(self, unit: str, inputs: Mapping[str, Any] | PreparedScript,
                           steps: Sequence[Step] = (), *,
                           read: Callable[[Mapping[str, Any]], T | None], stepwise: Callable[[], T],
                           helpers: Mapping[str, str] = {}) -> T:
        """``read(values)`` of a whole path run as one script (:meth:`run_script`; ``inputs`` and
        ``steps``, or a prepared script), when the script completes and ``read`` can follow its
        values (not None); else ``stepwise()``, the same path one request at a time, in a fresh
        child (:meth:`afresh`: as the first attempt found the child), which says at which step and
        why it stopped. A :class:`TimedOut` of the script propagates: a retry would run out of time
        too."""
        try:
            values: Mapping[str, Any] | None = self.run_script(unit, inputs, steps, helpers=helpers)
        except TimedOut:
            raise
        except Omit:
            values = None
        found = read(values) if values is not None else None
        if found is not None:
            return found
        with self.afresh(unit):
            return stepwise()

    @contextmanager
    def afresh(self, label: str) -> Iterator[None]:
        """Within the block, the calls run in a child of their own, started afresh (a retry must
        not see what an earlier attempt left in the child's globals); ``label`` names it. A
        session that cannot do this runs them as it comes."""
        one_child = getattr(self.session, "one_child", None)
        self._retries += 1
        with one_child(f"{MODULE}: {label} ({self._retries})") if callable(one_child) else nullcontext():
            yield

    def _guarded(self, name: str, run: Callable[[float], Any]) -> Any:
        left = self.budget.left()
        if left <= 0:
            raise Omit("not drawn: the time allowed for pictures ran out")
        try:
            record = run(min(CALL_TIMEOUT_S, max(left, 0.05)))
        except Exception as exc:  # noqa: BLE001 - e.g. a returned value that cannot be sent back
            raise Omit(f"your `{name}` could not be called again: {short(exc)}") from None
        return self._checked(name, record)

    @staticmethod
    def _checked(name: str, record: Any) -> Any:
        """``record`` when the call returned; else raises :class:`Omit` (:class:`TimedOut`) saying why."""
        if record.outcome != "returned":
            what = getattr(record, "message", "") or record.outcome
            raise (TimedOut if record.outcome == "timeout" else Omit)(f"your `{name}` {short(what)}")
        return record


def prepare_script(inputs: Mapping[str, Any], steps: Sequence[Step]) -> PreparedScript:
    """A script (its ``inputs`` and ``steps``) encoded for the sandbox once, for
    :meth:`Student.run_script` (``run_script(unit, script)``): keep it (``functools.cache``) when
    it is the same for every student, so that it is not encoded again for each. Raises
    ``wire.Unencodable`` for a value that cannot be sent (a bug of the builder)."""
    from dnn_autograder.grader.grading.scripts import plain_steps

    return PreparedScript(inputs, plain_steps(steps))


def prepare_calls(calls: Sequence[tuple], seed: int | None = 0) -> PreparedCalls:
    """The calls ``(name, args)`` for each ``args`` of ``calls`` (each seeded with ``seed``), for
    :meth:`Student.call_each`, encoded for the sandbox once: keep them when they are the same for
    every student."""
    return PreparedCalls([(tuple(args), seed) for args in calls])


def reference_outputs(spec: FunctionSpec, args: tuple, **hooks: Any) -> Mapping[str, Any]:
    """The reference's named outputs for ``args`` (trusted, in this process)."""
    value = resolve(spec.reference)(*args, **hooks)
    return normalise(spec, value, dict(zip(spec.params, args, strict=False))).outputs


@contextmanager
def kept_global_rng() -> Iterator[None]:
    """Restore numpy's global generator afterwards (reference initializers and dropout reseed it)."""
    state = np.random.get_state()
    try:
        yield
    finally:
        np.random.set_state(state)


def why(name: str, exc: Omit) -> str:
    """The omission reason as a sentence about the student's unit ``name``."""
    text = str(exc)
    return text if text.startswith(("your ", "not drawn")) else f"your `{name}` {text}"


def short(text: Any, limit: int = 160) -> str:
    """``text`` on one line, at most ``limit`` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
