"""What a student's calls may leave behind in a sandbox child: whether it is still as fresh.

A child that ran one function's calls may serve the next function's calls only if they would
find it exactly as a fresh child finds it, right after the units ran (one function cannot
affect another). :func:`record` takes that state once, after loading; :func:`compare` says,
later, whether anything differs from it. Both run only the grader's code: every object is read
through its exact built-in type (no ``__eq__``, ``__iter__``, ``__getattribute__`` or property of
the student's is ever called), and the comparison is of plain tokens (ints, strings, bytes,
tuples of them), so it runs in C.

The state is three parts:

* ``globals``: everything reachable from the student's namespace, by value. Lists, tuples,
  dicts, sets, numbers, strings and arrays by content (a list, tuple or dict of plain items as
  one packed token: floats by their IEEE bytes; arrays by their bytes up to 64 KiB each and
  4 MiB in all, else by a BLAKE2b digest of them, with dtype, shape and strides); shared
  objects as back-references (``v = s = {}`` differs from two equal dicts); functions by
  their code, default arguments, closure cells and attributes;
  classes by their attributes, bases and metaclass; instances of classes written in Python by
  their ``__dict__`` and slots; bound methods, ``functools.partial``, ``functools.cache``
  (without its cache), ``staticmethod``, ``classmethod`` and ``property`` by what they hold;
  NumPy random generators by their state; modules (the course helpers, NumPy, the others) by
  their names in order and the identity of what they are bound to (the helpers keep no state
  of their own; a module's warnings registry is not compared); built-in
  functions, C types, descriptors, code objects, dtypes, compiled patterns, ranges and slices by
  identity. An object of any other type (a file, a generator, an instance of a C type) makes the
  child unshareable: :func:`record` says why, and the parent keeps a fresh child per function,
  as before.
* ``numpy``: ``np.geterr()``, ``np.geterrcall()``, ``np.get_printoptions()``, ``np.getbufsize()``.
* ``interpreter``: the recursion limit, the trace and profile functions, the garbage collector's
  switch and thresholds, the switch interval, the integer string limit, ``sys.modules``' names,
  ``sys.path``, the environment, the working directory, the standard streams and hooks (the
  runner resets stdout and stderr itself), the files in the scratch directory, the open file
  descriptors, the signal handlers, the interval timers, the resource limits, the number of
  threads and the warnings filters.

The random generators (NumPy's global one and ``random``'s) are not compared but restored
(:meth:`Baseline.restore_random`): a call may draw from them, which a later function must not
notice.

The same guarantees as a fresh child's, for what is listed; what is not (the inner state of C
extensions, memory fragmentation) cannot carry values from one function to another's results
without also changing something listed. The check is the child's: a student who defeats it only
weakens the isolation between their own functions (the child never holds an expected value).
"""

from __future__ import annotations

import _signal
import _thread
import builtins
import functools
import gc
import operator
import os
import random
import re
import resource
import select
import signal
import struct
import sys
import types
import warnings
from collections.abc import Iterable, Mapping
from hashlib import blake2b
from typing import Any

import numpy as np

from .guard import Missing

# This module's functions look up built-ins in a copy of them taken at import, in the zygote,
# before any student code: top-level student code may rebind names in ``builtins`` (which the
# runner's per-call restore then keeps), and none of it may run during the check.
__builtins__ = dict(vars(builtins))  # type: ignore[assignment]

#: the walk gives up (the child is unshareable) past this many objects or bytes of arrays
MAX_OBJECTS = 50_000
MAX_ARRAY_BYTES = 64 << 20

_HEAPTYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: a class made by a class statement, not a C type
_flags = type.__dict__["__flags__"].__get__  # never a metaclass's own __flags__
_class_dict = type.__dict__["__dict__"].__get__
_class_bases = type.__dict__["__bases__"].__get__
_ATOMS = {int: "i", str: "s", bytes: "y", bool: "b", type(None): "n", type(Ellipsis): "e",
          type(NotImplemented): "ni"}
_IDENTITY = frozenset({types.BuiltinFunctionType, types.WrapperDescriptorType, types.MethodWrapperType,
                       types.MethodDescriptorType, types.ClassMethodDescriptorType,
                       types.GetSetDescriptorType, types.MemberDescriptorType, types.CodeType,
                       range, slice, np.ufunc, re.Pattern, Missing, type(Mapping._abc_impl)})  # type: ignore[attr-defined]
_RLIMITS = tuple(getattr(resource, name) for name in (
    "RLIMIT_AS", "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_NOFILE", "RLIMIT_NPROC", "RLIMIT_STACK",
    "RLIMIT_CORE", "RLIMIT_DATA") if hasattr(resource, name))
_TIMERS = (signal.ITIMER_REAL, signal.ITIMER_VIRTUAL, signal.ITIMER_PROF)
_SIGNALS = tuple(sorted(s for s in signal.valid_signals() if s not in (signal.SIGKILL, signal.SIGSTOP)))
#: an array up to this size is compared by its bytes (exact, and cheaper than a digest), while
#: the bytes so kept stay under ``MAX_RAW_BYTES``; any other by its BLAKE2b digest
RAW_ARRAY_BYTES = 64 << 10
MAX_RAW_BYTES = 4 << 20
#: a list, tuple or dict from this many items is first tried as one packed token (:func:`_packed`)
PACKED_MIN = 4
#: the exact types whose values ``==`` compares exactly (no float: -0.0 == 0.0, nan != nan)
_PLAIN = frozenset({int, str, bytes, bool, type(None)})


class Unshareable(Exception):  # noqa: N818 - an answer, not an error
    """The state holds an object this module cannot read by value (its message says which)."""


class Baseline:
    """The state of a child right after its units ran (see the module doc)."""

    def __init__(self, parts: dict[str, list[Any]], keep: list[Any]) -> None:
        self.parts = parts
        self.keep = keep  # every object identified by address stays alive: none is reused meanwhile
        self.numpy_random = np.random.get_state()
        self.python_random = random.getstate()

    def restore_random(self) -> None:
        np.random.set_state(self.numpy_random)
        random.setstate(self.python_random)


def record(namespace: dict[str, Any], modules: Iterable[types.ModuleType], scratch: str) -> Baseline | str:
    """The baseline of the child's state now, or why it cannot be taken (a message)."""
    keep: list[Any] = []
    try:
        parts = _parts(namespace, modules, scratch, keep)
    except Unshareable as exc:
        return str(exc)
    except Exception as exc:  # the student's objects can surprise: never the runner's failure
        return f"the state could not be read ({type(exc).__name__})"
    return Baseline(parts, keep)


def compare(baseline: Baseline, namespace: dict[str, Any], modules: Iterable[types.ModuleType],
            scratch: str) -> str:
    """``""`` when the child's state is the baseline's, else the first part that differs (or
    why it cannot be read). The random generators are restored either way."""
    baseline.restore_random()
    keep: list[Any] = []
    try:
        parts = _parts(namespace, modules, scratch, keep)
    except Unshareable as exc:
        return str(exc)
    except Exception as exc:
        return f"the state could not be read ({type(exc).__name__})"
    for name, tokens in baseline.parts.items():
        if parts.get(name) != tokens:
            return name
    return ""


def _parts(namespace: dict[str, Any], modules: Iterable[types.ModuleType], scratch: str,
           keep: list[Any]) -> dict[str, list[Any]]:
    roots: list[Any] = [_without(namespace), tuple(module for module in modules if type(module) is types.ModuleType)]
    numpy_settings = [np.geterr(), np.geterrcall(), np.get_printoptions(), np.getbufsize()]
    values, identities = _interpreter(scratch)
    return {"globals": tokens(roots, keep), "numpy": tokens(numpy_settings, keep),
            "interpreter": [*tokens(values, keep), _Same(identities)]}


#: what the student's namespace holds for the import system, not for its code: never compared
#: (the warnings registry is made stale before every call by the runner:
#: ``warnings._filters_mutated``); of a module's, only the warnings registry is left out
_IMPORT_SYSTEM = frozenset({"__builtins__", "__loader__", "__spec__", "__warningregistry__"})


def _without(namespace: dict[str, Any]) -> dict[str, Any]:
    """A copy of a module's namespace without what the import system put there."""
    return {key: value for key, value in dict.items(namespace) if key not in _IMPORT_SYSTEM}


def _without_registry(namespace: dict[str, Any]) -> dict[str, Any]:
    """A copy of a module's namespace without its warnings registry."""
    return {key: value for key, value in dict.items(namespace) if key != "__warningregistry__"}


def _interpreter(scratch: str) -> tuple[list[Any], tuple[Any, ...]]:
    """The interpreter's state: the values compared by value (walked by :func:`tokens`), and
    the objects compared by identity (the hooks, the signal handlers, ``__main__``)."""
    try:
        files: Any = tuple(sorted(os.listdir(scratch)))
    except OSError as exc:
        files = f"unreadable: {type(exc).__name__}"
    limit = min(resource.getrlimit(resource.RLIMIT_NOFILE)[0], 4096)
    data = getattr(os.environ, "_data", None)  # its own dict of bytes, read without its methods
    environment = dict(data) if type(data) is dict else "environ: by identity"
    values = [
        sys.getrecursionlimit(), gc.isenabled(), gc.get_threshold(), repr(sys.getswitchinterval()),
        sys.get_int_max_str_digits(), tuple(sys.modules), list(sys.path), environment, os.getcwd(), files,
        _open_fds(limit), tuple(signal.getitimer(t) for t in _TIMERS),
        tuple(resource.getrlimit(r) for r in _RLIMITS), _thread._count(),
        list(warnings.filters), warnings.defaultaction,  # type: ignore[attr-defined]
    ]
    identities = (sys.gettrace(), sys.getprofile(), sys.modules.get("__main__"), os.environ, sys.stdin,
                  sys.displayhook, sys.excepthook, sys.unraisablehook,
                  *map(_getsignal, _SIGNALS))  # the handlers themselves: no enum wrapping
    return values, identities


_getsignal = _signal.getsignal
#: an object's identity as an int without ``id``, an audited event (in the child every call of
#: it runs the audit hook): ``object``'s own hash, a one-to-one function of the address
_address = object.__hash__
_is_not = operator.is_not


class _Same:
    """A token equal to another only when both hold the very same objects, in order (compared
    by identity: no ``__eq__`` of theirs is called). It holds them: none is freed, and its
    address reused, meanwhile."""

    __slots__ = ("items",)

    def __init__(self, items: tuple[Any, ...]) -> None:
        self.items = items

    def __eq__(self, other: object) -> bool:
        return type(other) is _Same and len(self.items) == len(other.items) \
            and not any(map(_is_not, self.items, other.items))

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"_Same({len(self.items)} objects)"
_poll, _POLLNVAL = select.poll, select.POLLNVAL


def _open_fds(limit: int) -> tuple[int, ...]:
    """The open descriptors below ``limit``: one ``poll`` of them all, which marks a closed
    one ``POLLNVAL`` (what ``fstat`` of each would tell, in one system call)."""
    if limit <= 0:
        return ()
    poller = _poll()
    register = poller.register
    for fd in range(limit):
        register(fd, 0)
    closed = {fd for fd, events in poller.poll(0) if events & _POLLNVAL}
    return tuple(fd for fd in range(limit) if fd not in closed)


def tokens(roots: list[Any], keep: list[Any]) -> list[Any]:
    """The objects reachable from ``roots`` as a flat list of plain tokens, in a fixed order
    (depth first); raises :class:`Unshareable` for an object it cannot read by value. Every
    object it identifies (by ``id``) or reaches is appended to ``keep``."""
    out: list[Any] = []
    put = out.append
    seen: dict[int, int] = {}
    stack = list(reversed(roots))
    array_bytes = raw_bytes = 0
    while stack:
        value = stack.pop()
        kind = type(value)
        atom = _ATOMS.get(kind)
        if atom is not None:
            put(atom)
            put(value)
            continue
        if kind is float:
            put("f")
            put(float.hex(value))
            continue
        if kind is complex:
            put("c")
            put((float.hex(value.real), float.hex(value.imag)))
            continue
        key = _address(value)
        if key in seen:
            put("@")
            put(seen[key])
            continue
        seen[key] = len(seen)
        keep.append(value)
        if len(seen) > MAX_OBJECTS:
            raise Unshareable(f"more than {MAX_OBJECTS} objects")
        if kind is list or kind is tuple:
            put("L" if kind is list else "T")
            put(len(value))
            packed = _packed(value) if len(value) >= PACKED_MIN else None
            if packed is not None:
                put(packed)  # a tuple: never a marker (the items' first token is a str)
            else:
                stack.extend(reversed(value))
        elif kind is dict:
            put("D")
            put(len(value))
            packed = _packed(tuple(value)) if len(value) >= PACKED_MIN else None
            if packed is None:
                for item in reversed(list(dict.items(value))):
                    stack.append(item[1])
                    stack.append(item[0])
                continue
            put(packed)  # the keys, packed: then the values, packed or one by one
            values = tuple(dict.values(value))
            packed = _packed(values)
            if packed is not None:
                put(packed)
            else:
                stack.extend(reversed(values))
        elif kind is set or kind is frozenset:
            put("S")
            put(len(value))
            stack.extend(reversed(list(value)))
        elif kind is np.ndarray:
            if value.dtype.hasobject:
                raise Unshareable("an array of Python objects")
            array_bytes += value.nbytes
            if array_bytes > MAX_ARRAY_BYTES:
                raise Unshareable(f"more than {MAX_ARRAY_BYTES >> 20} MiB of arrays")
            put("A")
            data: Any
            if value.nbytes <= RAW_ARRAY_BYTES and raw_bytes + value.nbytes <= MAX_RAW_BYTES:
                raw_bytes += value.nbytes
                data = ("raw", value.tobytes())
            else:
                data = blake2b(value.data if value.flags.c_contiguous else value.tobytes(), digest_size=16).digest()
            put((value.dtype.str, value.shape, value.strides, value.flags.writeable, data))
            stack.append(value.base)
        elif kind is types.FunctionType:
            put("F")
            put((_address(value.__code__), _address(value.__globals__)))
            keep += (value.__code__, value.__globals__)
            stack.extend(reversed((value.__defaults__, value.__kwdefaults__, value.__closure__, value.__dict__)))
        elif kind is types.CellType:
            try:
                contents = value.cell_contents
            except ValueError:
                put("C0")
                continue
            put("C")
            stack.append(contents)
        elif kind is types.MethodType:
            put("M")
            stack.extend((value.__func__, value.__self__))
        elif kind is staticmethod or kind is classmethod:
            put("SM" if kind is staticmethod else "CM")
            stack.append(value.__func__)
        elif kind is property:
            put("P")
            stack.extend((value.fdel, value.fset, value.fget))
        elif kind is _CACHED:  # functools.cache: the function and its attributes; not its cache
            put("LC")
            stack.extend((value.__dict__, value.__wrapped__))
        elif kind is functools.partial:
            put("FP")
            stack.extend((value.__dict__, value.keywords, value.args, value.func))
        elif kind is types.ModuleType:
            put("m")
            put(key)
            # by the identity of its attributes (a replacement whose ``__eq__`` says True differs):
            # the names in order, then the values in order, compared by identity
            attributes = vars(value)
            if "__warningregistry__" in attributes:
                attributes = _without_registry(attributes)
            put(tuple(attributes))
            put(_Same(tuple(attributes.values())))
        elif issubclass(kind, type):
            put("K")
            put(key)
            if _flags(value) & _HEAPTYPE:  # read through ``type``'s own descriptors: no metaclass's
                stack.extend((dict(_class_dict(value)), _class_bases(value), kind))
        elif kind in _IDENTITY or issubclass(kind, np.dtype):
            put("I")
            put(key)
        elif kind is np.random.RandomState:
            put("RS")
            stack.append(value.get_state(legacy=False))
        elif kind is np.random.Generator:
            put("G")
            stack.append(value.bit_generator.state)
        elif issubclass(kind, np.generic) and not _flags(kind) & _HEAPTYPE:
            put("g")
            put((value.dtype.str, value.tobytes()))
        elif _python_level(kind):
            put("O")
            stack.extend((_instance_state(value, kind), kind))
        else:
            raise Unshareable(f"an object of type {_type_name(kind)}")
    return out


def _packed(items: tuple[Any, ...] | list[Any]) -> tuple[Any, ...] | None:
    """The items of a list or tuple (or a dict's keys or values) as one token, when they are all
    of the exact types ``==`` compares exactly: ``("f", bytes)`` when all are floats (their IEEE
    bytes: -0.0 is not 0.0, a NaN is itself), ``("a", type, items)`` when all are of one type of
    ``_PLAIN``, ``("a", types, items)`` for a mix of them; else None (the items are walked one
    by one). No method of an item is called: ``struct`` is given exact floats only."""
    kinds = set(map(type, items))
    if len(kinds) == 1:
        kind = kinds.pop()
        if kind is float:
            return ("f", struct.pack(f"{len(items)}d", *items))
        return ("a", kind, tuple(items)) if kind in _PLAIN else None
    return ("a", tuple(map(type, items)), tuple(items)) if kinds <= _PLAIN else None


def _python_level(kind: type) -> bool:
    """Is ``kind`` a class made by class statements all the way down to ``object`` (metaclass
    ``type``): its instances hold nothing but their ``__dict__`` and slots. A C type, even one
    made at run time (``_random.Random``), has slot wrappers or method descriptors of its own."""
    if type(kind) is not type or not _flags(kind) & _HEAPTYPE:
        return False
    *classes, last = type.__dict__["__mro__"].__get__(kind)
    if last is not object:
        return False
    for cls in classes:
        if not _flags(cls) & _HEAPTYPE or any(type(v) in _NATIVE_MEMBERS for v in _class_dict(cls).values()):
            return False
    return True


_CACHED = type(functools.lru_cache(maxsize=None)(len))
_NATIVE_MEMBERS = frozenset({types.WrapperDescriptorType, types.MethodDescriptorType,
                             types.ClassMethodDescriptorType})


def _instance_state(value: Any, kind: type) -> tuple[Any, ...]:
    """An instance's ``__dict__`` (None without one) and its slots' values, read through the
    descriptors ``type`` made (a class's own ``__dict__`` property is never called)."""
    state: list[Any] = []
    found_dict = False
    for cls in type.__dict__["__mro__"].__get__(kind)[:-1]:
        for name, member in _class_dict(cls).items():
            if type(member) is types.MemberDescriptorType:
                try:
                    state.append(member.__get__(value, kind))
                except AttributeError:
                    state.append(_UNSET)
            elif name == "__dict__" and not found_dict:
                found_dict = True
                if type(member) is not types.GetSetDescriptorType:
                    raise Unshareable(f"the class {_type_name(kind)} defines its own __dict__")
                state.insert(0, member.__get__(value, kind))
    if not found_dict:
        state.insert(0, None)
    return tuple(state)


_UNSET = "<an unset slot>"


def _type_name(kind: type) -> str:
    module = type.__dict__["__module__"].__get__(kind)
    name = type.__dict__["__qualname__"].__get__(kind)
    return f"{module}.{name}"[:120] if module != "builtins" else str(name)[:120]
