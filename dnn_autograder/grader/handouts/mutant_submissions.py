r"""Mutant submissions: a master solution with one catalogued mistake put in, as a student file.

``mutant_source(spec, mistake)`` writes the Python source of a submission a student making
that mistake could hand in: the master notebook's imports and graded functions, with the graded
function of ``mistake`` replaced by the mistake's mutant (from ``inspect.getsource``, renamed to
the graded function's name). The self-check grades these submissions and expects each to lose
points on that function with the mistake's id among the diagnoses; tests reuse them.

A mutant has the reference's signature, keyword-only hooks included (``*, compute_cost=...``,
``*, forward_propagation_n=...``). A student's function has no such hooks: it calls the course
helper or the stand-in by its global name. So the hooks are dropped from the signature and the
names become globals, imported from the course module that provides them
(``from reg_utils import compute_cost``) or left to the grader when they are stand-ins or graded
functions. Every other name the mutant uses is carried over: modules as imports, literal
constants as assignments, and trusted helper functions (the catalogue's own building blocks,
reference helpers) as their source, recursively, under the name the mutant uses. Annotations and
decorators are dropped (the submission runs without the catalogue's typing imports).

A script unit (``shape = "script"``) may be a class (``Momentum`` with ``update``): its mutant is
then a class too, written as a plain class renamed to the unit's name (no decorators; methods keep
their signatures) whose methods' free names are carried over as for a function; a helper class a
mutant uses (a base class, say) is carried over the same way. The master's graded classes are
read like its graded functions.
"""

from __future__ import annotations

import ast
import builtins
import functools
import inspect
import math
import sys
import textwrap
import types
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import nbformat

from dnn_autograder.grader.assignment.catalogue import Mistake
from dnn_autograder.grader.assignment.spec import AssignmentSpec, FunctionSpec, resolve
from dnn_autograder.grader.errors import GraderError

#: Modules a submission may import as they are (the sandbox has them).
IMPORTABLE_MODULES = frozenset({"numpy", "math", "copy", "random", "functools", "itertools",
                                "collections", "operator", "statistics"})


class MutantSourceError(GraderError):
    """Raised when a mistake's mutant cannot be written as a student's submission (a lambda, a
    name it uses that is neither a module, a literal constant nor a function with source). The
    message names the mistake and the name: define the mutant with ``def`` and plain helpers."""


def mutant_source(spec: AssignmentSpec, mistake: Mistake, master: Path | None = None) -> str:
    """The source of a submission to ``spec`` whose ``mistake.function`` is the mistake's mutant
    and whose other graded functions are the master's (see the module doc)."""
    if mistake.mutant is None:
        raise MutantSourceError(f"{mistake.id}: no mutant (a structural check only)")
    fspec = spec.function(mistake.function)
    master_path = master or spec.folder / "master.ipynb"
    imports, functions = master_parts(master_path, spec.function_names)
    builder = _Builder(spec, fspec, mistake.id)
    mutant = builder.top_level(mistake.mutant)
    others = [source for name, source in functions.items() if name != fspec.name]
    header = (f'"""Mutant submission (grade selfcheck): {spec.name}, {fspec.name} with the '
              f'catalogued mistake {mistake.id}."""\n# selfcheck mutant: {spec.name} {fspec.name} '
              f"{mistake.id}\n")
    parts = [header, "\n".join(_unique(["import numpy as np", *imports, *builder.imports])),
             "\n".join(builder.constants), *builder.definitions, *others, mutant]
    return "\n\n".join(p.strip("\n") for p in parts if p.strip()) + "\n"


def write_mutant_submission(spec: AssignmentSpec, mistake: Mistake, folder: Path,
                            master: Path | None = None) -> Path:
    """Write ``<folder>/<assignment>--<mistake id>.py`` and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{spec.name}--{mistake.id}.py"
    path.write_text(mutant_source(spec, mistake, master), encoding="utf-8")
    return path


def master_parts(master: Path, graded: Iterable[str]) -> tuple[list[str], dict[str, str]]:
    """``(import lines, {graded unit: its source})`` of a master notebook's code cells (a graded
    unit is a function or a class; cells that do not parse, say because of a magic, are read
    without their ``%``/``!`` lines)."""
    notebook = nbformat.read(master, as_version=4)
    wanted = set(graded)
    imports: list[str] = []
    functions: dict[str, str] = {}
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        source = "\n".join(line for line in cell.source.splitlines()
                           if not line.lstrip().startswith(("%", "!")))
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                imports.append(ast.get_source_segment(source, node) or ast.unparse(node))
            elif isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name in wanted:
                functions[node.name] = ast.get_source_segment(source, node) or ast.unparse(node)
    return imports, functions


class _Builder:
    """Collects what the mutant needs: imports, constants and helper definitions, in order."""

    def __init__(self, spec: AssignmentSpec, fspec: FunctionSpec, mistake_id: str) -> None:
        self.spec, self.fspec, self.mistake_id = spec, fspec, mistake_id
        self.imports: list[str] = []
        self.constants: list[str] = []
        self.definitions: list[str] = []
        self._bound: dict[str, Any] = {}  # name -> object it stands for in the submission
        self._provided = _provided_names(spec, fspec)

    def top_level(self, mutant: Callable[..., Any]) -> str:
        """The mutant as the graded function: renamed, hooks dropped, dependencies collected."""
        if isinstance(mutant, functools.partial):
            return self._partial(mutant)
        if isinstance(mutant, type):
            return self._class(mutant, self.fspec.name)
        node, function = self._parse(mutant)
        node.name = self.fspec.name
        node.decorator_list = []
        hooks = _drop_hooks(node, keep=self.fspec.params)
        defaults = _hook_defaults(function, hooks)
        for name in hooks:
            if name not in self._provided:
                if name not in defaults:
                    raise self._error(f"its hook {name!r} has no default to import")
                self._bind(name, defaults[name])
        self._collect(node, function)
        return ast.unparse(node)

    def _class(self, cls: type, name: str) -> str:
        """A class (a class unit's mutant, or a helper class it uses) as a plain class named
        ``name``, its free names bound like a function's."""
        if cls.__name__ == "<lambda>" or "<locals>" in cls.__qualname__:
            raise self._error(f"the class {cls.__qualname__} is defined inside a function: define it at "
                              "module level so its source can be read")
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
        except (OSError, TypeError, SyntaxError) as exc:
            raise self._error(f"the source of the class {cls.__qualname__} cannot be read ({exc})") from exc
        node = tree.body[0]
        if not isinstance(node, ast.ClassDef):
            raise self._error(f"{cls.__qualname__} is not defined with class")
        _StripAnnotations().visit(node)
        node.name = name
        node.decorator_list = []
        module = sys.modules.get(cls.__module__)
        scope = dict(vars(module)) if module is not None else {}
        for method in vars(cls).values():  # names a method closes over come first
            function = getattr(method, "__func__", method)
            if isinstance(function, types.FunctionType) and function.__closure__:
                scope.update(zip(function.__code__.co_freevars,
                                 (c.cell_contents for c in function.__closure__), strict=True))
        self._collect_names(_class_free_names(node), scope, {})
        return ast.unparse(node)

    def _partial(self, mutant: functools.partial) -> str:
        """A ``functools.partial`` mutant: its function as a helper, and a wrapper with the graded
        signature passing the partial's fixed arguments."""
        impl = "_mutant_impl"
        self._bind(impl, mutant.func)
        signature = inspect.signature(resolve(self.fspec.reference))
        params = [p for p in signature.parameters.values() if p.name in self.fspec.params]
        for value in (*mutant.args, *mutant.keywords.values()):
            if not _is_literal(value):
                raise self._error("a partial with non-literal arguments")
        args = [repr(a) for a in mutant.args] + [p.name for p in params]
        args += [f"{k}={v!r}" for k, v in mutant.keywords.items()]
        header = ", ".join(p.name if p.default is p.empty else f"{p.name}={p.default!r}"
                           for p in params)
        return f"def {self.fspec.name}({header}):\n    return {impl}({', '.join(args)})\n"

    def _parse(self, function: Any) -> tuple[ast.FunctionDef, types.FunctionType]:
        if not isinstance(function, types.FunctionType):
            raise self._error(f"{function!r} is not a plain function")
        if function.__name__ == "<lambda>":
            raise self._error("it is a lambda: define it with def so its source can be read")
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
        except (OSError, TypeError, SyntaxError) as exc:
            problem = f"the source of {function.__qualname__} cannot be read ({exc})"
            raise self._error(problem) from exc
        node = tree.body[0]
        if not isinstance(node, ast.FunctionDef):
            raise self._error(f"{function.__qualname__} is not defined with def")
        _StripAnnotations().visit(node)
        return node, function

    def _collect(self, node: ast.FunctionDef, function: types.FunctionType) -> None:
        """Bind every free name ``node`` loads to what it is in ``function``'s module."""
        closure = dict(zip(function.__code__.co_freevars,
                           (c.cell_contents for c in function.__closure__ or ()), strict=True))
        self._collect_names(_free_names(node), function.__globals__, closure)

    def _collect_names(self, names: Iterable[str], scope: Mapping[str, Any], closure: Mapping[str, Any]) -> None:
        for name in sorted(names):
            if name in self._bound or name in self._provided:
                continue
            if name in closure:
                self._bind(name, closure[name])
            elif name in scope:
                self._bind(name, scope[name])
            elif not hasattr(builtins, name):
                raise self._error(f"it uses {name!r}, which is not defined where it is")

    def _bind(self, name: str, value: Any) -> None:
        """Make ``name`` mean ``value`` in the submission (import, constant or definition)."""
        if name in self._bound:
            if self._bound[name] is not value:
                raise self._error(f"the name {name!r} stands for two different objects")
            return
        self._bound[name] = value
        if isinstance(value, types.ModuleType):
            self.imports.append(self._module_import(name, value))
        elif (course := _course_import(name, value, self.spec.helper_module)) is not None:
            self.imports.append(course)
        elif _is_literal(value):
            self.constants.append(f"{name} = {value!r}")
        elif isinstance(value, types.FunctionType):
            node, function = self._parse(value)
            node.name = name
            self._collect(node, function)  # dependencies first: defaults run at definition
            self.definitions.append(ast.unparse(node))
        elif isinstance(value, type) and value.__module__ != "builtins":
            self.definitions.append(self._class(value, name))
        else:
            raise self._error(f"it uses {name!r}, a {type(value).__name__} that a submission "
                              "cannot import")

    def _module_import(self, name: str, module: types.ModuleType) -> str:
        course = _course_module_name(module.__name__)
        target = course or module.__name__
        if course is None and target.partition(".")[0] not in IMPORTABLE_MODULES:
            raise self._error(f"it uses the module {module.__name__}, which a submission cannot "
                              "import")
        return f"import {target}" if target == name else f"import {target} as {name}"

    def _error(self, problem: str) -> MutantSourceError:
        return MutantSourceError(f"mistake {self.mistake_id} ({self.fspec.name}): cannot build a "
                                 f"submission from its mutant: {problem}")


def _provided_names(spec: AssignmentSpec, fspec: FunctionSpec) -> set[str]:
    """Names the submission gets anyway: graded functions (the master's), stand-ins (the
    grader's)."""
    return set(spec.function_names) | set(fspec.stand_ins)


def _drop_hooks(node: ast.FunctionDef, keep: Iterable[str]) -> list[str]:
    """Remove the keyword-only parameters not in the graded signature; return their names."""
    kept = set(keep)
    args = node.args
    dropped = [a.arg for a in args.kwonlyargs if a.arg not in kept]
    pairs = [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
             if a.arg in kept]
    args.kwonlyargs = [a for a, _ in pairs]
    args.kw_defaults = [d for _, d in pairs]
    return dropped


def _hook_defaults(function: types.FunctionType, hooks: Iterable[str]) -> dict[str, Any]:
    defaults = function.__kwdefaults__ or {}
    return {name: defaults[name] for name in hooks if name in defaults}


_HELPERS = "dnn_autograder.course_helpers"


def _course_module_name(module: str) -> str | None:
    """The course name (``reg_utils``) of a ``course_helpers`` module, if it is one."""
    from dnn_autograder.course_helpers import COURSE_MODULES

    for course, target in COURSE_MODULES.items():
        if module == _HELPERS + target:
            return course
    return None


def _course_import(name: str, value: Any, preferred: str) -> str | None:
    """``from reg_utils import compute_cost`` when ``value`` is a course helper, else None."""
    import importlib

    from dnn_autograder.course_helpers import COURSE_MODULES

    order = sorted(COURSE_MODULES, key=lambda course: course != preferred)
    for course in order:
        module = importlib.import_module(COURSE_MODULES[course], _HELPERS)
        for attr, candidate in vars(module).items():
            if candidate is value and not attr.startswith("__") and callable(value):
                return f"from {course} import {attr}" + ("" if attr == name else f" as {name}")
    return None


def _is_literal(value: Any) -> bool:
    """True for values whose ``repr`` reads back as an equal literal."""
    if isinstance(value, float):
        return math.isfinite(value)
    if value is None or isinstance(value, bool | int | str | bytes):
        return True
    if isinstance(value, tuple | list | set | frozenset):
        return all(_is_literal(v) for v in value)
    if isinstance(value, dict):
        return all(_is_literal(k) and _is_literal(v) for k, v in value.items())
    return False


def _class_free_names(node: ast.ClassDef) -> set[str]:
    """Names a class's source loads that it does not bind: its methods' free names (a method
    does not see the class body's names), and what its bases and other class-body statements
    load beyond the names the class body binds."""
    methods = [s for s in node.body if isinstance(s, ast.FunctionDef)]
    others = [s for s in node.body if not isinstance(s, ast.FunctionDef)]
    names: set[str] = set()
    for method in methods:
        names |= _free_names(method)
        names |= {n.id for d in method.decorator_list for n in ast.walk(d) if isinstance(n, ast.Name)}
    loaded = {n.id for part in (*node.bases, *node.keywords, *others) for n in ast.walk(part)
              if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    bound = {n.id for part in others for n in ast.walk(part)
             if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    return names | (loaded - bound - {m.name for m in methods})


def _free_names(node: ast.FunctionDef) -> set[str]:
    """Names loaded in ``node`` (body and defaults) that nothing in it binds."""
    loaded: set[str] = set()
    bound: set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            (loaded if isinstance(child.ctx, ast.Load) else bound).add(child.id)
        elif isinstance(child, ast.arg):
            bound.add(child.arg)
        elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if child is not node:
                bound.add(child.name)
        elif isinstance(child, ast.alias):
            bound.add((child.asname or child.name).partition(".")[0])
        elif isinstance(child, ast.ExceptHandler) and child.name:
            bound.add(child.name)
    defaults = [d for d in (*node.args.defaults, *node.args.kw_defaults) if d is not None]
    from_defaults = {n.id for d in defaults for n in ast.walk(d) if isinstance(n, ast.Name)}
    return (loaded - bound) | from_defaults


class _StripAnnotations(ast.NodeTransformer):
    """Drop annotations (they would need the catalogue's typing imports)."""

    def visit_arg(self, node: ast.arg) -> ast.arg:
        node.annotation = None
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        node.returns = None
        self.generic_visit(node)
        return node

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST:
        if node.value is None:
            return ast.Pass()
        return ast.Assign(targets=[node.target], value=node.value, lineno=node.lineno)


def _unique(lines: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(lines))


def mistakes_of(spec: AssignmentSpec) -> tuple[Mistake, ...]:
    """The assignment's catalogue (``MISTAKES`` of its ``mistakes.py``)."""
    from dnn_autograder.grader.assignment.spec import assignment_module

    return tuple(getattr(assignment_module(spec, "mistakes"), "MISTAKES", ()))


def mutants_by_id(spec: AssignmentSpec) -> Mapping[str, Mistake]:
    """``{id: mistake}`` for the catalogued mistakes that have a mutant."""
    return {m.id: m for m in mistakes_of(spec) if m.mutant is not None}
