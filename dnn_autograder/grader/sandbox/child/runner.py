"""The sandbox child's main loop: execute a student's units, then answer calls.

Talks to the parent over file descriptor 3 with ``wire`` frames. Parent -> child:
``{"op": "load", "units": [...]}``, ``{"op": "call", ...}``, ``{"op": "calls", ...}`` (several
calls of one function, one result each), ``{"op": "stand_in_result", ...}``, ``{"op": "verify"}``
(is the child still as the units left it: ``residue``), ``{"op": "close"}``.
Child -> parent: ``{"ev": "unit"}`` per unit, ``{"ev": "ready"}``, ``{"ev": "stand_in"}``,
``{"ev": "result"}``, ``{"ev": "verified"}``, ``{"ev": "dying"}`` (right before os._exit/abort),
``{"ev": "bad-request"}``.
"""

from __future__ import annotations

import _thread
import builtins
import gc
import itertools
import linecache
import marshal
import operator
import os
import posix
import random
import socket
import sys
import threading
import time
import types
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from . import dict_versions, guard, residue, script, wire
from .capture import Output, OutputFlood, TextWriter

_STUDENT = "<student:"
_MAX_FRAMES = 20


class Unit:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.index = int(spec["i"])
        self.kind = str(spec["kind"])
        self.names = tuple(spec["names"])
        self.label = str(spec["filename"])
        self.first_line = max(int(spec["first_line"]), 1)
        self.filename = f"{_STUDENT}{self.index}>"
        padded = "\n" * (self.first_line - 1) + str(spec["source"])
        lines = padded.splitlines(keepends=True)
        linecache.cache[self.filename] = (len(padded), None, lines, self.filename)
        self.code: Any = None


class Runner:
    def __init__(self, sock: socket.socket, settings: dict[str, Any]) -> None:
        self.sock = sock
        self.stream = wire.Stream(sock.recv)
        self.settings = settings
        self.units: dict[str, Unit] = {}
        self.output = Output(settings["output_bytes"], settings["output_stop_bytes"])
        self.violations = guard.Violations()
        self.module = types.ModuleType("__main__")
        self.namespace = self.module.__dict__
        self.send_lock = threading.Lock()
        self.pid = os.getpid()
        self.real_exit: Callable[[int], Any] = os._exit
        self.watched: list[tuple[dict[str, Any], dict[str, Any]]] = []
        self.watched_modules: list[types.ModuleType] = []
        #: ``unchanged()``: the watched modules hold what ``_snapshot`` saw (``_unchanged``)
        self.watched_unchanged: Callable[[], bool] = lambda: True
        #: ``[(namespace, view)]``: the watched modules' dicts with views of their headers
        #: (``dict_versions``), made in ``prepare`` while ctypes may still be used
        self.header_views: list[tuple[dict[str, Any], memoryview]] = []
        #: the worker's copies of the standard watched modules (``_WARM_COPIES``), taken over by
        #: ``prepare``: from then on only this runner holds them
        self.warm_copies: list[tuple[dict[str, Any], memoryview, int, dict[str, Any]]] = []
        self.scratch = "."
        #: the state the units left (``residue.record``), or why it could not be taken
        self.baseline: residue.Baseline | str = "not loaded"
        #: the stand-in calls of the call running now (``_bindings``), sent with its result
        self._record: _Record | None = None
        #: report(code, detail) on the report channel; set up by ``prepare``
        self.report: Callable[[str, str], None] = lambda code, detail: None
        #: this instance's own sender (see ``_make_sender``): patching the class cannot reach it
        self.send = self._make_sender(lambda: "")

    # --- framing -------------------------------------------------------------------------
    def _make_sender(self, tampered: Callable[[], str]) -> Callable[..., None]:
        """``send(header, encoder=None)``. Before each frame it checks that the runner's code is
        the code that was loaded (``tampered()`` says what changed): if not, the attempt is
        reported first and the child is marked for replacement. Only what it needs is captured:
        nothing here leads back to this runner."""
        pack, sendall, lock, report = wire.pack, self.sock.sendall, self.send_lock, self.report

        def send(header: dict[str, Any], encoder: wire.Encoder | None = None) -> None:
            changed = tampered()
            if changed:
                report("tamper", f"patched the grader's runner ({changed})")
                if header.get("ev") == "result":
                    header = {**header, "recycle": True}
                elif header.get("ev") == "verified":
                    header = {**header, "clean": False}
            frame = pack(header, encoder)
            with lock:
                sendall(frame)

        return send

    def recv(self) -> tuple[dict[str, Any], bytearray]:
        try:
            return self.stream.read()
        except EOFError:
            self.real_exit(0)  # the parent went away
            raise

    # --- setup ---------------------------------------------------------------------------
    def prepare(self, scratch: str, test_modules: frozenset[str], audit: bool) -> None:
        """Everything that must be in place before the first line of student code. What student
        code can reach afterwards (``os._exit``, ``warnings.showwarning``, stand-ins, the import
        finder) holds closures over plain functions and the channel, never this runner."""
        sys.modules["__main__"] = self.module
        self.namespace["__builtins__"] = builtins
        self.scratch = scratch
        self.stdout, self.stderr = TextWriter(self.output, 1), TextWriter(self.output, 2)
        sys.stdout, sys.stderr = self.stdout, self.stderr  # type: ignore[assignment]
        sys.argv = ["submission"]
        builtins.exit = builtins.quit = _exit_builtin  # type: ignore[assignment]
        labels: dict[Any, Any] = {}
        self.labels = labels
        warnings.showwarning = _warning_printer(labels)
        dying = _last_words(self.sock.sendall, self.pid, self.real_exit)
        os._exit = posix._exit = dying  # type: ignore[assignment]
        os.abort = posix.abort = lambda: dying(134, "os.abort()")  # type: ignore[assignment,return-value]
        linecache.updatecache = _no_source  # type: ignore[assignment]  # the units' are cached
        # both before the hook and the forgetting: views of dict headers need ctypes (and gc)
        tampered = _WARM[0] if _WARM else _integrity_check()
        self.warm_copies, _WARM_COPIES[:] = list(_WARM_COPIES), []
        self.header_views = self._header_views()
        _forget_the_worker()  # before the hook: it uses ctypes one last time
        guard.install_finder(test_modules, self.violations)
        if audit:
            self.report = guard.make_reporter(guard.REPORTS, self.real_exit)
            guard.install_audit_hook(scratch, self.violations,
                                     guard.make_reporter(guard.REPORTS, self.real_exit),
                                     trusted_code=_trusted_readers())
        self.send = self._make_sender(tampered)

    # --- loading -------------------------------------------------------------------------
    def load(self, specs: list[dict[str, Any]], code: bytearray) -> None:
        timeline = self.settings["timeline"]
        timeline.append(("load received", time.perf_counter()))
        self.output.begin()
        restore_threads = _refuse_threads()
        try:
            for spec in specs:
                unit = Unit(spec)
                self.units[unit.filename] = unit
                self.labels[unit.filename] = unit.label
                offset, size = spec["code"]
                unit.code = marshal.loads(code[offset:offset + size])
                self.send({"ev": "unit", "i": unit.index, **self._run_unit(unit)})
        finally:
            restore_threads()
        text, dropped = self.output.finish()
        callables = [name for name, value in self.namespace.items()
                     if callable(value) and not isinstance(value, guard.Missing)
                     and not name.startswith("__")]
        self._snapshot()
        self.baseline = residue.record(self.namespace, self.watched_modules, self.scratch)
        timeline.append(("units executed", time.perf_counter()))
        unshareable = self.baseline if isinstance(self.baseline, str) else ""
        self.send({"ev": "ready", "callables": callables, "layers": self.settings["layers"],
                   "output": text, "dropped": dropped, "timeline": timeline,
                   "shareable": not unshareable, "unshareable": unshareable[:200]})

    def verify(self) -> None:
        """Answer whether the child is still as its units left it (``residue``): only then may
        it serve another function's calls. The random generators are put back either way."""
        baseline = self.baseline
        differs = baseline if isinstance(baseline, str) else residue.compare(
            baseline, self.namespace, self.watched_modules, self.scratch)
        self.send({"ev": "verified", "clean": not differs, "differs": differs[:200]})


    def _run_unit(self, unit: Unit) -> dict[str, Any]:
        self.violations.take()
        try:
            exec(unit.code, self.namespace)
            error: BaseException | None = None
        except ImportError as exc:
            error = exc
            if unit.kind == "import":
                message = guard.missing_message(exc)
                for name in unit.names:
                    if name != "*" and name not in self.namespace:
                        self.namespace[name] = guard.Missing(message)
        except SystemExit:
            return {"ok": False, "exited": "sys.exit", "violation": self._violation()}
        except BaseException as exc:  # a failing unit never stops the others
            error = exc
        if self.output.flooded:  # the next unit may print again
            self.output.total, self.output.flooded = len(self.output.kept), False
        result: dict[str, Any] = {"ok": error is None, "violation": self._violation()}
        if error is not None:
            result.update(self._describe(error))
        return result

    def _violation(self) -> list[str] | None:
        seen = self.violations.take()
        return list(seen[0]) if seen else None

    # --- calls ---------------------------------------------------------------------------
    def call(self, header: dict[str, Any], body: bytearray) -> None:
        name = str(header["fn"])
        sent = header["args"]
        original = _as_sent(body)
        args = wire.decode(sent, body)

        def action() -> Any:
            return self._lookup(name)(*args)

        done = self._invoke(header, action)
        if done is not None:
            outcome, value, error, duration, recycle = done
            self._reply(outcome, value, error, args, duration, recycle, sent=(sent, original), **self._recorded())

    def calls(self, header: dict[str, Any], body: bytearray) -> None:
        """Several calls of one function, in order, each as for ``call`` (its own seed, the
        same bindings) with one result frame each, which carries the call's ``index``. Stops
        early, as the parent does (which kills a child that goes on), after a call that neither
        returned nor raised, after ``max_raised + 1`` that raised, after one that needs a fresh
        child (``recycle``), or once its CPU time reaches ``cpu_stop``."""
        name = str(header["fn"])
        items = header["calls"]
        max_raised, cpu_stop = int(header["max_raised"]), float(header["cpu_stop"])
        raised = 0
        original = _as_sent(body)
        for index, item in enumerate(items):
            sent = item["args"]
            args = wire.decode(sent, body)
            one = {"inject": header.get("inject"), "stand_ins": header.get("stand_ins"),
                   "seed": item.get("seed")}

            def action(args: Any = args) -> Any:
                return self._lookup(name)(*args)

            done = self._invoke(one, action)
            if done is None:
                return  # a bad request, answered
            outcome, value, error, duration, recycle = done
            del done
            reply = self._reply(outcome, value, error, args, duration, recycle, sent=(sent, original),
                                **self._recorded({"index": index}))
            del value, error, args
            raised += reply["outcome"] == "raised"
            if reply["outcome"] not in ("returned", "raised") or raised > max_raised or reply["recycle"] \
                    or reply["cpu"] >= cpu_stop:
                return

    def script(self, header: dict[str, Any], body: bytearray) -> None:
        """Run a script case (``script.Script``): each compared value is encoded right after
        its step (a later step may change it in place); the reply's value is
        ``[[step, name, encoded], ...]`` and ``step`` says which step ran last."""
        inputs = wire.decode(header["inputs"], body)
        steps = wire.decode(header["steps"], body)
        if not isinstance(inputs, dict) or not isinstance(steps, list):
            self.send({"ev": "bad-request", "message": "a script needs inputs and steps"})
            return
        encoder = wire.Encoder(self.settings["return_bytes"], snapshot=True)  # a later step may update it
        captured: list[list[Any]] = []
        run = script.Script(inputs, self._lookup)

        def capture(step: int, name: str, value: Any) -> None:
            try:
                captured.append([step, name, encoder.encode(value)])
            except wire.Unencodable as exc:
                raise _Unsupported(f"{name} = {exc}") from None

        def action() -> Any:
            try:
                run.run(steps, capture)
            except script.ScriptShapeError as exc:
                return str(exc)
            return None

        done = self._invoke(header, action)
        if done is None:
            return
        outcome, problem, error, duration, recycle = done
        extra: dict[str, Any] = {"step": run.step, "problem": problem if outcome == "returned" else None}
        if isinstance(error, _Unsupported):
            extra["reason"] = str(error)[:300]
            outcome, error = "unsupported-return", None
        self._reply(outcome, captured, error, [], duration, recycle, encoded=True,
                    **self._recorded(extra, encoder))

    def _lookup(self, name: str) -> Any:
        function = self.namespace.get(name)
        if not callable(function) or isinstance(function, guard.Missing):
            raise NameError(f"name {name!r} is not defined")
        return function

    def _invoke(self, header: dict[str, Any], action: Callable[[], Any]
                ) -> tuple[str, Any, BaseException | None, float, bool] | None:
        """Run ``action()`` as a call of the student's code: with the header's bindings and
        seed, output captured, the watched modules restored afterwards. Returns ``(outcome,
        value, error, duration, recycle)``, or None after answering a bad request."""
        saved: dict[str, Any] = {}
        try:
            bindings = self._bindings(header)
        except LookupError as exc:
            self.send({"ev": "bad-request", "message": str(exc)})
            return None
        for key, bound in bindings.items():
            saved[key] = self.namespace.get(key, _ABSENT)
            self.namespace[key] = bound
        if header.get("seed") is not None:
            np.random.seed(int(header["seed"]))
            random.seed(int(header["seed"]))
        self.namespace.pop("__warningregistry__", None)
        warnings._filters_mutated()  # type: ignore[attr-defined]  # warnings show every call
        # the student may have replaced them in an earlier call
        sys.stdout, sys.stderr = self.stdout, self.stderr  # type: ignore[assignment]
        self.output.begin()
        self.violations.take()
        value: Any = None
        error: BaseException | None = None
        outcome, started = "returned", time.perf_counter()
        try:
            value = action()
        except OutputFlood:
            outcome = "output-limit"
        except SystemExit:
            outcome = "exited"
        except MemoryError as exc:
            outcome, error = "memory", exc
        except BaseException as exc:
            outcome, error = "raised", exc
        recycle = self._restore()
        duration = time.perf_counter() - started
        self._only_us()
        for key, old in saved.items():
            if old is _ABSENT:
                self.namespace.pop(key, None)
            else:
                self.namespace[key] = old
        return outcome, value, error, duration, recycle

    def _bindings(self, header: dict[str, Any]) -> dict[str, Any]:
        bindings: dict[str, Any] = {}
        for name, target in dict(header.get("inject") or {}).items():
            module_name, _, attribute = str(target).rpartition(".")
            module = sys.modules.get(module_name)
            if module is None or not hasattr(module, attribute):
                raise LookupError(f"cannot inject {name!r}: {target!r} is not in the sandbox")
            bindings[str(name)] = getattr(module, attribute)
        # the call's stand-ins share one record, used once the parent hands one to a course helper
        record = self._record = _Record(self.settings["return_bytes"]) if header.get("stand_ins") else None
        for name in header.get("stand_ins") or ():
            bindings[str(name)] = self._stub(str(name), record)
        return bindings

    def _recorded(self, extra: dict[str, Any] | None = None, encoder: wire.Encoder | None = None
                  ) -> dict[str, Any]:
        """``_reply``'s ``extra`` and ``encoder`` for the call that just ran: when the parent
        handed one of its stand-ins to a course helper (``_Record``), ``extra`` also carries
        ``stand_in_calls`` (``[[name, encoded args or None, repeats, answer], ...]``), whose
        arrays are in ``encoder``'s body before the result's (which keeps its whole ``return_bytes``)."""
        record, self._record = self._record, None
        if record is None or record.budget is None:
            return {"extra": extra, "encoder": encoder}
        encoder = encoder or wire.Encoder(self.settings["return_bytes"])
        encoder.max_bytes += record.budget + record.answer_budget
        return {"extra": {**(extra or {}), "stand_in_calls": record.encoded(encoder)}, "encoder": encoder}

    def _reply(self, outcome: str, value: Any, error: BaseException | None, args: Any,
               duration: float, recycle: bool, *, encoder: wire.Encoder | None = None,
               encoded: bool = False, extra: dict[str, Any] | None = None,
               sent: tuple[Any, bytes | None] | None = None) -> dict[str, Any]:
        """Send a call's result (and return its header). ``encoded``: ``value`` is already
        encoded with ``encoder`` (a script's captures). ``sent``: the encoded ``args`` as the
        request held them and the request's body as received (see :func:`_args_after`)."""
        seen = self.violations.take()
        if self.output.flooded:
            outcome = "output-limit"
        elif seen:
            outcome = "violation"
        reply: dict[str, Any] = {"ev": "result", "outcome": outcome, "duration": duration,
                                 "violation": list(seen[0]) if seen else None, **(extra or {})}
        encoder = encoder or wire.Encoder(self.settings["return_bytes"])
        if encoded:
            reply["value"] = value if outcome == "returned" else []
        elif outcome == "returned":
            reply["aliases"] = _aliases(value)
            try:
                reply["value"] = encoder.encode(value)
            except MemoryError:
                reply["outcome"], encoder = "memory", wire.Encoder(self.settings["return_bytes"])
            except BaseException as exc:
                reason = str(exc) if isinstance(exc, wire.Unencodable) else wire.describe(value)
                reply.update(outcome="unsupported-return", reason=reason[:300])
                encoder = wire.Encoder(self.settings["return_bytes"])
        if error is not None and outcome in ("raised", "memory", "violation"):
            reply.update(self._describe(error))
        sent_value = "value" in reply and not encoded and reply["outcome"] == "returned"
        reply["args_after"] = _args_after(encoder, args, sent, value if sent_value else _ABSENT)
        reply["output"], reply["dropped"] = self.output.finish()
        reply["recycle"] = recycle
        reply["cpu"] = time.process_time()
        self.send(reply, encoder)
        return reply

    @staticmethod
    def _encode_arg(encoder: wire.Encoder, arg: Any) -> Any:
        try:
            return encoder.encode(arg)
        except BaseException:
            return {"t": "x", "type": type(arg).__name__[:80]}

    def _only_us(self) -> None:
        """A process the student's code forked (only possible with layers disabled) must never
        talk to the parent: it would corrupt the conversation."""
        if os.getpid() != self.pid:
            self.real_exit(0)

    # --- stand-ins -----------------------------------------------------------------------
    def _stub(self, name: str, record: _Record | None = None) -> Callable[..., Any]:
        """A stand-in for ``name``: it forwards its arguments to the parent over the channel
        (which student code may write to anyway); it holds no reference to this runner. Once
        the parent's answer hands ``name`` to a course helper (``"observe"``), the helper
        answers here instead (``_Record.answer``, which leaves to the parent the calls it cannot
        record with their answers), and from the first such answer on every stand-in call of
        the call is recorded in ``record``."""
        send, read, pid = self.send, self.stream.read, self.pid
        real_exit, limit = self.real_exit, self.settings["return_bytes"]

        def stand_in(*args: Any, **kwargs: Any) -> Any:
            if os.getpid() != pid:
                real_exit(0)
            helper = None if record is None else record.helpers.get(name)
            if helper is not None:
                answered = record.answer(name, helper, args, kwargs)  # type: ignore[union-attr]
                if answered is not _ASK_PARENT:
                    return answered
            encoder = wire.Encoder(limit)
            try:
                encoded = {"args": encoder.encode(list(args)),
                           "kwargs": encoder.encode(dict(kwargs))}
            except wire.Unencodable as exc:
                raise TypeError(f"{name}() cannot be given {exc} in the grader") from None
            if record is not None and record.budget is not None:
                record.add(name, wire.decode(encoded["args"], bytearray(b"".join(encoder.chunks))))
            send({"ev": "stand_in", "name": name, **encoded}, encoder)
            try:
                header, body = read()
            except EOFError:
                real_exit(0)
                raise
            if header.get("op") != "stand_in_result":
                real_exit(72)
            if header.get("ok"):
                if record is not None and header.get("observe") is not None:
                    record.hand_over(name, header.get("observe"))
                return wire.decode(header.get("value"), body)
            raise _rebuild(str(header.get("error_type")), str(header.get("error_message")))

        stand_in.__name__ = stand_in.__qualname__ = name
        return stand_in

    # --- diagnostics ---------------------------------------------------------------------
    def _describe(self, error: BaseException) -> dict[str, Any]:
        try:
            message = str(error)[:2000]
        except BaseException:
            message = "<the exception could not be printed>"
        frames, line, label = [], None, None
        tb = error.__traceback__
        while tb is not None:  # read here (trusted by the audit hook), never handed out
            code, lineno, tb = tb.tb_frame.f_code, tb.tb_lineno, tb.tb_next
            unit = self.units.get(code.co_filename)
            if unit is None:
                continue
            source = linecache.getline(unit.filename, lineno).strip()
            frames.append(f"{unit.label}, line {lineno}, in {code.co_name}: {source}")
            line, label = lineno, unit.label
        if len(frames) > _MAX_FRAMES:
            hidden = len(frames) - _MAX_FRAMES
            frames = [*frames[:5], f"[... {hidden} more frames]", *frames[-(_MAX_FRAMES - 5):]]
        return {"error_type": type(error).__name__[:100], "error_message": message,
                "traceback": [f[:500] for f in frames], "line": line, "where": label}

    def _watched_names(self) -> list[str]:
        """The modules every call (and this runner) relies on."""
        return [*_WATCHED_MODULES, *self.settings.get("course_modules", ())]

    def _header_views(self) -> list[tuple[dict[str, Any], memoryview]]:
        """Views of the headers of the watched modules' dicts as ``sys.modules`` has them now
        (the worker's, ``warm_copies``, and ``dict_versions.header_views`` for the others, the
        course's; only before confinement), for ``_snapshot``."""
        views = [(namespace, view) for namespace, view, _, _ in self.warm_copies]
        namespaces = [vars(sys.modules[name]) for name in self._watched_names() if name in sys.modules]
        others = [namespace for namespace in namespaces if _found(views, namespace) is None]
        made = dict_versions.header_views(others)
        return views + [(namespace, view) for namespace, view in zip(others, made, strict=True) if view is not None]

    def _snapshot(self) -> None:
        """Remember the modules every call (and this runner) relies on: each module's dict
        with a copy of it, and the view of its header ``prepare`` made (None for a module the
        units put in ``sys.modules`` since: that one is always compared entry by entry). Its
        version tag is read before the copy is taken (so the check starts from it); when it is
        still the tag the worker read before its own copy (``warm_copies``: nothing changed the
        module since, neither there nor here), that copy is the module as it is now."""
        names = self._watched_names()
        modules = [sys.modules[name] for name in names if name in sys.modules]
        self.watched_modules = modules
        self.watched = []
        views: list[memoryview | None] = []
        tags: list[int] = []
        for module in modules:
            current = vars(module)
            view = _found(self.header_views, current)
            tag = None if view is None else dict_versions.tag(view)
            saved = None
            for namespace, _, warm_tag, copy in self.warm_copies:
                if namespace is current and warm_tag == tag:
                    saved = copy
            self.watched.append((current, dict(current) if saved is None else saved))
            views.append(view)
            if tag is not None:
                tags.append(tag)
        self.watched_unchanged = _unchanged(self.watched, views, tags)

    def _restore(self) -> bool:
        """Undo what the call patched in those modules (so this runner works); True if it
        patched anything or left threads running: the parent then starts a fresh child before
        the next call, so one function cannot affect another. A module is unchanged when each
        of its names is bound to the very object it was bound to (by identity: a replacement
        whose ``__eq__`` says True, or an equal number, is a change) and it has no other
        (``_unchanged``: about the cost of ``dict ==``, for all of them at once); only when
        that sees a change is each module compared, by identity, and put back. While no watched
        dict was mutated at all (their version tags, ``dict_versions``) that costs one read per
        module."""
        if self.watched_unchanged():
            return _thread._count() > 0
        changed = False
        for current, saved in self.watched:
            if len(current) != len(saved) or any(current.get(key, _ABSENT) is not value
                                                 for key, value in saved.items()):
                current.update(saved)
                changed = True
        return changed or _thread._count() > 0

    # --- main loop -----------------------------------------------------------------------
    def serve(self) -> None:
        while True:
            header, body = self.recv()
            op = header.get("op")
            if op == "call":
                self.call(header, body)
            elif op == "script":
                self.script(header, body)
            elif op == "calls":
                self.calls(header, body)
            elif op == "load":
                self.load(list(header["units"]), body)
            elif op == "verify":
                self.verify()
            elif op == "close":
                self.real_exit(0)
            else:
                self.real_exit(72)


_ABSENT = object()
#: The modules a call must leave as the units left them (``Runner._snapshot``), besides the course's.
_WATCHED_MODULES = ("builtins", "numpy", "numpy.linalg", "numpy.random", "math", "random", "json",
                    "json.encoder", "json.decoder", "struct", "os", "time", "warnings", "socket")


class _Unsupported(Exception):
    """A compared value of a script that cannot be sent (its message says which and why)."""


#: What :meth:`_Record.answer` returns for a call it leaves to the parent.
_ASK_PARENT = object()


class _Record:
    """The stand-in calls of one call, once the parent has handed a stand-in to a course helper
    (an answer with ``"observe": {"helper": "module.attr", "kept_bytes": n, "answer_bytes": a,
    "kept_calls": c}``): from then on that stand-in is answered here, by the helper, and every
    stand-in call is recorded here (the parent recorded the ones before). What the parent's
    answer would have been, done in the child: the helper gets the arguments as they would cross
    the wire (copies, taken at the call), its value comes back as a copy the same way, an
    exception it raises is raised again as the parent's would be (``_rebuild``), and NumPy's
    floating-point warnings and errors are not the student's (neither shown nor raised under the
    student's ``np.seterr``). Its time counts towards the call's deadline (the parent's answers
    do not).

    Positional arguments are kept by value while their :func:`_kept_size` fits in the budget
    (``kept_bytes``, the rest of the parent's); past it a call keeps only its name (None). At
    most ``kept_calls`` calls are recorded (the rest are not). A call the helper answers is
    recorded with its arguments and its answer (the value, as the student got it, within
    ``answer_bytes`` in all as its encoder counts it, or the exception's type), each a copy of its
    own taken at the call (the bytes of its encoding),
    which the parent recomputes afterwards (``session._confirm``): a helper that student code
    changed only costs the call. A call that cannot be recorded so (keyword arguments, past a
    budget or the count) is left to the parent (:data:`_ASK_PARENT`)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.helpers: dict[str, Callable[..., Any]] = {}
        self.budget: int | None = None  #: None until the first hand-over
        self.answer_budget = 0
        self.max_calls = 0
        self.kept = 0
        self.answered = 0  #: bytes of the answers kept
        self.count = 0  #: calls recorded
        self.calls: list[tuple[str, Any, Any]] = []  #: (name, args or None, answer or None)

    def hand_over(self, name: str, observe: Any) -> None:
        if not isinstance(observe, dict):
            return
        if self.budget is None:
            self.budget = _count(observe.get("kept_bytes"))
            self.answer_budget = _count(observe.get("answer_bytes"))
            self.max_calls = _count(observe.get("kept_calls"))
        module_name, _, attribute = str(observe.get("helper")).rpartition(".")
        helper = getattr(sys.modules.get(module_name), attribute, None)
        if callable(helper):
            self.helpers[name] = helper

    def add(self, name: str, args: Any) -> None:
        """Record a call the parent answers."""
        if self.count >= self.max_calls:
            return
        self.count += 1
        size = _kept_size(args)
        if self.budget is not None and self.kept + size <= self.budget:
            self.kept += size
            self.calls.append((name, args, None))
        else:
            self.calls.append((name, None, None))

    def answer(self, name: str, helper: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
        """The helper's answer to ``name(*args)`` (recorded), or :data:`_ASK_PARENT`."""
        if kwargs or self.count >= self.max_calls or self.budget is None:
            return _ASK_PARENT
        encoder = wire.Encoder(self.limit)
        try:
            encoded = encoder.encode(list(args))
        except wire.Unencodable as exc:
            raise TypeError(f"{name}() cannot be given {exc} in the grader") from None
        kept = _Encoded(encoded, b"".join(encoder.chunks))  # the record's copy, as sent
        del encoder
        size = _encoded_size(encoded)
        if self.kept + size > self.budget:
            return _ASK_PARENT
        sent = wire.decode(encoded, bytearray(kept.data))  # the helper's own copy
        try:
            with np.errstate(all="ignore"):
                value = helper(*sent)
        except MemoryError:
            self._keep(name, kept, size, ("e", "MemoryError"))
            raise MemoryError(f"{name}() needs more memory than the grader allows for these"
                              " arguments: check their shapes") from None
        except Exception as exc:
            self._keep(name, kept, size, ("e", type(exc).__name__))
            raise _rebuild(type(exc).__name__, str(exc)[:2000]) from None
        del sent
        out = wire.Encoder(self.limit)
        try:
            returned = out.encode(value)
        except wire.Unencodable as exc:
            self._keep(name, kept, size, ("e", "ValueError"))
            raise ValueError(f"{name}() would return {exc}: check its arguments") from None
        del value
        answer = _Encoded(returned, b"".join(out.chunks))  # the record's copy, as the student gets it
        answer_size = out.size  # its data and an estimate of its header (the encoder's own count)
        del out
        if self.answered + answer_size > self.answer_budget:
            return _ASK_PARENT
        self.answered += answer_size
        self._keep(name, kept, size, ("v", answer))
        return wire.decode(returned, bytearray(answer.data))  # the student's copy

    def _keep(self, name: str, args: _Encoded, size: int, answer: tuple[str, Any]) -> None:
        self.count += 1
        self.kept += size
        self.calls.append((name, args, answer))

    def encoded(self, encoder: wire.Encoder) -> list[list[Any]]:
        """``[[name, encoded args or None, repeats, answer], ...]``, ``answer`` None (the parent
        answered), ``["v", encoded value]`` or ``["e", exception type name]``: consecutive calls
        of one name that kept only their name are one entry."""
        entries: list[list[Any]] = []
        for name, args, answer in self.calls:
            if args is None and entries and entries[-1][0] == name and entries[-1][1] is None:
                entries[-1][2] += 1
            elif args is None:
                entries.append([name, None, 1, None])
            elif type(args) is _Encoded:
                if answer is not None and answer[0] == "v":
                    answer = ["v", answer[1].into(encoder)]
                elif answer is not None:
                    answer = list(answer)
                entries.append([name, args.into(encoder), 1, answer])
            else:
                entries.append([name, encoder.encode(args), 1, None])
        return entries


class _Encoded:
    """A value as one ``wire.Encoder`` encoded it (``encoded``) with that encoder's body
    (``data``, bytes: nothing writes to it); :meth:`into` makes it part of another encoder's."""

    __slots__ = ("encoded", "data")

    def __init__(self, encoded: Any, data: bytes) -> None:
        self.encoded, self.data = encoded, data

    def into(self, encoder: wire.Encoder) -> Any:
        """``encoded`` for ``encoder``: ``data`` appended to its body where it would put the next
        array (16-byte aligned, so every array stays aligned), each array's offset moved with it.
        Counts towards ``encoder.size`` as the arrays would (data plus 64 each, and the padding)."""
        base = (encoder.body_len + 15) // 16 * 16
        arrays = _moved(self.encoded, base)
        if self.data:
            if base > encoder.body_len:
                encoder.chunks.append(bytes(base - encoder.body_len))
            encoder.chunks.append(self.data)
            encoder.size += base - encoder.body_len + len(self.data) + 64 * arrays
            encoder.body_len = base + len(self.data)
        return self.encoded


def _moved(encoded: Any, base: int) -> int:
    """Add ``base`` to the offset of every array in ``encoded`` (in place); how many there are."""
    if type(encoded) is not dict:
        return 0
    tag = encoded.get("t")
    if tag == "a":
        encoded["o"] += base
        return 1
    if tag in ("l", "u"):
        return sum(_moved(item, base) for item in encoded["v"])
    if tag == "d":
        return sum(_moved(item, base) for item in encoded["k"]) + sum(_moved(item, base) for item in encoded["v"])
    return 0


def _encoded_size(encoded: Any) -> int:
    """:func:`_kept_size` of what ``wire.decode(encoded, ...)`` returns, read from the encoding."""
    kind = type(encoded)
    if kind is str:
        return 50 + len(encoded)
    if kind is not dict:
        return 32
    tag = encoded.get("t")
    if tag == "a":
        return int(encoded["n"]) + 112
    if tag in ("l", "u"):
        items = encoded["v"]
        return 56 + 8 * len(items) + sum(_encoded_size(item) for item in items)
    if tag == "d":
        keys, items = encoded["k"], encoded["v"]
        return 64 + sum(map(_encoded_size, keys)) + sum(map(_encoded_size, items))
    return 32


def _count(value: Any) -> int:
    """A budget the parent sent: an int >= 0 (0 for anything else)."""
    return max(value, 0) if type(value) is int else 0


def _kept_size(value: Any) -> int:
    """``grader.values.retained_bytes`` of a value as ``wire.decode`` returns it (arrays by
    their data plus 112, str 50 plus its length, list and tuple 56 plus 8 per item, dict 64,
    anything else 32, containers plus their items), so the child keeps exactly the calls the
    parent would."""
    kind = type(value)
    if kind is np.ndarray:
        return int(value.nbytes) + 112
    if kind is str:
        return 50 + len(value)
    if kind is list or kind is tuple:
        return 56 + 8 * len(value) + sum(_kept_size(item) for item in value)
    if kind is dict:
        return 64 + sum(_kept_size(key) + _kept_size(item) for key, item in value.items())
    return 32


#: A request body up to this size is kept as received (``_as_sent``) so that the arguments a call
#: leaves as they were can go back as markers; a larger one is not copied (its arguments go back
#: encoded, as they are), so a call never runs with more than this much extra memory.
_SENT_COPY_BYTES = 8 << 20


def _as_sent(body: bytearray) -> bytes | None:
    """A copy of a request's ``body`` as received, taken before any call can write into the
    arrays decoded from it; None past :data:`_SENT_COPY_BYTES`."""
    return bytes(body) if len(body) <= _SENT_COPY_BYTES else None


def _args_after(encoder: wire.Encoder, args: Any, sent: tuple[Any, bytes | None] | None,
                value: Any = _ABSENT) -> list[Any]:
    """``args_after`` of a reply, each argument as the parent reads it: ``wire.UNCHANGED`` when
    the call left it exactly as the request sent it (``wire.unchanged``; ``sent``: the encoded
    argument list and the body as received, ``_as_sent``); ``wire.returned(i)`` when it is a dict, list or
    array that is the very object the reply's value is (``i = -1``) or holds as item ``i`` of a
    returned tuple or list (``value``: the value the reply carries, ``_ABSENT`` when none);
    else encoded as it is now (``{"t": "x"}`` for one that cannot be)."""
    encoded, original = sent if sent is not None else (None, b"")
    items = encoded.get("v") if type(encoded) is dict and encoded.get("t") == "l" else None
    if type(items) is not list or len(items) != len(args) or original is None:
        items = None
    parts = value if type(value) in (tuple, list) and len(value) <= 64 else ()
    unchanged, marker = wire.unchanged, wire.UNCHANGED
    after: list[Any] = []
    for index, arg in enumerate(args):
        if items is not None and original is not None:
            try:
                same = unchanged(arg, items[index], original)
            except Exception:  # cannot tell: sent as it is
                same = False
            if same:
                after.append(marker)
                continue
        if value is not _ABSENT and type(arg) in (dict, list, np.ndarray):
            if arg is value:
                after.append(wire.returned(-1))
                continue
            held = next((i for i, part in enumerate(parts) if part is arg), None)
            if held is not None:
                after.append(wire.returned(held))
                continue
        after.append(Runner._encode_arg(encoder, arg))
    return after


def _exit_builtin(code: Any = None) -> None:
    raise SystemExit(code)


def _rebuild(type_name: str, message: str) -> BaseException:
    """The exception a stand-in raised in the parent, as an exception of the same builtin type
    (RuntimeError for anything else)."""
    kind = getattr(builtins, type_name, None)
    if isinstance(kind, type) and issubclass(kind, Exception):
        try:
            return kind(message)
        except Exception:
            pass
    return RuntimeError(f"{type_name}: {message}")


def _aliases(value: Any) -> list[list[int]]:
    """Pairs ``[i, j]`` of items of a returned tuple or list that are the same dict or list
    object (``v = s = {}``): the wire sends values, so only the child can see the sharing."""
    if type(value) not in (tuple, list) or len(value) > 64:
        return []
    pairs: list[Any] = []
    for i, first in enumerate(value):
        if type(first) in (dict, list):
            pairs.extend([i, j] for j in range(i + 1, len(value)) if value[j] is first)
    return pairs


def _no_source(filename: str, module_globals: Any = None) -> list[str]:
    """``linecache.updatecache`` in the child: library sources are not readable there (a
    traceback printed by student code shows file names and line numbers only)."""
    return []


def _last_words(sendall: Callable[[bytes], Any], pid: int,
                real_exit: Callable[[int], Any]) -> Callable[..., None]:
    """What ``os._exit``/``os.abort`` become: tell the parent how the child is going, then go."""
    pack, getpid = wire.pack, posix.getpid

    def exit_now(code: Any = 0, how: str | None = None) -> None:
        if getpid() == pid:
            try:
                sendall(pack({"ev": "dying", "how": how or f"os._exit({code!r})"[:40]}))
            except BaseException:
                pass
        real_exit(code if isinstance(code, int) else 1)

    return exit_now


def _warning_printer(labels: dict[str, str]) -> Callable[..., None]:
    """``warnings.showwarning`` in the child: one line on stderr, with the unit's label."""

    def show(message: Any, category: type, filename: str, lineno: int, file: Any = None,
             line: Any = None) -> None:
        label = labels.get(filename)
        where = f"{label}, line {lineno}: " if label else ""
        sys.stderr.write(f"{where}{category.__name__}: {message}\n")

    return show


def _refuse_threads() -> Callable[[], None]:
    """While the units run: starting a thread raises. Top-level code runs again in every fresh
    child, so a thread it left would spin through every later call. Returns the undo."""

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("[sandbox] top-level code may not start threads (it runs again in "
                           "every fresh child); start them inside a function")

    saved = [(module, name, getattr(module, name)) for module, name in
             ((_thread, "start_new_thread"), (_thread, "start_new"),
              (threading, "_start_new_thread")) if hasattr(module, name)]
    for module, name, _ in saved:
        setattr(module, name, refused)

    def restore() -> None:
        for module, name, original in saved:
            setattr(module, name, original)

    return restore


def _integrity_check() -> Callable[[], str]:
    """``changed()``: ``""`` while the child-side modules (runner, guard, wire, capture, script,
    residue, dict_versions) and their classes hold what they held now; else the name of the
    first thing that differs.

    It runs before every frame, so the common case is one read of each namespace's version tag
    (nothing mutated: :func:`_versioned`), else one check of all the namespaces (~350 entries)
    at about the cost of ``dict ==``, by identity only (:func:`_unchanged`: no ``__eq__`` of a
    replaced value is ever called). When that check sees any difference (or
    cannot tell), the detailed pass (each saved key looked up, its value compared by identity)
    decides and names it; the quick check never accepts what the detailed one would refuse."""
    package = __name__.rpartition(".")[0]
    watched: list[tuple[str, Any, dict[str, Any]]] = []
    for short in ("runner", "guard", "wire", "capture", "script", "residue", "dict_versions"):
        module = sys.modules.get(f"{package}.{short}")
        if module is None:
            continue
        watched.append((short, vars(module), dict(vars(module))))
        for value in list(vars(module).values()):
            if isinstance(value, type) and value.__module__ == module.__name__:
                watched.append((f"{short}.{value.__name__}", value.__dict__, dict(value.__dict__)))
    size, absent = len, _ABSENT
    unchanged = _unchanged([(current, saved) for _, current, saved in watched])

    def differs() -> str:
        for name, current, saved in watched:
            if size(current) != size(saved):
                return name
            for key, value in saved.items():
                if current.get(key, absent) is not value:
                    return f"{name}.{key}"
        return ""

    def changed() -> str:
        return "" if unchanged() else differs()

    return changed


def _unchanged(pairs: list[tuple[Any, dict[str, Any]]], views: list[memoryview | None] | None = None,
               tags: list[int] | None = None) -> Callable[[], bool]:
    """``unchanged()``: True while each namespace (a module's dict or a class's mapping proxy)
    holds what its saved copy (a dict) holds now: as many entries, each saved key bound to
    the very object it was bound to. Values are compared by identity only: a replacement whose
    ``__eq__`` says True, or an equal number, string or tuple, is a change, and no ``__eq__``
    of a replaced value (nor of a key) is ever called. Built once; the answer costs about what
    ``dict ==`` costs (:func:`_strict`), or, in an interpreter where that way is not exact
    (checked once, :func:`_strict_works`), one pass of ``operator.is_not`` (:func:`_scanned`).
    True is exact; False may, rarely, mean "cannot tell here": callers then compare entry by
    entry.

    In front of that, :func:`_versioned`: while no namespace was mutated since the exact answer
    was last True (their dicts' version tags), the answer is True at once. ``views``: one per
    pair, the view of its dict's header (``dict_versions.header_views``) or None (that namespace
    is always compared); without ``views`` they are made here, which only works before
    confinement (ctypes and ``gc.get_referents`` are refused after). ``tags``: see
    :func:`_versioned`."""
    if views is None:
        views = dict_versions.header_views([current for current, _ in pairs])
    return _versioned(pairs, views, _strict if _STRICT[0] else _scanned, tags)


def _versioned(pairs: list[tuple[Any, dict[str, Any]]], views: list[memoryview | None],
               exact: Callable[[list[tuple[Any, dict[str, Any]]]], Callable[[], bool]],
               tags: list[int] | None = None) -> Callable[[], bool]:
    """``unchanged()`` of ``exact(pairs)``, answered from the version tags (PEP 509) of the
    namespaces that have a view: ``T``, their tags, is read first; if it is the ``T`` kept, the
    answer is True without comparing anything; else the exact check of those namespaces decides,
    and when it says True, ``T`` is kept. Sound: every mutation of a dict gives it a tag never
    used before, so a dict whose tag is still ``T`` is as it was when ``T`` was read, which was
    before an exact check found it as saved (a mutation during that check changes the tag, so
    the next call compares again). What is kept at first: ``tags`` (the viewed namespaces' tags,
    in order, each read before its saved copy was taken: a copy taken after its tag, with no
    mutation since, is the namespace as the tag shows it), else nothing (the first answer is the
    exact one). Namespaces without a view are compared by ``exact`` on every call."""
    tracked = [pair for pair, view in zip(pairs, views, strict=True) if view is not None]
    if not tracked:
        return exact(pairs)
    untracked = [pair for pair, view in zip(pairs, views, strict=True) if view is None]
    kept: list[Any] = [list(tags) if tags is not None and len(tags) == len(tracked) else None]
    read_tags = dict_versions.tag_reader([view for view in views if view is not None])
    tracked_unchanged = exact(tracked)
    rest_unchanged = exact(untracked) if untracked else None

    def unchanged() -> bool:
        now = read_tags()
        if now != kept[0]:
            if not tracked_unchanged():
                return False
            kept[0] = now
        return rest_unchanged is None or rest_unchanged()

    return unchanged


def _strict(pairs: list[tuple[Any, dict[str, Any]]]) -> Callable[[], bool]:
    """``unchanged()`` as ``dict ==`` in C (identity first), run under a recursion limit so
    tight that the first comparison of two different objects raises ``RecursionError``
    instead of comparing them. In CPython 3.11 every ``PyObject_RichCompare`` (and every call)
    takes one level of the limit, and the lowest limit ``sys.setrecursionlimit`` accepts
    leaves its caller's frame two levels: there ``proxy == dict`` takes both (the proxy
    compares its dict), and in a frame one deeper ``dict == dict`` takes the last one, so an
    entry that is not the saved object itself needs one more and raises. Finding that limit
    costs one refused call (the last call's answer is tried first); the limit is put back.
    Too near the limit to lower it, the answer is False (both callers then compare entry by
    entry)."""
    dicts = tuple((current, saved) for current, saved in pairs if type(current) is dict)
    proxies = tuple((current, saved) for current, saved in pairs if type(current) is not dict)
    # captured now: student code may rebind the builtins and sys's functions before a frame
    getlimit, setlimit, refused, failure = sys.getrecursionlimit, sys.setrecursionlimit, RecursionError, BaseException
    lowest_of, collecting, pause, resume = min, gc.isenabled, gc.disable, gc.enable
    lowest = [3]

    def dicts_unchanged() -> bool:  # one frame deeper than the limit was set for: one level left
        for current, saved in dicts:
            if not current == saved:
                return False
        return True

    def unchanged() -> bool:
        limit, collected = getlimit(), collecting()
        level = lowest_of(lowest[0], limit)
        pause()  # no finalizer of the student's runs under the tight limit
        try:
            while True:  # the lowest limit this frame may set: one below is refused
                try:
                    setlimit(level - 1)
                except refused:
                    try:
                        setlimit(level)
                        break
                    except refused:
                        if level >= limit:  # too near the limit to lower it: say "changed",
                            return False  # and the caller's exact pass decides
                        level += 1
                else:
                    level -= 1
            lowest[0] = level
            for current, saved in proxies:
                if not current == saved:
                    return False
            return dicts_unchanged()
        except failure:  # RecursionError: an entry is not the saved object
            return False
        finally:
            try:
                setlimit(limit)
            except failure:  # refused only when nothing was set
                pass
            if collected:
                resume()

    return unchanged


def _scanned(pairs: list[tuple[Any, dict[str, Any]]]) -> Callable[[], bool]:
    """``unchanged()`` as one pass in C over all the namespaces: their sizes, their keys in
    order (compared as dict lookups compare them) and their values in order, by
    ``operator.is_not``. Stricter than needed (an entry deleted and added again, in another
    order, is a change)."""
    namespaces = tuple(current for current, _ in pairs)
    sizes = tuple(len(saved) for _, saved in pairs)
    keys = [key for _, saved in pairs for key in saved]
    values = tuple(value for _, saved in pairs for value in saved.values())
    # captured now: top-level student code may rebind the builtins before a unit's frame
    is_not, map_, any_, tuple_, list_, size = operator.is_not, map, any, tuple, list, len
    chain, values_of, failure = itertools.chain.from_iterable, operator.methodcaller("values"), BaseException

    def unchanged() -> bool:
        try:
            return tuple_(map_(size, namespaces)) == sizes and list_(chain(namespaces)) == keys \
                and not any_(map_(is_not, chain(map_(values_of, namespaces)), values))
        except failure:  # a key's __eq__ raised
            return False

    return unchanged


def _strict_works() -> bool:
    """Does :func:`_strict` answer by identity in this interpreter: on a dict and a class, each
    unchanged, then with a value replaced by an equal float, by an object whose ``__eq__``
    says True, and by nothing; repeated so that the interpreter specialises its code on the
    way (as it will while serving), and the recursion limit must come back as it was."""

    class Claims:
        def __eq__(self, other: object) -> bool:
            return True

        __hash__ = None  # type: ignore[assignment]

    class Holder:
        value = 2.5

    space: dict[str, Any] = {"value": 2.5, "function": len}
    limit = sys.getrecursionlimit()
    unchanged = _strict([(space, dict(space)), (Holder.__dict__, dict(Holder.__dict__))])
    for _ in range(64):
        if not unchanged():
            return False
        for key, replacement in (("value", float("2.5")), ("function", Claims()), ("extra", None)):
            kept = space.get(key, _ABSENT)
            space[key] = replacement
            found = not unchanged()
            space.pop(key) if kept is _ABSENT else space.__setitem__(key, kept)
            kept, Holder.value = Holder.__dict__["value"], replacement  # type: ignore[assignment]
            found = found and not unchanged()
            Holder.value = kept
            if not found:
                return False
    return unchanged() and sys.getrecursionlimit() == limit


#: ``[works]``: whether ``_strict`` is exact here (``_strict_works``, run once at import)
_STRICT: list[bool] = [_strict_works()]


def _trusted_readers() -> tuple[Any, ...]:
    """The runner's own code objects that read frames (its traceback summary)."""
    return (Runner._describe.__code__,)


def _found(views: list[tuple[dict[str, Any], memoryview]], namespace: dict[str, Any]) -> memoryview | None:
    """The view paired with ``namespace`` itself (by identity) in ``views``, or None."""
    for candidate, view in views:
        if candidate is namespace:
            return view
    return None


#: ``[changed]``: the integrity check, made once in the worker (``warm``) for every child.
_WARM: list[Callable[[], str]] = []
#: ``[(namespace, view, tag, copy)]``: each standard watched module's dict (``_WATCHED_MODULES``),
#: the view of its header, its version tag and then a copy, taken once in the worker (``warm``):
#: a child whose units left the module alone uses the copy instead of copying it (and touching
#: every value's page). Emptied in the child by ``prepare`` (student code could reach it here).
_WARM_COPIES: list[tuple[dict[str, Any], memoryview, int, dict[str, Any]]] = []


def warm() -> None:
    """What every child would otherwise compute again before its first call, done once in the
    worker before it forks (each object a child touches costs it a copy-on-write page fault):
    the audit hook's frame readers with the runner's own, the integrity check's snapshot
    (the child-side modules do not change between here and the child's ``prepare``), the
    names of the ctypes modules to forget (the worker imports nothing after ``hide_host_paths``)
    and the copies of the standard watched modules (``_WARM_COPIES``)."""
    guard.frame_readers(_trusted_readers())
    guard.remember_native_modules()
    _WARM[:] = [_integrity_check()]
    _WARM_COPIES[:] = _copy_watched_modules()


def _copy_watched_modules() -> list[tuple[dict[str, Any], memoryview, int, dict[str, Any]]]:
    """``_WARM_COPIES`` as the modules are now (only before confinement: it makes views)."""
    namespaces = [vars(sys.modules[name]) for name in _WATCHED_MODULES if name in sys.modules]
    copies = []
    for namespace, view in zip(namespaces, dict_versions.header_views(namespaces), strict=True):
        if view is not None:
            tag = dict_versions.tag(view)  # first: a mutation while copying moves it
            copies.append((namespace, view, tag, dict(namespace)))
    return copies


def _forget_the_worker() -> None:
    """Right before student code: drop what only the worker and the confinement needed (the
    zygote, the intermediate, the kernel layers and their ctypes handle) from everything
    student code can name."""
    guard.forget_native()
    dict_versions.forget()
    package_name = __name__.rpartition(".")[0]
    package = sys.modules.get(package_name)
    for short in ("layers", "launch", "intermediate", "zygote", "boot"):
        module = sys.modules.pop(f"{package_name}.{short}", None)
        if package is not None and short in vars(package):
            delattr(package, short)
        if short == "layers" and module is not None:
            # its libc handle: the worker's classes (``object.__subclasses__()``) still lead
            # to this module through their functions' globals; nothing uses it after confining
            vars(module).clear()
