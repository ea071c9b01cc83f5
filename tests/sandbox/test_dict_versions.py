"""Issue 17, the child's identity checks answer "nothing changed" from the watched dicts' version
tags (PEP 509, ``dict_versions``) and fall back to the exact identity check on any mutation:
the tag word the self-test finds is CPython's own (``_testcapi.dict_get_version``), every kind of
mutation reaches the exact check (which then names or undoes it), reads keep the fast path, a
state the exact check accepted is remembered, and in a real child a patched ``numpy.exp`` or
builtin is still undone by a fresh child."""

from __future__ import annotations

import builtins
import math
import sys
import types
from collections.abc import Callable
from typing import Any

import pytest

from dnn_autograder.grader.sandbox.child import dict_versions, runner

from .support import loaded


class _Claims:
    """Claims to equal anything (an ``==`` check would keep it)."""

    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = object.__hash__


def _reference(pairs: list[tuple[Any, dict[str, Any]]]) -> bool:
    """Unchanged by the plain definition: the same size, each saved name bound to the very object."""
    missing = object()
    return all(len(current) == len(saved) and all(current.get(k, missing) is v for k, v in saved.items())
               for current, saved in pairs)


class _World:
    """A module, a class and a plain dict, watched as the runner watches them."""

    def __init__(self, module_name: str = "watched_stand_in") -> None:
        self.module = types.ModuleType(module_name)
        self.module.exp = math.exp
        self.module.pi = math.pi
        self.module.helper = len
        self.klass = type("Watched", (), {"method": lambda self: 1, "x": 1.5})
        self.space: dict[str, Any] = {"x": 2.5, "f": abs, "g": min}
        self.pairs: list[tuple[Any, dict[str, Any]]] = [
            (vars(self.module), dict(vars(self.module))), (self.klass.__dict__, dict(self.klass.__dict__)),
            (self.space, dict(self.space))]
        self.exact_calls = 0

    def spying_exact(self, pairs: list[tuple[Any, dict[str, Any]]]) -> Callable[[], bool]:
        """The runner's exact check, counting its calls."""
        check = runner._strict(pairs)

        def unchanged() -> bool:
            self.exact_calls += 1
            return check()

        return unchanged

    def checker(self, views: list[Any] | None = None) -> Callable[[], bool]:
        if views is None:
            views = dict_versions.header_views([current for current, _ in self.pairs])
        return runner._versioned(self.pairs, views, self.spying_exact)


def _mutations() -> dict[str, Callable[[_World], None]]:
    def readd(world: _World) -> None:
        del world.space["f"]
        world.space["f"] = float(repr(2.5))  # not the saved object

    return {
        "insert": lambda w: w.space.__setitem__("new", 1),
        "replace-by-equal-float": lambda w: w.space.__setitem__("x", float(repr(w.space["x"]))),
        "replace-by-a-liar": lambda w: w.space.__setitem__("g", _Claims()),
        "delete": lambda w: w.space.__delitem__("x"),
        "delete-and-add-another": readd,
        "clear": lambda w: w.space.clear(),
        "update": lambda w: w.space.update({"x": float(repr(2.5))}),
        "pop": lambda w: w.space.pop("g"),
        "setdefault": lambda w: w.space.setdefault("extra", None),
        "popitem": lambda w: w.space.popitem(),
        "module-setattr": lambda w: setattr(w.module, "exp", lambda v: 42.0),
        "module-statement": lambda w: exec("module.pi = float(repr(module.pi))", {"module": w.module}),
        "module-delattr": lambda w: delattr(w.module, "helper"),
        "module-add": lambda w: setattr(w.module, "extra", 1),
        "class-set": lambda w: setattr(w.klass, "method", lambda self: 2),
        "class-equal-float": lambda w: setattr(w.klass, "x", float("1.5")),
        "class-del": lambda w: delattr(w.klass, "method"),
        "class-add": lambda w: setattr(w.klass, "extra", 1),
    }


MUTATIONS = _mutations()


def test_the_self_test_finds_cpythons_own_version_tag() -> None:
    """The word found by probing is the one CPython's test API reads (``_testcapi``, an
    independent reader of ``ma_version_tag``), for a dict, a module's and a class's."""
    testcapi = pytest.importorskip("_testcapi")
    if not hasattr(testcapi, "dict_get_version"):
        pytest.skip("no dict_get_version in this interpreter")
    assert sys.version_info[:2] == (3, 11) and dict_versions.WORD is not None
    assert dict_versions._find_word() == dict_versions.WORD
    for mutate in (None, *MUTATIONS.values()):
        world = _World()
        inner = dict_versions._dict_of(world.klass.__dict__)
        assert inner is not None and inner == dict(world.klass.__dict__)
        views = dict_versions.header_views([world.space, vars(world.module), world.klass.__dict__])
        tags = dict_versions.tag_reader([v for v in views if v is not None])
        before = tags()
        if mutate is not None:
            mutate(world)
        expected = [testcapi.dict_get_version(d) for d in (world.space, vars(world.module), inner)]
        assert tags() == expected and (mutate is None) is (tags() == before)


def test_a_layout_without_a_moving_word_turns_the_fast_path_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """Probing only the words before the tag (refcount, type, size) finds none that moves on
    every mutation and on no read; with no word, no view is made and the check is the exact one."""
    monkeypatch.setattr(dict_versions, "HEADER_WORDS", 3)
    assert dict_versions._find_word() is None
    monkeypatch.setattr(dict_versions, "WORD", None)
    world = _World()
    assert dict_versions.header_views([world.space, world.klass.__dict__]) == [None, None]
    unchanged = runner._unchanged(world.pairs)
    assert unchanged()
    world.space["x"] = float(repr(world.space["x"]))
    assert not unchanged()


def test_views_are_not_made_of_what_is_not_a_namespace() -> None:
    assert dict_versions.header_views([[1, 2], types.SimpleNamespace(a=1)]) == [None, None]


def test_reads_keep_the_fast_path() -> None:
    world = _World()
    unchanged = world.checker()
    assert unchanged() and world.exact_calls == 1  # nothing kept yet: the first answer is exact
    for _ in range(5):
        _ = world.module.exp, getattr(world.module, "missing", None), world.klass.x, world.klass().method()
        _ = world.space.get("x"), "f" in world.space, list(world.space.items()), dict(vars(world.module))
        world.module.pi = world.module.pi  # the very same object: no mutation
        assert unchanged()
    assert world.exact_calls == 1


@pytest.mark.parametrize("kind", list(MUTATIONS))
def test_every_mutation_reaches_the_exact_check(kind: str) -> None:
    world = _World()
    unchanged = world.checker()
    assert unchanged() and unchanged() and world.exact_calls == 1
    MUTATIONS[kind](world)
    assert not _reference(world.pairs)
    assert unchanged() is False and world.exact_calls == 2
    assert unchanged() is False and world.exact_calls == 3  # a refused state is never remembered


@pytest.mark.parametrize("kind", [k for k in MUTATIONS if not k.startswith("class")])
def test_the_restore_undoes_what_the_fast_path_let_through(kind: str) -> None:
    """``Runner._restore`` with the fast path (views made here, as ``prepare`` makes them)."""
    world = _World()
    watched = [pair for pair in world.pairs if type(pair[0]) is dict]
    views = dict_versions.header_views([current for current, _ in watched])
    fake = types.SimpleNamespace(watched=watched, watched_unchanged=runner._unchanged(watched, views))
    restore = runner.Runner._restore.__get__(fake)
    threads = runner._thread._count() > 0
    assert restore() is threads
    MUTATIONS[kind](world)
    assert restore() is True
    for current, saved in watched:
        assert all(current[key] is value for key, value in saved.items()), kind


@pytest.mark.parametrize("kind", ["module-setattr", "module-delattr", "class-set", "class-add", "class-equal-float"])
def test_the_integrity_check_still_names_the_change(kind: str) -> None:
    package = runner.__name__.rpartition(".")[0]
    world = _World(f"{package}.capture")
    world.klass.__module__ = f"{package}.capture"
    world.module.Watched = world.klass
    saved = sys.modules.get(f"{package}.capture")
    sys.modules[f"{package}.capture"] = world.module
    try:
        changed = runner._integrity_check()
    finally:
        sys.modules[f"{package}.capture"] = saved  # type: ignore[assignment]
    assert changed() == "" and changed() == ""
    MUTATIONS[kind](world)
    named = changed()
    expected = {"module-setattr": "capture.exp", "module-delattr": "capture", "class-add": "capture.Watched",
                "class-set": "capture.Watched.method", "class-equal-float": "capture.Watched.x"}[kind]
    assert named == expected
    assert named and changed() == named


def test_a_state_the_exact_check_accepts_is_remembered() -> None:
    """A name deleted and bound again to its own object (another order, the same bindings): the
    exact check accepts it once, then the new tags answer; an equal replacement is refused every
    time until the saved object is back."""
    world = _World()
    unchanged = world.checker()
    assert unchanged() and world.exact_calls == 1
    value = world.space.pop("f")
    world.space["f"] = value
    world.module.exp = world.module.exp  # noqa: PLW0127  # the same object: no mutation at all
    assert unchanged() and world.exact_calls == 2
    assert unchanged() and world.exact_calls == 2
    saved_pi = world.module.pi
    world.module.pi = float(repr(saved_pi))
    assert not unchanged() and not unchanged() and world.exact_calls == 4
    world.module.pi = saved_pi
    assert unchanged() and world.exact_calls == 5
    assert unchanged() and world.exact_calls == 5


def test_a_mutation_during_the_exact_check_is_seen_next_time() -> None:
    """The tags are read before the exact check: a change made while it runs (a finalizer, a
    thread) is not covered by the tags it keeps."""
    world = _World()
    views = dict_versions.header_views([current for current, _ in world.pairs])
    check = runner._strict(world.pairs)
    sneak = [False]

    def exact(pairs: list[tuple[Any, dict[str, Any]]]) -> Callable[[], bool]:
        def unchanged() -> bool:
            answer = check()
            if sneak[0]:
                sneak[0] = False
                world.module.exp = _Claims()
            return answer

        return unchanged

    unchanged = runner._versioned(world.pairs, views, exact)
    assert unchanged()
    world.space["g"] = world.space.pop("g")  # accepted by the exact check: tags kept again
    sneak[0] = True
    assert unchanged()  # the exact check passed before the sneak
    assert not unchanged()  # the sneak moved the module's tag


def test_namespaces_without_a_view_are_always_compared() -> None:
    world = _World()
    views = dict_versions.header_views([current for current, _ in world.pairs])
    views[2] = None  # the plain dict: as for a module the units put in sys.modules
    unchanged = world.checker(views)
    assert unchanged() and unchanged()
    calls = world.exact_calls
    world.space["x"] = float(repr(world.space["x"]))
    assert not unchanged() and world.exact_calls == calls + 1  # the untracked part's exact check
    world.space["x"] = world.pairs[2][1]["x"]
    assert unchanged()
    world.klass.x = float("1.5")
    assert not unchanged()


def test_tags_read_before_the_copies_answer_the_first_call() -> None:
    world = _World()
    views = dict_versions.header_views([current for current, _ in world.pairs])
    before = [dict_versions.tag(view) for view in views if view is not None]
    unchanged = runner._versioned(world.pairs, views, world.spying_exact, before)
    assert unchanged() and world.exact_calls == 0


def test_tags_older_than_a_mutation_do_not_hide_it() -> None:
    """Tags read, then the namespace changed (after its copy): the first call is the exact one."""
    world = _World()
    views = dict_versions.header_views([current for current, _ in world.pairs])
    before = [dict_versions.tag(view) for view in views if view is not None]
    world.module.exp = _Claims()
    unchanged = runner._versioned(world.pairs, views, world.spying_exact, before)
    assert not unchanged() and world.exact_calls == 1
    short = runner._versioned(world.pairs, views, world.spying_exact, before[:1])  # not one per view: unused
    assert not short() and world.exact_calls == 2


class _Runner:
    """What ``Runner._header_views``, ``_snapshot`` and ``_restore`` use of a runner."""

    def __init__(self, course_modules: list[str]) -> None:
        self.settings = {"course_modules": course_modules}
        self.warm_copies = runner._copy_watched_modules()  # as the worker's ``warm`` takes them
        self.header_views = runner.Runner._header_views(self)  # type: ignore[arg-type]

    def _watched_names(self) -> list[str]:
        return runner.Runner._watched_names(self)  # type: ignore[arg-type]


def test_the_workers_copies_serve_only_modules_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Between the worker's copies and the snapshot (the units' top-level code) one module gains
    a name and a course module is replaced in ``sys.modules``: those two are copied again, the
    others are the worker's copies; each saved copy is its module as the snapshot found it."""
    import json

    course = types.ModuleType("course_stand_in")
    course.helper = len
    monkeypatch.setitem(sys.modules, "course_stand_in", course)
    fake = _Runner(["course_stand_in"])
    assert len(fake.warm_copies) >= 10 and all(view is not None for _, view in fake.header_views)
    assert any(namespace is vars(course) for namespace, _ in fake.header_views)
    monkeypatch.setattr(json, "added_by_the_units", 1, raising=False)
    replaced = types.ModuleType("course_stand_in")
    replaced.helper = min
    monkeypatch.setitem(sys.modules, "course_stand_in", replaced)
    runner.Runner._snapshot(fake)  # type: ignore[arg-type]
    warm = {id(namespace): copy for namespace, _, _, copy in fake.warm_copies}
    for current, saved in fake.watched:
        assert _reference([(current, saved)])
        fresh = current is vars(json) or current is vars(replaced)
        assert (saved is warm.get(id(current))) is not fresh
    assert fake.watched_unchanged()
    restore = runner.Runner._restore.__get__(fake)
    threads = runner._thread._count() > 0
    dumps = json.dumps
    monkeypatch.setattr(json, "dumps", _Claims())
    monkeypatch.setattr(replaced, "helper", abs)
    assert restore() is True
    assert json.dumps is dumps and json.added_by_the_units == 1 and replaced.helper is min
    assert restore() is threads and fake.watched_unchanged()


STUDENT = '''\
import builtins
import math
import numpy as np

EXP, ABS = np.exp, builtins.abs


def patches(x):
    if x == 1:
        np.exp = lambda value: 42.0
    if x == 2:
        builtins.abs = lambda value: -1
    if x == 3:  # patched, and put back before returning
        np.exp = math.exp
        np.exp = EXP
    return [float(np.exp(0.0)), abs(-2), np.exp is EXP, builtins.abs is ABS]
'''


@pytest.fixture
def session(sandbox: Any) -> Any:
    with loaded(sandbox, STUDENT) as opened:
        yield opened


@pytest.mark.parametrize("patch", [1, 2])
def test_a_patched_numpy_or_builtin_does_not_reach_the_next_call(session: Any, patch: int) -> None:
    records = list(session.call_each("patches", [((0,), None), ((patch,), None), ((0,), None), ((0,), None)]))
    assert [r.outcome for r in records] == ["returned"] * 4, records
    assert records[0].value == records[2].value == records[3].value == [1.0, 2, True, True]
    assert records[1].value == ([42.0, 2, False, True] if patch == 1 else [1.0, -1, True, False])
    assert session.children_started == 2  # the patching call cost the rest a new child


def test_a_patch_put_back_within_the_call_keeps_the_child(session: Any) -> None:
    records = list(session.call_each("patches", [((0,), None), ((3,), None), ((0,), None), ((0,), None)]))
    assert [r.value for r in records] == [[1.0, 2, True, True]] * 4, records
    assert session.children_started == 1
    assert builtins.abs is abs
