"""Version tags of dicts (PEP 509): an O(1) "this dict was not mutated" for the child's checks.

In CPython 3.11 every dict carries ``ma_version_tag``, a 64-bit word of its header that each
mutation (insert, replace by another object, delete, ``clear``, ``update``, ``pop``,
``setdefault``, ``popitem``; module and class attribute assignment and deletion, which go through
the dict) sets to the next value of one process-wide counter, never reused. So a dict whose tag
still equals a tag read earlier holds exactly what it held then: if the child's exact identity
check passed after that tag was read, the dict is still as the snapshot saw it.

The tag is read through a read-only ``memoryview`` of the dict object's header (``memoryview`` is
a static type: student code cannot patch it). Making such a view takes ``ctypes`` (and, for a
class's mapping proxy, ``gc.get_referents`` to find the type's own dict): both are audited
events the child's hook refuses, so views are made only before confinement (the worker's
``warm``, the runner's ``prepare``). Which word holds the tag is found once at import by a
self-test (:func:`_find_word`); where it finds none (another interpreter, a layout whose word no
longer moves on every mutation) :data:`WORD` is None, no view is ever made, and every check is the
exact one.
"""

from __future__ import annotations

import gc
import operator
import sys
import types
from collections.abc import Callable, Sequence
from typing import Any

try:
    import ctypes
except ImportError:  # pragma: no cover - CPython always has it
    ctypes = None  # type: ignore[assignment]

#: The dict object's header, in 8-byte words (``dict.__basicsize__``: 6 in a 3.11 release build).
HEADER_WORDS = dict.__basicsize__ // 8
#: ``[array type]``: a ctypes array of ``HEADER_WORDS`` unsigned 64-bit words (laid over a dict's
#: header); emptied by :func:`forget` before student code runs.
_HEADER: list[Any] = [ctypes.c_uint64 * HEADER_WORDS] if ctypes is not None else []


#: ``(list, map, operator.getitem)`` as they were at import (student code may rebind the builtins).
_BUILTINS = (list, map, operator.getitem)


def _raw_view(namespace: dict[str, Any]) -> memoryview:
    """A read-only view of the ``HEADER_WORDS`` words at the start of the dict ``namespace``."""
    raw = _HEADER[0].from_address(id(namespace))
    return memoryview(raw).cast("B").cast("Q").toreadonly()  # "<Q" cannot be indexed; "Q" can


def _dict_of(namespace: Any) -> dict[str, Any] | None:
    """The dict ``namespace`` is (a dict) or shows (a mapping proxy, such as a class's
    ``__dict__``: the one object it refers to), else None."""
    if type(namespace) is dict:
        return namespace
    if type(namespace) is types.MappingProxyType:
        inner = gc.get_referents(namespace)
        if len(inner) == 1 and type(inner[0]) is dict:
            return inner[0]
    return None


def header_views(namespaces: Sequence[Any]) -> list[memoryview | None]:
    """For each namespace (a dict, or a mapping proxy over one): a read-only view of its dict's
    header (index it with :data:`WORD` for the version tag), or None where none can be had (the
    self-test failed, or it is neither). Only before confinement (see the module's docstring);
    a view keeps no reference to its dict: the caller keeps the dict alive as long as the view."""
    if WORD is None or not _HEADER:
        return [None] * len(namespaces)
    views: list[memoryview | None] = []
    for namespace in namespaces:
        try:
            inner = _dict_of(namespace)
            views.append(None if inner is None else _raw_view(inner))
        except Exception:
            views.append(None)
    return views


def tag_reader(views: Sequence[memoryview]) -> Callable[[], list[int]]:
    """``tags()``: the version tag of each viewed dict now, in order (one C-level pass; the
    builtins it uses were captured at import, before any student code)."""
    if WORD is None:
        raise RuntimeError("no version tags in this interpreter")
    kept, words = tuple(views), (WORD,) * len(views)
    list_, map_, getitem = _BUILTINS

    def tags() -> list[int]:
        return list_(map_(getitem, kept, words))

    return tags


def tag(view: memoryview) -> int:
    """The version tag of the dict ``view`` shows (a view from :func:`header_views`), now."""
    if WORD is None:
        raise RuntimeError("no version tags in this interpreter")
    return view[WORD]


def forget() -> None:
    """Drop the ctypes array type (right before student code: nothing makes views after that)."""
    _HEADER.clear()


def _find_word() -> int | None:
    """The index of the header word that holds the version tag, or None. A word qualifies when
    it grows on every kind of mutation of a dict, of a module's namespace (``setattr`` and
    ``delattr``, repeated so that the interpreter specialises them) and of a class's dict (through
    the class), stays as it was on every kind of read, and grows from one dict's mutation to the
    next dict's (one counter for the whole process). Exactly one word must qualify."""
    if ctypes is None or not _HEADER or sys.implementation.name != "cpython" or HEADER_WORDS < 2:
        return None
    try:
        return _probe()
    except Exception:
        return None


def _probe() -> int | None:
    candidates = set(range(HEADER_WORDS))

    def watch(view: memoryview, act: Callable[[], Any], grows: bool) -> None:
        before = view.tolist()
        act()
        after = view.tolist()
        for word in list(candidates):
            if not (after[word] > before[word] if grows else after[word] == before[word]):
                candidates.discard(word)

    space: dict[str, Any] = {"a": 1.5, "b": len}
    module = types.ModuleType("_version_probe")
    module.x = 0.5  # type: ignore[attr-defined]
    probe_class = type("_VersionProbe", (), {"x": 2.5})
    inner = _dict_of(probe_class.__dict__)
    if inner is None:
        return None
    dict_view, module_view, class_view = _raw_view(space), _raw_view(vars(module)), _raw_view(inner)
    fresh = [0.25]

    def set_module() -> None:  # attribute statements (the interpreter specialises them), not setattr
        module.x = fresh[0]  # type: ignore[attr-defined]

    def add_module() -> None:
        module.y = fresh[0]  # type: ignore[attr-defined]

    def del_module() -> None:
        del module.y  # type: ignore[attr-defined]

    def set_class() -> None:
        probe_class.x = fresh[0]  # type: ignore[attr-defined]

    def add_class() -> None:
        probe_class.y = fresh[0]  # type: ignore[attr-defined]

    def del_class() -> None:
        del probe_class.y  # type: ignore[attr-defined]

    mutations: list[tuple[memoryview, Callable[[], Any]]] = [
        (dict_view, lambda: space.__setitem__("c", fresh[0])),  # insert
        (dict_view, lambda: space.__setitem__("a", float(repr(fresh[0])))),  # replace by an equal float
        (dict_view, lambda: space.__delitem__("c")),
        (dict_view, lambda: space.update({"d": fresh[0]})),
        (dict_view, lambda: space.pop("d")),
        (dict_view, lambda: space.setdefault("e", fresh[0])),
        (dict_view, lambda: space.popitem()),  # removes "e"
        (dict_view, lambda: space.clear()),
        (dict_view, lambda: space.update({"a": 1.5, "b": len})),  # into an empty dict
        (module_view, set_module), (module_view, add_module), (module_view, del_module),
        (module_view, lambda: setattr(module, "y", fresh[0])), (module_view, lambda: delattr(module, "y")),
        (class_view, set_class), (class_view, add_class), (class_view, del_class),
        (class_view, lambda: setattr(probe_class, "y", fresh[0])), (class_view, lambda: delattr(probe_class, "y")),
    ]
    reads: list[tuple[memoryview, Callable[[], Any]]] = [
        (dict_view, lambda: space["a"]), (dict_view, lambda: space.get("zz")), (dict_view, lambda: "a" in space),
        (dict_view, lambda: list(space.items())), (dict_view, lambda: dict(space) == space),
        (module_view, lambda: module.x), (module_view, lambda: getattr(module, "zz", None)),
        (module_view, lambda: dict(vars(module))),
        (class_view, lambda: probe_class.x),  # type: ignore[attr-defined]
        (class_view, lambda: probe_class().x),
        (class_view, lambda: probe_class.__dict__["x"]), (class_view, lambda: dict(probe_class.__dict__)),
    ]
    for round_ in range(24):  # repeated: the interpreter specialises the code on the way
        fresh[0] = round_ + 0.25
        for view, act in mutations:
            watch(view, act, grows=True)
        for view, act in reads:
            watch(view, act, grows=False)
    if len(candidates) != 1:
        return None
    word = candidates.pop()
    latest = dict_view[word]
    for view, act in ((dict_view, lambda: space.__setitem__("a", object())),
                      (module_view, lambda: setattr(module, "x", object())),
                      (class_view, lambda: setattr(probe_class, "x", object()))):
        act()
        if not view[word] > latest:  # one counter: each later mutation, of any dict, has a later tag
            return None
        latest = view[word]
    return word


#: The header word holding the version tag (:func:`_find_word`, once at import); None: no fast path.
WORD: int | None = _find_word()
