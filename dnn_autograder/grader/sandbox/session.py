"""One student's child: execute the submission's units, call its functions, survive anything.

Every frame from the child is hostile data: sizes are checked before reading, headers are
validated, values are decoded by ``wire`` (no pickle). A child that times out, dies, or sends
garbage is killed (its whole pid namespace / process group), and a fresh one with the same units
is started for the next call.

One function cannot affect another: the calls of another function (or a function's calls after
a completed request, such as a shrink after its cases) go to a child as fresh as a new one. The
child that served the last calls is kept for them only when it verifies that those calls left no
trace (``child/residue.py``: the student's globals by value, modules by the identity of their
attributes, NumPy's settings, the interpreter's; the random generators are put back); otherwise,
or when it cannot tell, a new child is started, as it always was before.
"""

from __future__ import annotations

import dataclasses
import marshal
import os
import socket
import struct
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any

import numpy as np

from dnn_autograder.grader.errors import SandboxUnavailable
from dnn_autograder.grader.membudget import PARSE_BUDGET_BYTES, STAND_IN_BUDGET_BYTES, memory_budget
from dnn_autograder.grader.sandbox import outcomes, reports
from dnn_autograder.grader.sandbox.channel import ChildProcess, Gone, Timeout, remove_tree
from dnn_autograder.grader.sandbox.child import wire
from dnn_autograder.grader.sandbox.records import CallRecord, Limits, UnitOutcome, call_record
from dnn_autograder.grader.sandbox.requests import PreparedCalls, PreparedScript, encode_run, encode_script

#: Time the parent spends answering stand-ins is added to a call's deadline, up to this many
#: times the timeout (a loop of stand-in calls must not keep the parent busy forever).
STAND_IN_GRACE = 3.0
#: What reading a hostile child's frames may raise; the child is then killed as misbehaving.
_MALFORMED = (ValueError, KeyError, TypeError, IndexError, AttributeError, OverflowError)
#: The parent's cap on one frame's JSON header, besides the captured output it carries (every
#: byte of output may take up to 12 once escaped). Numbers and containers go there, arrays in the
#: body (capped at ``Limits.return_bytes``), so this is ample for any real return value.
HEADER_BYTES = 16 << 20
#: A ``calls`` request carries at most this many bytes of arguments (about) and this many calls.
BATCH_BYTES = 4 << 20
BATCH_CALLS = 200
#: Bytes of stand-in arguments a child may send back with a result, recorded after a stand-in was
#: handed to a course helper (``Observed.kept_bytes`` is capped to it); as many again of the answers
#: the helper gave in the child (past either budget the child asks the parent again).
RECORDED_BYTES = 4 << 20
#: Calls those records may stand for in all (consecutive calls that kept only their name are one
#: entry, which the parent expands): each costs the parent at least 64 bytes (a list slot and a
#: ``(name, args)`` pair), so the count follows the byte budget. The child stops recording there.
RECORDED_CALLS = RECORDED_BYTES // 64
_CHILD_OUTCOMES = frozenset({"returned", "raised", "exited", "memory", "violation",
                             "output-limit", "unsupported-return"})
#: ``isinstance(x, _NUMBER)`` is ``isinstance(x, int | float)`` without making the union each time
_NUMBER = (int, float)


@dataclasses.dataclass(frozen=True)
class Observed:
    """What an ``on_stand_in`` callback returns to answer a stand-in call with ``value`` and hand
    the stand-in's later calls, within the same call, to the course helper ``helper``
    (``"module.attr"`` of a module the child loaded), which answers them in the child: no round
    trip per call. From that answer on, the child records every stand-in call of the call (by
    value, within ``kept_bytes`` of positional arguments, past them the name only) and sends the
    record with the result (``CallRecord.stand_in_calls``); the callback should no longer record
    the calls it still answers (it is asked again only about calls the child could not record
    with their answer: keyword arguments, or past ``kept_bytes``, :data:`RECORDED_BYTES` of
    answers or :data:`RECORDED_CALLS`). The helper's time counts towards the call's deadline.

    The child's answers are not taken on its word: each call the helper answered is recorded
    with its answer, and after the call the parent recomputes every one with ``check`` (what it
    would have answered with itself, e.g. the case's world function) on the recorded arguments.
    A different answer (another value, to the bit, or another exception type; a
    ``MemoryError`` is the student's loss and not compared) makes the call a "violation": student
    code changed the helper or what it uses. Only course-provided code may be handed over: the
    child must never hold a reference implementation of a graded function."""

    value: Any
    helper: str
    kept_bytes: int
    check: Callable[..., Any]


class CompiledUnits:
    """Marshalled code of the units compiled so far, within ``max_bytes`` of sources and code
    (the least recently used go first): ``compile(padded source, "<student:i>", "exec",
    dont_inherit=True)`` depends on the unit's index, first line and source alone (and this
    interpreter), so the code of a unit with the same three is the same bytes. Shared by the
    sessions of a process; safe between threads."""

    def __init__(self, max_bytes: int = 32 << 20) -> None:
        self.max_bytes = max_bytes
        self._kept: OrderedDict[tuple[int, int, str], bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, index: int, first_line: int, source: str) -> bytes | None:
        key = (index, first_line, source)
        with self._lock:
            data = self._kept.get(key)
            if data is not None:
                self._kept.move_to_end(key)
            return data

    def put(self, index: int, first_line: int, source: str, data: bytes) -> None:
        size = len(source) + len(data)
        if size > self.max_bytes // 8:  # a huge unit would push out many others
            return
        with self._lock:
            if self._kept.setdefault((index, first_line, source), data) is not data:
                return
            self._bytes += size
            while self._bytes > self.max_bytes:
                (_, _, old), dropped = self._kept.popitem(last=False)
                self._bytes -= len(old) + len(dropped)


#: the units compiled by this process's sessions (:meth:`Session._compile`)
COMPILED = CompiledUnits()


class Session:
    """One student's submission in a child of its own (``Sandbox.session(units)``).

    The units run in order when the session opens; ``units`` says what happened to each (a
    failing unit never stops the others). Use as a context manager, from one thread at a time.
    """

    def __init__(self, sandbox: Any, units: Sequence[Any]) -> None:
        self._sandbox = sandbox
        self._limits: Limits = sandbox.limits
        self._units = [_unit_dict(i, unit) for i, unit in enumerate(units)]
        self._names = [tuple(u["names"]) for u in self._units]
        self._outcomes: list[UnitOutcome | None] = [None] * len(self._units)
        self._skip: set[int] = set()
        self._code = self._compile()
        self._child: ChildProcess | None = None
        self._callables: frozenset[str] = frozenset()
        self._layers: tuple[str, ...] = ()
        self._group: tuple[str, str] | None = None  # see one_child
        #: the stand-ins of the call in progress handed to a helper: name -> (helper, Observed.check)
        self._handed: dict[str, tuple[str, Callable[..., Any]]] = {}
        #: children started so far, and how many times a verified child was kept for other calls
        self.children_started = 0
        self.children_kept = 0
        self.load_output = ""
        #: (event, time.perf_counter()) while the last child started, for benchmarks
        self.timeline: list[tuple[str, float]] = []
        self._closed = False
        self._uid = sandbox._acquire_uid()
        try:
            self._start()
        except BaseException:
            self.close()
            raise

    # --- public ----------------------------------------------------------------------------
    @property
    def units(self) -> tuple[UnitOutcome, ...]:
        return tuple(outcome or UnitOutcome(names, False, "not executed")
                     for outcome, names in zip(self._outcomes, self._names, strict=True))

    @property
    def protections(self) -> tuple[str, ...]:
        return self._layers

    def defined(self, name: str) -> bool:
        """Is ``name`` a callable defined in the student's namespace (after the units ran)."""
        return name in self._callables

    @contextmanager
    def one_child(self, group: str) -> Iterator[None]:
        """Within the block, the requests of every function share one child, the ``group``'s
        (as fresh as a new one when the block starts after other calls), instead of a fresh
        child per function: for ungraded calls such as a report's pictures, where one function
        may see what another left behind. Graded calls keep a child per function, as fresh as a
        new one (:meth:`_child_for`)."""
        previous, self._group = self._group, ("group", str(group))
        try:
            yield
        finally:
            self._group = previous

    def call(self, function: str, args: tuple, *, inject: Mapping[str, str] = {},
             stand_ins: Sequence[str] = (),
             on_stand_in: Callable[[str, tuple, dict], Any] | None = None,
             seed: int | None = None, timeout_s: float | None = None) -> CallRecord:
        """Run ``function(*args)`` in the student's namespace and record what happened.

        Before the call: ``np.random.seed(seed)`` (and ``random.seed``) when ``seed`` is given;
        each ``name -> "module.attr"`` of ``inject`` binds the student's global ``name`` to that
        course helper; each name of ``stand_ins`` binds a stub that sends its arguments here,
        where ``on_stand_in(name, args, kwargs)`` answers (its exceptions are raised in the
        child; its time does not count, up to ``STAND_IN_GRACE`` times the timeout). The
        globals are restored afterwards. Student failures are data in the ``CallRecord``; a
        child that died or misbehaved is replaced before the next call. Raises ``ValueError``
        for a stand-in without a callback or an injection the sandbox does not have,
        ``TypeError`` for arguments that cannot be sent, ``SandboxUnavailable`` when no child
        can be started.
        """
        timeout = self._timeout(timeout_s, stand_ins, on_stand_in)
        encoder = wire.Encoder(1 << 62)
        try:
            header = {"op": "call", "fn": str(function), "args": encoder.encode(list(args)),
                      **_bindings(inject, stand_ins),
                      "seed": None if seed is None else int(seed)}
        except wire.Unencodable as exc:
            raise TypeError(f"cannot send {exc} to the sandbox") from None
        frame = wire.pack(header, encoder)
        body = memoryview(frame)[len(frame) - encoder.body_len:]
        sent = _SentArgs(lambda: wire.decode(header["args"], body))
        return self._request(frame, function, timeout, on_stand_in, partial(self._returned, sent=sent))

    def call_each(self, function: str, calls: Sequence[tuple[tuple, int | None]], *,
                  inject: Mapping[str, str] = {}, stand_ins: Sequence[str] = (),
                  on_stand_in: Callable[[int, str, tuple, dict], Any] | None = None,
                  timeout_s: float | None = None, max_raised: int = 1 << 30) -> Iterator[CallRecord]:
        """The records of ``self.call(function, args, seed=seed, ...)`` for each ``(args, seed)``
        of ``calls``, in order, as they arrive: all in one child, with one request per
        :data:`BATCH_BYTES` of arguments instead of one per call.

        Each call has its own deadline (from the previous call's result) and stand-in grace, and
        the bindings of :meth:`call`; ``on_stand_in(i, name, args, kwargs)`` answers the
        stand-ins of call ``i``. The records end early after the first call whose outcome is
        neither "returned" nor "raised", or after ``max_raised + 1`` that raised. A call that
        needs a fresh child (it patched a watched module, left a thread, or used most of the
        CPU limit) gets one for the calls after it, as with :meth:`call`. Closing the iterator
        before its end kills the child (it would go on with the calls it was sent). Raises as
        :meth:`call` does. ``calls`` may be a :class:`~.requests.PreparedCalls`, whose requests
        are encoded once for every session that sends them.
        """
        timeout = self._timeout(timeout_s, stand_ins, on_stand_in)
        common = {"op": "calls", "fn": str(function),
                  **_bindings(inject, stand_ins), "max_raised": int(max_raised),
                  "cpu_stop": float(self._limits.cpu_seconds - self._limits.call_timeout_s)}
        done, raised = 0, 0
        while done < len(calls):
            first = done
            try:
                run = calls.run(first, BATCH_BYTES, BATCH_CALLS) if isinstance(calls, PreparedCalls) \
                    else encode_run(calls, first, BATCH_BYTES, BATCH_CALLS)
            except wire.Unencodable as exc:
                raise TypeError(f"cannot send {exc} to the sandbox") from None
            child = self._child_for(function)
            finished, count = False, run.end - first
            records = self._batch(child, run.frame(common), count, timeout, first, on_stand_in, run.sent)
            del run
            try:
                for record in records:
                    done += 1
                    raised += record.outcome == "raised"
                    if record.outcome not in ("returned", "raised") or raised > max_raised:
                        finished = done == len(calls)
                        yield record
                        return
                    if child.recycle and done < first + count:
                        child.kill()  # it stops after such a call; the rest go to a fresh child
                        yield record
                        break
                    yield record
                finished = True
            finally:
                records.close()  # stopped at a record: kills the child
                if not finished and done < first + count:
                    child.kill()  # closed early (or ended by a stop rule): the child may go on

    def _batch(self, child: ChildProcess, frame: bytes, count: int, timeout: float,
               first: int, on_stand_in: Callable[[int, str, tuple, dict], Any] | None,
               sent: Callable[[int], Sequence[Any]] | None = None) -> Generator[CallRecord, None, None]:
        """Send one ``calls`` request (``frame``, of ``count`` calls) and yield each call's record
        as it arrives (see :meth:`call_each`); ``sent(i)``: the arguments of call ``i`` as the
        request sent them (see :meth:`_returned`). After a record that ends the child (a timeout, a
        death, a frame the parent refused) nothing more is yielded. Closed at a record before
        the last call's, it kills the child (which would go on with the calls it was sent);
        closed at the last one, the child has done its work and is ``settled``: the function's
        next calls (a shrink) find it as fresh as a new one, or a new one (:meth:`_child_for`)."""
        deadline = time.monotonic() + timeout
        grace = STAND_IN_GRACE * timeout
        index = first
        started = time.monotonic()
        problem: str | None = None  # a bad request (as :meth:`call`, a ValueError)
        try:
            child.send(frame, deadline)
            del frame
            for _ in range(count):
                while True:
                    reply, body = child.read(deadline)
                    if reply.get("ev") == "stand_in":
                        answer = None if on_stand_in is None else partial(on_stand_in, index)
                        spent = min(self._answer(child, reply, body, answer, deadline), grace)
                        deadline, grace = deadline + spent, grace - spent
                    elif reply.get("ev") == "result":
                        if reply.get("index") != index - first:
                            raise wire.WireError("result out of order")
                        record = self._returned(child, reply, body, time.monotonic() - started,
                                                sent=None if sent is None else _SentArgs(partial(sent, index)))
                        del reply, body
                        break
                    elif reply.get("ev") == "bad-request":
                        problem = outcomes.one_line(reply.get("message"))
                        break
                    else:
                        raise wire.WireError("unexpected frame")
                if problem is not None:
                    break
                try:
                    yield reports.amend(record, reports.take(child))
                except GeneratorExit:
                    if index != first + count - 1:
                        raise
                    child.settled = True
                    return
                index += 1
                started = time.monotonic()
                deadline, grace = started + timeout, STAND_IN_GRACE * timeout
        except (Timeout, Gone, *_MALFORMED) as exc:
            yield self._broken_off(child, exc, timeout, started)
        except BaseException:
            child.kill()
            raise
        if problem is not None:
            raise ValueError(problem)

    def run_script(self, unit: str, inputs: Mapping[str, Any], steps: Sequence[Mapping[str, Any]], *,
                   inject: Mapping[str, str] = {}, stand_ins: Sequence[str] = (),
                   on_stand_in: Callable[[str, tuple, dict], Any] | None = None,
                   seed: int | None = None, timeout_s: float | None = None) -> CallRecord:
        """Run a script case (``sandbox/child/script.py``) of the graded unit ``unit`` in the
        student's namespace, like :meth:`call`, with one deadline for the whole script.

        The record's ``value`` is ``{(step, name): value}`` for every compared value of the steps
        that completed; ``step`` is the (0-based) step that ran last (where an error happened);
        ``problem`` says why a step's result could not be unpacked into its names. ``steps`` may be
        a :class:`~.requests.PreparedScript` and ``inputs`` its own ``inputs``: the request is then
        the one it encoded once for every session that sends it.
        """
        timeout = self._timeout(timeout_s, stand_ins, on_stand_in)
        try:
            script = steps.encoded if isinstance(steps, PreparedScript) and steps.sends(inputs) \
                else encode_script(inputs, steps)
        except wire.Unencodable as exc:
            raise TypeError(f"cannot send {exc} to the sandbox") from None
        frame = script.frame({"op": "script", **_bindings(inject, stand_ins),
                              "seed": None if seed is None else int(seed)})
        del script
        return self._request(frame, unit, timeout, on_stand_in, self._script_returned)

    def _timeout(self, timeout_s: float | None, stand_ins: Sequence[str], on_stand_in: Any) -> float:
        """A request's deadline in seconds; stand-ins need someone to answer them."""
        if stand_ins and on_stand_in is None:
            raise ValueError("stand_ins need an on_stand_in callback")
        return float(timeout_s if timeout_s is not None else self._limits.call_timeout_s)

    def _request(self, frame: bytes, function: str, timeout: float,
                 on_stand_in: Callable[[str, tuple, dict], Any] | None,
                 read_result: Callable[[ChildProcess, dict[str, Any], bytearray, float], CallRecord],
                 ) -> CallRecord:
        """Send one call or script (its request ``frame``) to the child and read until its result
        (see :meth:`call`)."""
        child = self._child_for(function)
        started = time.monotonic()
        deadline = started + timeout
        grace = STAND_IN_GRACE * timeout  # the parent's answers do not count, up to this much
        try:
            child.send(frame, deadline)
            del frame
            while True:
                reply, body = child.read(deadline)
                if reply.get("ev") == "stand_in":
                    spent = min(self._answer(child, reply, body, on_stand_in, deadline), grace)
                    deadline, grace = deadline + spent, grace - spent
                elif reply.get("ev") == "result":
                    record = read_result(child, reply, body, time.monotonic() - started)
                    return reports.amend(record, reports.take(child))
                elif reply.get("ev") == "bad-request":
                    problem = outcomes.one_line(reply.get("message"))
                    break
                else:
                    raise wire.WireError("unexpected frame")
        except (Timeout, Gone, *_MALFORMED) as exc:
            return self._broken_off(child, exc, timeout, started)
        except BaseException:  # the grader's own problem (Ctrl-C, a failing stand-in answer)
            child.kill()
            raise
        raise ValueError(problem)

    def _broken_off(self, child: ChildProcess, exc: BaseException, timeout: float, started: float) -> CallRecord:
        """The record of an exchange that ended without a result: a timeout, the child's death,
        a frame refused unread, or a protocol violation. The child is killed in every case."""
        self._handed = {}
        if isinstance(exc, Timeout):
            seen = reports.take(child, alive=False)
            child.kill()
            return reports.amend(_failure("timeout", f"timed out after {timeout:g} s", started), seen)
        if isinstance(exc, Gone):
            seen = reports.take(child, alive=False)
            outcome, message = outcomes.death(child.kill(), self._limits, child.note)
            return reports.amend(_failure(outcome, message, started), seen)
        child.kill()
        if isinstance(exc, wire.Oversized):  # refused unread: the child cannot go on after it
            return _failure("unsupported-return", f"sent back {exc}, more than the grader accepts;"
                            " it was refused unread", started)
        return _failure("violation", outcomes.violation("protocol"), started)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._child is not None:
            self._child.close()
            self._child = None
        self._sandbox._release_uid(self._uid)
        self._uid = None

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _compile(self) -> bytes:
        """Compile every unit here, once (compiling runs no code; the child only unmarshals):
        a unit that does not compile is reported and left out. A unit compiled before, by any
        session of this process (the course's own cells recur in every submission), is taken
        from :data:`COMPILED`."""
        chunks, offset = [], 0
        for unit in self._units:
            data = COMPILED.get(unit["i"], unit["first_line"], unit["source"])
            if data is None:
                padded = "\n" * (unit["first_line"] - 1) + unit["source"]
                try:
                    with memory_budget(PARSE_BUDGET_BYTES):
                        code = compile(padded, f"<student:{unit['i']}>", "exec", dont_inherit=True)
                except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError) as exc:
                    self._skip.add(unit["i"])
                    self._outcomes[unit["i"]] = UnitOutcome(
                        self._names[unit["i"]], False, _compile_message(exc, unit))
                    continue
                data = marshal.dumps(code)
                COMPILED.put(unit["i"], unit["first_line"], unit["source"], data)
            unit["code"] = [offset, len(data)]
            chunks.append(data)
            offset += len(data)
        return b"".join(chunks)

    # --- children --------------------------------------------------------------------------
    def _child_for(self, function: str) -> ChildProcess:
        """The child that runs ``function``'s calls. When the last calls were another
        function's, or of another group (:meth:`one_child`), or a request of this function
        completed since (``settled``), the child must be as fresh as a new one: it is kept only
        if it says so (:meth:`_verified`), else a new one is started."""
        key: Any = self._group if self._group is not None else function
        child = self._child
        if child is not None and not (child.dead or child.recycle) and child.last_function is not None \
                and (child.last_function != key or (child.settled and self._group is None)):
            if self._verified(child):
                self.children_kept += 1
            else:
                child.recycle = True
        child = self._running()
        child.last_function, child.settled = key, False
        return child

    def _verified(self, child: ChildProcess) -> bool:
        """Ask the child whether its state is still the one its units left (``residue``); a
        child that cannot tell, does not answer in time, or answers anything else is not kept."""
        if not child.shareable:
            return False
        deadline = time.monotonic() + self._limits.call_timeout_s
        try:
            child.send(wire.pack({"op": "verify"}), deadline)
            reply, _ = child.read(deadline)
        except (Timeout, Gone, *_MALFORMED):
            child.kill()
            return False
        reports.take(child)
        if reply.get("ev") != "verified":
            child.kill()
            return False
        return reply.get("clean") is True

    def _running(self) -> ChildProcess:
        if self._closed:
            raise SandboxUnavailable("this session is closed")
        if self._child is not None and (self._child.dead or self._child.recycle):
            self._child.close()
            self._child = None
        if self._child is None:
            self._start()
        assert self._child is not None
        return self._child

    def _spawn(self, first: bytes) -> ChildProcess:
        """A new child; ``first`` (the load frame) is written before the worker even forks, so
        the child finds it waiting."""
        root = tempfile.mkdtemp(prefix="dnn-sandbox-")
        scratch = os.path.join(root, "scratch")
        os.mkdir(scratch, 0o700)
        uid = self._uid[0] if self._uid is not None else None
        if uid is not None:
            os.chmod(root, 0o755)
            os.chown(scratch, uid, uid)
        ours, theirs = socket.socketpair()
        report_ours, report_theirs = reports.pair()
        ours.setblocking(False)
        try:
            sent = ours.send(first)
        except BlockingIOError:
            sent = 0
        try:
            reply = self._sandbox._spawn(root, uid, theirs, report_theirs)
        except BaseException:
            ours.close()
            report_ours.close()
            remove_tree(root)
            raise
        finally:
            theirs.close()
            report_theirs.close()
        limits = self._limits
        caps = wire.Caps(header_bytes=HEADER_BYTES + 12 * limits.output_bytes,
                         body_bytes=limits.return_bytes + 2 * RECORDED_BYTES + (1 << 20),
                         values=limits.return_items + limits.output_bytes + 4096)
        child = ChildProcess(self._sandbox, root, reply, ours, caps)
        self.children_started += 1
        child.reports = reports.Reports(report_ours)
        child.unsent = first[sent:]
        return child

    def _start(self) -> None:
        """Start a child and execute the units; a unit that hangs or kills the child is marked
        failed and left out of the next attempt."""
        for _ in range(len(self._units) + 2):
            todo = [u for u in self._units if u["i"] not in self._skip]
            child = self._spawn(wire.pack({"op": "load", "units": todo}, body=self._code))
            deadline = time.monotonic() + self._limits.load_timeout_s
            done: set[int] = set()
            try:
                child.send(child.unsent, deadline)
                while True:
                    reply, _ = child.read(deadline)
                    if reply.get("ev") == "unit":
                        done.add(self._record_unit(reply, reports.take(child)))
                    elif reply.get("ev") == "ready":
                        self._ready(child, reply)
                        return
                    elif reply.get("ev") == "fatal":
                        child.kill()
                        raise SandboxUnavailable(f"the sandbox child refused to start: "
                                                 f"{outcomes.one_line(reply.get('message'))}")
                    else:
                        raise wire.WireError("unexpected frame")
            except Timeout:
                child.kill()
                why = f"timed out after {self._limits.load_timeout_s:g} s"
            except Gone:
                fatal = child.leftover_fatal()
                info = child.kill()
                if fatal:
                    raise SandboxUnavailable(
                        f"the sandbox child refused to start: {fatal}") from None
                why = outcomes.death(info, self._limits, child.note)[1]
            except _MALFORMED:
                child.kill()
                why = outcomes.violation("protocol")
            culprit = next((u["i"] for u in todo if u["i"] not in done), None)
            if culprit is None:
                break
            self._skip.add(culprit)
            self._outcomes[culprit] = UnitOutcome(
                self._names[culprit], False, f"{why} while running its top-level code")
        raise SandboxUnavailable("the sandbox child could not load this submission")

    def _record_unit(self, reply: dict[str, Any], seen: Sequence[tuple[str, str]] = ()) -> int:
        index = reply.get("i")
        if type(index) is not int or not 0 <= index < len(self._units):
            raise wire.WireError("bad unit index")
        chosen = reports.worst(seen)  # what the child reported while the unit ran
        if self._outcomes[index] is None and chosen is not None:
            self._outcomes[index] = UnitOutcome(self._names[index], False,
                                                outcomes.violation(*chosen))
        if self._outcomes[index] is None:
            self._outcomes[index] = UnitOutcome(self._names[index], reply.get("ok") is True,
                                                _unit_message(reply))
        return index

    def _ready(self, child: ChildProcess, reply: dict[str, Any]) -> None:
        names = reply.get("callables")
        layers = reply.get("layers")
        if not isinstance(names, list) or not isinstance(layers, list):
            raise wire.WireError("bad ready frame")
        child.callables = frozenset(n for n in names if isinstance(n, str))
        child.shareable = reply.get("shareable") is True
        self._callables = child.callables
        named = [str(x)[:40] for x in [*layers[:1], "deadline", *layers[1:30]]]
        if "seccomp" in named:  # its filter (child/layers.py) refuses memfd_create/memfd_secret
            named.insert(named.index("seccomp") + 1, "no-memfd")
        self._layers = tuple(named)
        if not self.load_output:
            self.load_output = _output_text(reply)
        timeline = reply.get("timeline")
        self.timeline = [(str(event[0])[:40], float(event[1])) for event in timeline[:20]
                         if isinstance(event, list) and len(event) == 2
                         and isinstance(event[1], int | float)] if isinstance(timeline, list) else []
        self._child = child

    # --- calls -----------------------------------------------------------------------------
    def _answer(self, child: ChildProcess, request: dict[str, Any], body: bytearray,
                on_stand_in: Callable[[str, tuple, dict], Any] | None, deadline: float) -> float:
        """Answer a stand-in call; returns the time spent (it does not count for the student)."""
        started = time.monotonic()
        name = str(request.get("name"))
        args = wire.decode(request.get("args"), body)
        kwargs = wire.decode(request.get("kwargs"), body)
        if not isinstance(args, list) or not isinstance(kwargs, dict) or on_stand_in is None:
            raise wire.WireError("bad stand-in request")
        encoder: wire.Encoder | None = wire.Encoder(self._limits.return_bytes)
        try:
            assert encoder is not None
            with memory_budget(STAND_IN_BUDGET_BYTES):  # trusted code on the student's arguments
                value = on_stand_in(name, tuple(args), kwargs)
            observe = None
            if isinstance(value, Observed):
                helper = str(value.helper)
                observe = {"helper": helper,
                           "kept_bytes": max(0, min(int(value.kept_bytes), RECORDED_BYTES)),
                           "answer_bytes": RECORDED_BYTES, "kept_calls": RECORDED_CALLS}
                check = value.check
                value = value.value
            answer = {"ok": True, "value": encoder.encode(value)}
            if observe is not None:
                answer["observe"] = observe
                self._handed[name] = (helper, check)  # the child's answers are checked with it
            del value
        except wire.Unencodable as exc:
            answer = {"ok": False, "error_type": "ValueError",
                      "error_message": f"{name}() would return {exc}: check its arguments"}
            encoder = None
        except MemoryError:
            answer = {"ok": False, "error_type": "MemoryError",
                      "error_message": f"{name}() needs more memory than the grader allows for these"
                                       " arguments: check their shapes"}
            encoder = None
        except Exception as exc:
            answer = {"ok": False, "error_type": type(exc).__name__,
                      "error_message": str(exc)[:2000]}
            encoder = None
        spent = time.monotonic() - started
        child.send(wire.pack({"op": "stand_in_result", **answer}, encoder), deadline + spent)
        return spent

    def _returned(self, child: ChildProcess, reply: dict[str, Any], body: bytearray,
                  elapsed: float, sent: _SentArgs | None = None) -> CallRecord:
        """The record of a call's ``result`` frame. ``args_after``: each argument as the child
        encoded it after the call or, for ``wire.UNCHANGED`` (the child found it exactly as
        sent), a copy of ``sent``'s (the request's own arguments, decoded once): what the child
        claims costs it nothing it could not claim by encoding the argument as it was sent."""
        outcome = reply.get("outcome")
        if outcome not in _CHILD_OUTCOMES:
            raise wire.WireError("bad outcome")
        value = wire.decode(reply.get("value"), body) if outcome == "returned" else None
        args_after = reply.get("args_after")
        if not isinstance(args_after, list):
            raise wire.WireError("bad args_after")
        after = tuple(_kept(item, index, sent, outcome == "returned", value)
                      if type(item) is dict and item.get("t") == "=" else wire.decode(item, body)
                      for index, item in enumerate(args_after))
        cpu = reply.get("cpu")
        if reply.get("recycle") is True or (isinstance(cpu, _NUMBER) and
                                            cpu + self._limits.call_timeout_s
                                            >= self._limits.cpu_seconds):
            child.recycle = True
        raw_type = reply.get("error_type")
        error_type = None if raw_type is None else outcomes.one_line(raw_type, 100) or None
        error_message = outcomes.clean(reply.get("error_message")) if error_type else None
        trace = reply.get("traceback")
        trace = trace if isinstance(trace, list) else []
        duration = reply.get("duration")
        aliases = reply.get("aliases") or []
        if not isinstance(aliases, list) or len(aliases) > 2100 or aliases and not all(
                isinstance(p, list) and len(p) == 2 and all(type(i) is int and 0 <= i < 64 for i in p)
                for p in aliases):
            raise wire.WireError("bad aliases")
        handed, self._handed = self._handed, {}
        try:
            recorded = _recorded_calls(reply.get("stand_in_calls"), body, handed) if outcome == "returned" else None
        except ForgedAnswer as forged:  # the child's helper answered otherwise than the parent would
            recorded, outcome, child.recycle = None, "violation", True
            reply = {**reply, "violation": ["tamper", str(forged)]}
        return call_record(
            outcome=outcome, value=value, args_after=after, error_type=error_type,
            error_message=error_message,
            traceback=tuple(outcomes.one_line(line, 500) for line in trace[:30]) if trace else (),
            output=_output_text(reply, self._limits.output_bytes),
            duration_s=float(duration) if isinstance(duration, _NUMBER)
            and 0 <= duration <= elapsed else elapsed,
            message=self._message(outcome, reply, error_type or "", error_message or ""),
            aliases=tuple((int(i), int(j)) for i, j in aliases) if aliases else (), step=0, problem="",
            stand_in_calls=recorded)

    def _script_returned(self, child: ChildProcess, reply: dict[str, Any], body: bytearray,
                         elapsed: float) -> CallRecord:
        """A script's result: ``value`` becomes ``{(step, name): value}``."""
        captured = reply.get("value") if reply.get("outcome") == "returned" else []
        step, problem = reply.get("step"), reply.get("problem")
        if not isinstance(captured, list) or type(step) is not int or not isinstance(problem, str | None):
            raise wire.WireError("bad script result")
        values: dict[tuple[int, str], Any] = {}
        for item in captured:
            if not (isinstance(item, list) and len(item) == 3 and type(item[0]) is int
                    and isinstance(item[1], str)):
                raise wire.WireError("bad script capture")
            values[(item[0], item[1][:200])] = wire.decode(item[2], body)
        record = self._returned(child, {**reply, "value": None}, body, elapsed)
        return dataclasses.replace(record, value=values, step=step,
                                   problem=outcomes.one_line(problem, 500) if problem else "")

    def _message(self, outcome: str, reply: dict[str, Any], error_type: str,
                 error_message: str) -> str:
        limits = self._limits
        if outcome == "returned":
            return "returned"
        if outcome == "raised":
            return outcomes.raised(error_type, error_message, reply.get("line"),
                                   reply.get("where"))
        if outcome == "exited":
            return "exited the interpreter (sys.exit)"
        if outcome == "memory":
            return f"exceeded the {outcomes.size(limits.memory_bytes)} memory limit"
        if outcome == "output-limit":
            return f"printed more than {outcomes.size(limits.output_stop_bytes)} of output"
        if outcome == "violation":
            seen = reply.get("violation")
            if isinstance(seen, list) and len(seen) == 2:
                return outcomes.violation(seen[0], seen[1])
            return outcomes.violation(None)
        reason = outcomes.one_line(reply.get("reason"), 200) or "a value of an unsupported type"
        return f"returned {reason}, which the grader cannot receive"


def _bindings(inject: Mapping[str, str], stand_ins: Sequence[str]) -> dict[str, Any]:
    """The part of a request header that binds names in the student's namespace for the call."""
    return {"inject": {str(k): str(v) for k, v in dict(inject).items()},
            "stand_ins": [str(name) for name in stand_ins]}


class _SentArgs:
    """The arguments a request sent for one call, decoded (by ``decode()``) when a reply first
    needs them: only for arguments the child sent back as ``wire.UNCHANGED``."""

    def __init__(self, decode: Callable[[], Sequence[Any]]) -> None:
        self._decode = decode
        self._args: Sequence[Any] | None = None

    def __call__(self) -> Sequence[Any]:
        if self._args is None:
            self._args = self._decode()
        return self._args


def _kept(item: dict[str, Any], index: int, sent: _SentArgs | None, returned: bool, value: Any) -> Any:
    """``args_after[index]`` for a marker the child sent instead of the argument: a copy
    (``wire.fresh``: arrays of its own, as a decoded one has) of the argument the request sent
    (``wire.UNCHANGED``) or of the reply's value or its item ``i`` (``wire.returned(i)``); a
    protocol error for anything else."""
    if item == wire.UNCHANGED:
        return _unchanged(sent, index)
    which = item.get("v")
    if len(item) != 2 or type(which) is not int or not returned:
        raise wire.WireError("bad args_after")
    if which == -1:
        return wire.fresh(value)
    if type(value) not in (tuple, list) or not 0 <= which < len(value):
        raise wire.WireError("bad args_after")
    return wire.fresh(value[which])


def _unchanged(sent: _SentArgs | None, index: int) -> Any:
    """``args_after[index]`` for a ``wire.UNCHANGED``: a copy of the argument the request sent;
    a protocol error for an argument the request did not send."""
    args = None if sent is None else sent()
    if args is None or not 0 <= index < len(args):
        raise wire.WireError("bad args_after")
    return wire.fresh(args[index])


class ForgedAnswer(Exception):
    """An answer a child's helper gave to a handed stand-in that the parent computes otherwise
    (its message names the helper and the stand-in)."""


def _recorded_calls(entries: Any, body: bytearray,
                    handed: Mapping[str, tuple[str, Callable[..., Any]]] | None = None,
                    ) -> tuple[tuple[str, Any], ...] | None:
    """The stand-in calls a child recorded (``[[name, encoded args or None, repeats, answer], ...]``,
    see :class:`Observed`), as ``(name, args tuple or None)`` per call; None when absent.

    ``answer`` is None for a call the parent answered, ``["v", encoded value]`` or ``["e",
    exception type name]`` for one the child's helper answered (its arguments kept, one call),
    which :func:`_confirm` recomputes with ``handed[name]`` (the stand-ins handed over during the
    call: ``name -> (helper, Observed.check)``; a record without a hand-over is malformed, and so
    is a hand-over without a record). Expands at most :data:`RECORDED_CALLS` calls. Raises
    :class:`ForgedAnswer` for an answer the parent computes otherwise, ``wire.WireError`` for a
    malformed record."""
    if entries is None:
        if handed:
            raise wire.WireError("no record of the stand-in calls after a hand-over")
        return None
    if not isinstance(entries, list) or not handed:
        raise wire.WireError("bad stand-in calls")
    calls: list[tuple[str, Any]] = []
    answered: list[tuple[str, list[Any], Any]] = []
    for entry in entries:
        if not (isinstance(entry, list) and len(entry) == 4 and isinstance(entry[0], str)
                and type(entry[2]) is int and 1 <= entry[2] <= RECORDED_CALLS - len(calls)):
            raise wire.WireError("bad stand-in call")
        name, args, answer = entry[0][:200], entry[1], entry[3]
        if args is None:
            if answer is not None:  # an answer the parent could not recompute
                raise wire.WireError("bad stand-in call")
            calls.extend([(name, None)] * entry[2])
            continue
        decoded = wire.decode(args, body)
        if not isinstance(decoded, list) or entry[2] != 1:
            raise wire.WireError("bad stand-in call")
        if answer is not None:
            answered.append((entry[0], decoded, answer))
        calls.append((name, tuple(decoded)))
    if answered:
        with memory_budget(STAND_IN_BUDGET_BYTES):  # trusted code on the student's arguments, one by one
            for name, decoded, answer in answered:
                _confirm(handed, name, decoded, answer, body)
    return tuple(calls)


def _confirm(handed: Mapping[str, tuple[str, Callable[..., Any]]], name: str, args: list[Any],
             answer: Any, body: bytearray) -> None:
    """Recompute the answer of a stand-in call the child's helper answered: ``check(*args)`` must
    be the child's value bit for bit (:func:`_same`, as is or as it would have crossed the wire),
    or raise an exception of the same type where the child's helper raised one (a
    ``MemoryError`` on either side then passes: the limits differ, and an error is only ever the
    student's loss; a value the parent cannot recompute within its memory budget is not
    confirmed). Raises :class:`ForgedAnswer` otherwise. Runs inside the caller's memory budget."""
    if name not in handed or not (isinstance(answer, list) and len(answer) == 2 and answer[0] in ("v", "e")):
        raise wire.WireError("bad stand-in answer")
    helper, check = handed[name]
    if answer[0] == "e" and not isinstance(answer[1], str):
        raise wire.WireError("bad stand-in answer")
    theirs = wire.decode(answer[1], body) if answer[0] == "v" else None
    mine: Any = None
    raised: str | None = None
    try:
        mine = check(*args)
    except Exception as exc:  # noqa: BLE001 - compared with what the child's helper raised
        raised = type(exc).__name__
    if answer[0] == "v":
        if raised is None and (_same(mine, theirs) or _same(_crossed(mine), theirs)):
            return
    else:
        if raised is None and _crossed(mine) is _UNSENDABLE:
            raised = "ValueError"  # what the parent's answer would have raised (Session._answer)
        if raised in (answer[1], "MemoryError") or answer[1] == "MemoryError":
            return
    raise ForgedAnswer(f"changed the course helper {helper[:80]} (its answer to {name[:40]}() differs from"
                       " the grader's)")


#: :func:`_crossed` of a value the wire cannot carry.
_UNSENDABLE = object()


def _crossed(value: Any) -> Any:
    """``value`` as it would arrive after crossing the wire (:data:`_UNSENDABLE` if it cannot)."""
    encoder = wire.Encoder(1 << 62)
    try:
        encoded = encoder.encode(value)
    except wire.Unencodable:
        return _UNSENDABLE
    return wire.decode(encoded, bytearray(b"".join(encoder.chunks)))


def _same(a: Any, b: Any) -> bool:
    """``a`` and ``b`` (decoded by ``wire.decode``) hold the same value to the bit: the same
    types, array dtypes, shapes and bytes, float bits (so ``-0.0`` differs from ``0.0`` and a
    NaN equals itself), dict keys in the same order."""
    kind = type(a)
    if kind is not type(b):
        return False
    if kind is np.ndarray:
        return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    if kind is float:
        return struct.pack("<d", a) == struct.pack("<d", b)
    if kind is complex:
        return struct.pack("<dd", a.real, a.imag) == struct.pack("<dd", b.real, b.imag)
    if kind is list or kind is tuple:
        return len(a) == len(b) and all(map(_same, a, b))
    if kind is dict:
        return len(a) == len(b) and all(_same(ka, kb) and _same(va, vb)
                                        for (ka, va), (kb, vb) in zip(a.items(), b.items(), strict=True))
    if isinstance(a, np.generic):
        return a.dtype == b.dtype and a.tobytes() == b.tobytes()
    return bool(a == b)


def _unit_dict(index: int, unit: Any) -> dict[str, Any]:
    def get(name: str) -> Any:
        return unit[name] if isinstance(unit, Mapping) else getattr(unit, name)

    kind = str(get("kind"))
    if kind not in ("import", "definition", "constant"):
        raise ValueError(f"unit {index}: kind must be import, definition or constant, not {kind!r}")
    return {"i": index, "kind": kind, "source": str(get("source")),
            "names": [str(n) for n in get("names")], "filename": str(get("filename")),
            "first_line": int(get("first_line"))}


def _compile_message(exc: BaseException, unit: dict[str, Any]) -> str:
    if isinstance(exc, SyntaxError):
        where = f" ({unit['filename']}, line {exc.lineno})" if exc.lineno else ""
        return f"{type(exc).__name__}: {exc.msg}{where}"
    return f"{type(exc).__name__}: the source could not be compiled ({outcomes.one_line(exc)})"


def _unit_message(reply: dict[str, Any]) -> str:
    if reply.get("ok") is True:
        return ""
    seen = reply.get("violation")
    if isinstance(seen, list) and len(seen) == 2:
        return outcomes.violation(seen[0], seen[1])
    if reply.get("exited"):
        return "exited the interpreter (sys.exit) while running its top-level code"
    error_type = outcomes.one_line(reply.get("error_type"), 100) or "Error"
    text = f"{error_type}: {outcomes.one_line(reply.get('error_message'))}"
    line, where = reply.get("line"), reply.get("where")
    if isinstance(line, int) and isinstance(where, str) and "ImportError" not in error_type \
            and error_type != "ModuleNotFoundError":
        text += f" ({outcomes.one_line(where, 100)}, line {line})"
    return text


def _output_text(reply: dict[str, Any], keep: int = 1 << 20) -> str:
    text, dropped = reply.get("output"), reply.get("dropped")
    if text == "" and (dropped is None or dropped == 0):  # the usual call prints nothing
        return ""
    text = outcomes.clean(text, keep)
    if isinstance(dropped, int) and dropped > 0:
        text += f"\n[... {dropped} more bytes dropped]"
    return text


def _failure(outcome: str, message: str, started: float) -> CallRecord:
    """A call that produced no reply (``args_after`` is unknown, hence empty)."""
    return CallRecord(outcome=outcome, value=None, args_after=(), error_type=None,
                      error_message=None, traceback=(), output="",
                      duration_s=time.monotonic() - started, message=message)
